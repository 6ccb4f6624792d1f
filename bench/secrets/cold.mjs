/**
 * One cold start of one variant, in a fresh process: imports its library,
 * defines its handler (or getter), makes the first access against the fake
 * cloud of bench/secrets/index.mjs, then WARM accesses. Prints one JSON line:
 * { importMs, firstMs, warmUs, callsFirst, callsWarm }.
 *
 * Usage (the parent sets the environment): node bench/secrets/cold.mjs <variant> <distDir>
 */
import { performance } from 'node:perf_hooks'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

const [variant, distArg] = process.argv.slice(2)
const cloud = process.env.FAKE_CLOUD
// Node 20 loads fetch (undici) on first use, tens of ms: a function that
// calls any HTTP API with fetch pays that anyway, so these variants pay it
// before the clock starts, to show what the secret itself adds.
const APP_USES_FETCH = ' (app already uses fetch)'
if (variant.endsWith(APP_USES_FETCH)) await (await fetch(`${cloud}/__calls`)).text()
const t0 = performance.now()
const dist = (file) => pathToFileURL(resolve(distArg ?? 'dist', file)).href
const WARM = Number(process.env.BENCH_WARM ?? 1000)

async function faasade(providerOf) {
  const core = await import(dist('index.js'))
  const { secrets } = await import(dist('secrets.js'))
  const provider = await providerOf()
  const handler = core.defineHandler({ use: [secrets({ s: provider })], handle: (_e, ctx) => ctx.secrets.s.value })
  const event = core.createEvent({ id: '1', source: '/bench', type: 'bench' })
  const providerInfo = { name: 'bench', raw: null }
  return () => handler.run(event, core.createContext({ provider: providerInfo }))
}

const variants = {
  'faasade fromEnv': () => faasade(async () => (await import(dist('secrets.js'))).fromEnv('BENCH_SECRET')),
  'faasade AWS, fetch transport': () => faasade(async () => (await import(dist('secrets-aws.js'))).fromAwsSecretsManager('bench/db', { transport: 'fetch' })),
  'faasade AWS, fetch transport (app already uses fetch)': () => faasade(async () => (await import(dist('secrets-aws.js'))).fromAwsSecretsManager('bench/db', { transport: 'fetch' })),
  'faasade AWS, SDK transport': () => faasade(async () => (await import(dist('secrets-aws.js'))).fromAwsSecretsManager('bench/db', { transport: 'sdk' })),
  'faasade Lambda extension': () => faasade(async () => (await import(dist('secrets-lambda-extension.js'))).fromLambdaExtension('bench/db')),
  'faasade GCP (REST)': () => faasade(async () => (await import(dist('secrets-gcp.js'))).fromGcpSecretManager('db', { endpoint: cloud })),
  'faasade Azure (REST)': () => faasade(async () => (await import(dist('secrets-azure.js'))).fromAzureKeyVault(cloud, 'db')),
  'faasade Lambda extension (app already uses fetch)': () => faasade(async () => (await import(dist('secrets-lambda-extension.js'))).fromLambdaExtension('bench/db')),
  'Powertools getSecret': async () => {
    const { getSecret } = await import('@aws-lambda-powertools/parameters/secrets')
    return () => getSecret('bench/db')
  },
  'Middy secrets-manager': async () => {
    const { default: middy } = await import('@middy/core')
    const { default: secretsManager } = await import('@middy/secrets-manager')
    const handler = middy(async (_event, context) => context.s).use(secretsManager({ fetchData: { s: 'bench/db' }, setToContext: true }))
    const context = { getRemainingTimeInMillis: () => 30_000, awsRequestId: 'bench' }
    return () => handler({}, context)
  },
  'import aws4fetch + new AwsClient': async () => {
    const { AwsClient } = await import('aws4fetch')
    new AwsClient({ accessKeyId: 'a', secretAccessKey: 'b', service: 'secretsmanager', region: 'us-east-1' })
    return null
  },
  'import @aws-sdk/client-secrets-manager + new client': async () => {
    const { SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager')
    new SecretsManagerClient({})
    return null
  },
}

const calls = async () => (await (await fetch(`${cloud}/__calls`)).json()).secret
const access = await variants[variant]()
const t1 = performance.now()
let result = { importMs: t1 - t0 }
if (access) {
  const value = await access()
  const t2 = performance.now()
  if (typeof value !== 'string') throw new Error(`${variant}: got ${typeof value}`)
  const callsFirst = await calls()
  const t3 = performance.now()
  for (let i = 0; i < WARM; i++) await access()
  const t4 = performance.now()
  result = { ...result, firstMs: t2 - t1, warmUs: ((t4 - t3) * 1000) / WARM, callsFirst, callsWarm: (await calls()) - callsFirst }
}
process.stdout.write(`${JSON.stringify(result)}\n`)
