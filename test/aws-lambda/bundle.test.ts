/**
 * What a Lambda function made with `faasade/aws-lambda` ships: a hello
 * event handler bundles no package at all (no Hono, no provider SDK, no
 * `cloudevents`), and the orders example nothing of Azure, Google Cloud or
 * Cloudflare. Sizes are measured in bench/aws-lambda.
 */
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as esbuild from 'esbuild'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../', import.meta.url))

async function bundle(source: string): Promise<{ inputs: string[]; code: string }> {
  const result = await esbuild.build({
    stdin: { contents: source, resolveDir: root, sourcefile: 'lambda.ts', loader: 'ts' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    metafile: true,
    logLevel: 'silent',
    external: ['@aws-sdk/*'],
    // faasade and its doors resolve to the sources through tsconfig.json's paths.
    tsconfig: join(root, 'tsconfig.json'),
  })
  return { inputs: Object.keys(result.metafile.inputs), code: result.outputFiles[0]!.text }
}

describe('the Lambda bundle', () => {
  it('of a hello event handler holds no package: only faasade', async () => {
    const { inputs, code } = await bundle(`import { defineHandler } from 'faasade'\nimport { toLambda } from 'faasade/aws-lambda'\nexport const handler = toLambda(defineHandler({ handle: () => 'hello' }))`)
    // @opentelemetry/api (an optional peer, installed here) is the one exception: reached only by a
    // dynamic import, made when an SDK is registered (test/observability/otel-lazy.test.ts).
    expect(inputs.filter((i) => i.includes('node_modules') && !i.includes('node_modules/@opentelemetry/api/'))).toEqual([])
    expect(code).toMatch(/import\("@opentelemetry\/api"\)|init_esm\(\)|__esm/)
    expect(inputs.some((i) => i.startsWith('adapters/aws-lambda/'))).toBe(true)
    // Tree-shaken: what toLambda does not use stays out (streaming, the idempotency and secrets doors).
    expect(code).not.toContain('streamifyResponse')
    expect(inputs.filter((i) => i.startsWith('src/idempotency/') || i.startsWith('src/secrets/'))).toEqual([])
  })

  it('of the orders example holds nothing of Azure, Google Cloud, Cloudflare or the cloudevents SDK', async () => {
    const { inputs } = await bundle(`export { handler } from './examples/orders/lambda.js'`)
    const foreign = inputs.filter((i) => /node_modules\/(@azure|@google-cloud|@cloudflare|cloudevents|miniflare|wrangler)\//.test(i))
    expect(foreign).toEqual([])
    expect(inputs.some((i) => i.includes('node_modules/hono/'))).toBe(true)
  })
})
