// What a bundler makes of the secrets doors: a Workers-style bundle (esbuild,
// platform neutral) of every provider holds no AWS SDK code, and importing a
// door without using it leaves nothing behind (no top-level work).
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../', import.meta.url))
const doors = {
  'faasade/secrets': 'src/secrets/index.ts',
  'faasade/secrets/aws': 'src/secrets/providers/aws.ts',
  'faasade/secrets/lambda-extension': 'src/secrets/providers/lambda-extension.ts',
  'faasade/secrets/gcp': 'src/secrets/providers/gcp.ts',
  'faasade/secrets/azure': 'src/secrets/providers/azure.ts',
  'faasade/secrets/azure-appconfig': 'src/secrets/providers/azure-appconfig.ts',
  'faasade/secrets/gcp-parameters': 'src/secrets/providers/gcp-parameters.ts',
  'faasade/secrets/appconfig': 'src/secrets/providers/appconfig.ts',
  'faasade/secrets/ssm': 'src/secrets/providers/ssm.ts',
}

async function bundle(contents: string) {
  const result = await build({
    stdin: { contents, resolveDir: root, loader: 'ts' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    minify: true,
    logLevel: 'silent',
    alias: Object.fromEntries(Object.entries(doors).map(([door, path]) => [door, `./${path}`])),
  })
  return result.outputFiles[0]!.text
}

describe('secrets bundles', () => {
  it('a Worker using every provider carries no @aws-sdk/@smithy code', async () => {
    const text = await bundle(`
      import { secrets, fromEnv } from 'faasade/secrets'
      import { fromAwsSecretsManager } from 'faasade/secrets/aws'
      import { fromLambdaExtension } from 'faasade/secrets/lambda-extension'
      import { fromGcpSecretManager } from 'faasade/secrets/gcp'
      import { fromAzureKeyVault } from 'faasade/secrets/azure'
      export const m = secrets({ a: fromEnv('A'), b: fromAwsSecretsManager('b'), c: fromLambdaExtension('c'), d: fromGcpSecretManager('d'), e: fromAzureKeyVault('https://kv.vault.azure.net', 'e') })
    `)
    expect(text).not.toMatch(/smithy|SignatureV4|@aws-sdk\/(core|middleware)|@azure\/|@google-cloud\//)
    expect(text.length).toBeLessThan(40_000)
  })

  it('a function using Secrets Manager carries no Parameter Store or AppConfig code, and the reverse', async () => {
    const sm = await bundle(`import { secrets } from 'faasade/secrets'; import { fromAwsSecretsManager } from 'faasade/secrets/aws'; export const m = secrets({ s: fromAwsSecretsManager('s') })`)
    expect(sm).toContain('secretsmanager.')
    expect(sm).not.toMatch(/AmazonSSM|configurationsessions/)
    const ssm = await bundle(`import { secrets } from 'faasade/secrets'; import { fromSsmParameter } from 'faasade/secrets/ssm'; export const m = secrets({ s: fromSsmParameter('/s') })`)
    expect(ssm).toContain('AmazonSSM.')
    expect(ssm).not.toMatch(/secretsmanager\.|configurationsessions|smithy|@aws-sdk/)
    const appconfig = await bundle(`import { secrets } from 'faasade/secrets'; import { fromAppConfig } from 'faasade/secrets/appconfig'; export const m = secrets({ c: fromAppConfig('a', 'e', 'p') })`)
    expect(appconfig).toContain('configurationsessions')
    expect(appconfig).not.toMatch(/secretsmanager\.|AmazonSSM|smithy|@aws-sdk/)
  })

  it.each(Object.keys(doors))('%s does nothing when imported and unused', async (door) => {
    const text = await bundle(`import * as unused from '${door}'`)
    expect(text.trim()).toBe('')
  })
})
