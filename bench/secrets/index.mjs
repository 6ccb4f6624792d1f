/**
 * The secrets bench: what a secret costs at cold start and when warm, for
 * each faasade provider and, against the same local endpoint in the same
 * run, Powertools' getSecret and Middy's secrets-manager.
 *
 * Method: a fake cloud (fake-cloud.mjs) serves every wire format on
 * 127.0.0.1. Each sample is a fresh Node process (cold.mjs) that imports
 * its library, makes the first access, then BENCH_WARM more; the variants
 * take turns, in an order that rotates every round, so that load from
 * neighbours hits them alike. Medians of BENCH_SAMPLES rounds. Also: bundle
 * sizes (esbuild, minified, gzipped) of the same uses.
 *
 * Run: `npm run bench` (builds first), or `node bench/secrets/index.mjs [distDir]`.
 */
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { runChild } from '../child.mjs'
import { startFakeCloud } from './fake-cloud.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..', '..')
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 10)
const WARM = Number(process.env.BENCH_WARM ?? 1000)

const median = (values) => {
  const s = [...values].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
const table = (header, rows) => [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n')

/** A copy of the build, so a rebuild during the run cannot mix two builds. */
function snapshot(distDir) {
  if (!existsSync(join(distDir, 'secrets.js'))) throw new Error(`${distDir}/secrets.js is missing: run \`npm run build\` first (\`npm run bench\` does)`)
  const target = join(root, '.bench-tmp', 'secrets', 'dist')
  rmSync(target, { recursive: true, force: true })
  mkdirSync(dirname(target), { recursive: true })
  cpSync(distDir, target, { recursive: true })
  return target
}


const variants = [
  'faasade fromEnv',
  'faasade AWS, fetch transport',
  'faasade AWS, fetch transport (app already uses fetch)',
  'faasade AWS, SDK transport',
  'faasade Lambda extension',
  'faasade Lambda extension (app already uses fetch)',
  'faasade GCP (REST)',
  'faasade Azure (REST)',
  'Powertools getSecret',
  'Middy secrets-manager',
  'import aws4fetch + new AwsClient',
  'import @aws-sdk/client-secrets-manager + new client',
]

async function coldAndWarm(dist) {
  const cloud = await startFakeCloud()
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    FAKE_CLOUD: cloud.url,
    BENCH_WARM: String(WARM),
    BENCH_SECRET: 'postgres://bench:bench-secret-value-0001@db.internal/app',
    AWS_ACCESS_KEY_ID: 'AKIDBENCH',
    AWS_SECRET_ACCESS_KEY: 'bench-secret-key',
    AWS_SESSION_TOKEN: 'bench-session-token',
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: cloud.url,
    PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(cloud.port),
    GCE_METADATA_HOST: `127.0.0.1:${cloud.port}`,
    GOOGLE_CLOUD_PROJECT: 'bench',
    IDENTITY_ENDPOINT: `${cloud.url}/msi/token`,
    IDENTITY_HEADER: 'bench-identity-header',
  }
  const samples = Object.fromEntries(variants.map((v) => [v, []]))
  try {
    // One unmeasured round warms the OS file cache for every variant.
    for (const v of variants) await runChild([join(here, 'cold.mjs'), v, dist], env)
    for (let round = 0; round < SAMPLES; round++) {
      for (let i = 0; i < variants.length; i++) {
        const v = variants[(i + round) % variants.length]
        cloud.counts.secret = 0
        cloud.counts.token = 0
        samples[v].push(await runChild([join(here, 'cold.mjs'), v, dist], env))
      }
    }
  } finally {
    await cloud.close()
  }
  return samples
}

async function sizes() {
  const { build } = await import('esbuild')
  const bundle = async (contents) => {
    const r = await build({ stdin: { contents, resolveDir: root, loader: 'js' }, bundle: true, write: false, format: 'esm', platform: 'node', minify: true, logLevel: 'silent', external: [] })
    const text = r.outputFiles[0].text
    return { raw: text.length, gzip: gzipSync(text).length }
  }
  const d = (f) => JSON.stringify(`./.bench-tmp/secrets/dist/${f}`)
  const cases = {
    'faasade secrets + fromEnv': `import { secrets, fromEnv } from ${d('secrets.js')}; export default secrets({ s: fromEnv('S') })`,
    'faasade secrets + AWS (fetch transport, aws4fetch bundled)': `import { secrets } from ${d('secrets.js')}; import { fromAwsSecretsManager } from ${d('secrets-aws.js')}; export default secrets({ s: fromAwsSecretsManager('s') })`,
    'faasade secrets + Lambda extension': `import { secrets } from ${d('secrets.js')}; import { fromLambdaExtension } from ${d('secrets-lambda-extension.js')}; export default secrets({ s: fromLambdaExtension('s') })`,
    'faasade secrets + GCP (REST)': `import { secrets } from ${d('secrets.js')}; import { fromGcpSecretManager } from ${d('secrets-gcp.js')}; export default secrets({ s: fromGcpSecretManager('s') })`,
    'faasade secrets + Azure (REST)': `import { secrets } from ${d('secrets.js')}; import { fromAzureKeyVault } from ${d('secrets-azure.js')}; export default secrets({ s: fromAzureKeyVault('https://kv.vault.azure.net', 's') })`,
    '@aws-sdk/client-secrets-manager, GetSecretValue (SDK bundled)': `import { SecretsManagerClient, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager'; export default (id) => new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: id }))`,
    'Powertools getSecret (SDK bundled)': `import { getSecret } from '@aws-lambda-powertools/parameters/secrets'; export default getSecret`,
    'Middy core + secrets-manager (SDK bundled)': `import middy from '@middy/core'; import sm from '@middy/secrets-manager'; export default middy(async () => 1).use(sm({ fetchData: { s: 's' } }))`,
  }
  const out = {}
  for (const [name, code] of Object.entries(cases)) out[name] = await bundle(code)
  return out
}

const distDir = snapshot(resolve(process.argv[2] ?? join(root, 'dist')))
const when = new Date().toISOString().slice(0, 10)
console.log(`## Secrets bench (${when}, Node ${process.version}, ${SAMPLES} fresh processes a variant, ${WARM} warm accesses each)\n`)

const samples = await coldAndWarm(distDir)
const f = (n, d = 1) => (n === undefined || Number.isNaN(n) ? '–' : n.toFixed(d))
const rows = variants.map((v) => {
  const s = samples[v]
  const pick = (k) => median(s.map((x) => x[k]).filter((x) => x !== undefined))
  const first = pick('firstMs')
  const imp = pick('importMs')
  const callsFirst = s[0].callsFirst
  const callsWarm = Math.max(...s.map((x) => x.callsWarm ?? 0))
  return [v, f(imp), f(first), f(s[0].firstMs === undefined ? imp : imp + first), f(pick('warmUs'), 2), callsFirst ?? '–', s[0].firstMs === undefined ? '–' : `${callsWarm} in ${WARM}`]
})
console.log(table(['variant', 'import + define (ms)', 'first access (ms)', 'cold total (ms)', 'warm access (µs)', 'remote calls, first', 'remote calls, warm'], rows))

console.log('\n### Bundle sizes (esbuild, minified; gzipped)\n')
const sz = await sizes()
console.log(table(['bundle', 'minified', 'gzipped'], Object.entries(sz).map(([k, v]) => [k, `${(v.raw / 1000).toFixed(1)} KB`, `${(v.gzip / 1000).toFixed(1)} KB`])))
rmSync(join(root, '.bench-tmp', 'secrets'), { recursive: true, force: true })
