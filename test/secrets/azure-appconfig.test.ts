// fromAzureAppConfiguration against one local server playing both the App
// Service identity endpoint and the App Configuration REST API
// (GET /kv/{key}?label=…&api-version=1.0), which checks the HMAC-SHA256
// signature the way the service documents it (the method, path and query,
// x-ms-date, host and x-ms-content-sha256, signed with the decoded access
// key; dates more than 15 minutes off refused), or the bearer token.
// Why a fake and not an emulator: Microsoft ships no App Configuration
// emulator that CI here can install (Azurite covers Storage only).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import { defineHandler, outcomeOf } from 'faasade'
import { secrets, SecretAccessDeniedError, SecretInvalidError, SecretNotFoundError, SecretUnavailableError } from 'faasade/secrets'
import { fromAzureAppConfiguration } from 'faasade/secrets/azure-appconfig'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import * as z from 'zod'
import { clock, run } from './helpers/run.js'
import { startServer, type LocalServer, type Recorded, type Reply } from './helpers/server.js'

const ACCESS_ID = 'appcfg-id-1'
const ACCESS_SECRET = Buffer.from('appcfg-access-key-bytes-0123456789').toString('base64')
const IDENTITY_PATH = '/msi/token'
/** By `key\0label` (label '' for none). */
const values = new Map<string, { value: string; contentType?: string }>()
const failures = new Map<string, Reply>()
let tokens = 0
let refuseTokensBelow = 0
let server: LocalServer
const env = { ...process.env }

function problem(status: number, title: string): Reply {
  return { status, headers: { 'content-type': 'application/problem+json; charset=utf-8' }, body: { type: 'https://azconfig.io/errors/x', title, status } }
}

/** Why the HMAC signature does not hold, or undefined when it does. */
function hmacRefusal(req: Recorded): string | undefined {
  const auth = /^HMAC-SHA256 Credential=([^&]+)&SignedHeaders=([^&]+)&Signature=(.+)$/.exec(String(req.headers.authorization))
  if (!auth) return 'malformed Authorization'
  const [, id, signed, signature] = auth as unknown as [string, string, string, string]
  if (id !== ACCESS_ID) return 'unknown credential'
  if (signed !== 'x-ms-date;host;x-ms-content-sha256') return 'unexpected signed headers'
  const date = String(req.headers['x-ms-date'])
  if (Math.abs(Date.parse(date) - Date.now()) > 15 * 60_000) return 'date too far off'
  const hash = String(req.headers['x-ms-content-sha256'])
  if (hash !== createHash('sha256').update(req.body).digest('base64')) return 'content hash mismatch'
  const stringToSign = `${req.method}\n${req.url.pathname}${req.url.search}\n${date};${String(req.headers.host)};${hash}`
  const expected = createHmac('sha256', Buffer.from(ACCESS_SECRET, 'base64')).update(stringToSign).digest()
  const given = Buffer.from(signature, 'base64')
  return given.length === expected.length && timingSafeEqual(given, expected) ? undefined : 'signature mismatch'
}

function azure(req: Recorded): Reply {
  if (req.url.pathname === IDENTITY_PATH) {
    if (req.headers['x-identity-header'] !== 'id-header' || req.url.searchParams.get('resource') !== 'https://azconfig.io') return { status: 400, body: {} }
    tokens++
    return { body: { access_token: `aad-${tokens}`, expires_on: String(Math.floor(Date.now() / 1000) + 3600), resource: 'https://azconfig.io' } }
  }
  const match = /^\/kv\/(.+)$/.exec(req.url.pathname)
  if (!match || req.url.searchParams.get('api-version') !== '1.0') return problem(400, 'Bad request')
  const auth = String(req.headers.authorization)
  if (auth.startsWith('Bearer ')) {
    if (!auth.startsWith('Bearer aad-') || Number(auth.slice('Bearer aad-'.length)) < refuseTokensBelow) return problem(401, 'Unauthorized')
  } else {
    const refusal = hmacRefusal(req)
    if (refusal) return problem(401, `HMAC: ${refusal}`)
  }
  const key = decodeURIComponent(match[1]!)
  const label = req.url.searchParams.get('label') ?? ''
  const failure = failures.get(key)
  if (failure) return failure
  const item = values.get(`${key}\0${label}`)
  if (!item) return { status: 404 }
  return {
    headers: { 'content-type': 'application/vnd.microsoft.appconfig.kv+json; charset=utf-8', etag: '"e1"' },
    body: { etag: 'e1', key, label: label || null, content_type: item.contentType ?? '', value: item.value, tags: {}, locked: false, last_modified: '2026-01-01T00:00:00+00:00' },
  }
}

let store: string
let connectionString: string

beforeAll(async () => {
  server = await startServer(azure)
  store = server.url
  connectionString = `Endpoint=${store};Id=${ACCESS_ID};Secret=${ACCESS_SECRET}`
  Object.assign(process.env, { IDENTITY_ENDPOINT: `${server.url}${IDENTITY_PATH}`, IDENTITY_HEADER: 'id-header' })
})
afterAll(async () => {
  process.env = env
  await server.close()
})
beforeEach(() => {
  server.reset()
  values.clear()
  failures.clear()
  refuseTokensBelow = 0
  values.set('orders:table\0', { value: 'azcfg-orders-table' })
  values.set('orders:limits\0prod', { value: JSON.stringify({ daily: 100 }), contentType: 'application/json' })
  values.set('orders:db\0', { value: '{"uri":"https://kv.vault.azure.net/secrets/db"}', contentType: 'application/vnd.microsoft.appconfig.keyvaultref+json;charset=utf-8' })
})

describe('fromAzureAppConfiguration', () => {
  it('reads a key (and a labelled one) signed with the access key, once per TTL window', async () => {
    const time = clock()
    const handler = defineHandler({
      use: [secrets({
        table: fromAzureAppConfiguration(store, 'orders:table', { connectionString }),
        limits: fromAzureAppConfiguration(store, 'orders:limits', { connectionString, label: 'prod', json: true, schema: z.object({ daily: z.number() }) }),
      }, { ttl: 60_000, now: time.now })],
      handle: (_e, ctx) => ({ table: ctx.secrets.table.value, daily: ctx.secrets.limits.value.daily }),
    })
    const first = await run(handler)
    expect(first.error).toBeUndefined()
    expect(first.result).toEqual({ table: 'azcfg-orders-table', daily: 100 })
    expect(server.count(/^\/kv\//)).toBe(2)
    time.advance(60_000)
    await run(handler)
    expect(server.count(/^\/kv\//)).toBe(4)
  })

  it('uses the managed identity token for https://azconfig.io, and takes a new one after a 401', async () => {
    const provider = fromAzureAppConfiguration(store, 'orders:table')
    expect((await provider.load({ provider: undefined })).value).toBe('azcfg-orders-table')
    const before = server.count(IDENTITY_PATH)
    expect(before).toBe(1)
    refuseTokensBelow = tokens + 1
    const refused = await provider.load({ provider: undefined }).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(SecretUnavailableError)
    expect((await provider.load({ provider: undefined })).value).toBe('azcfg-orders-table')
    expect(server.count(IDENTITY_PATH)).toBe(before + 1)
  })

  it('is denied when signed with the wrong access key, and refuses a connection string for another store', async () => {
    const wrong = `Endpoint=${store};Id=${ACCESS_ID};Secret=${Buffer.from('not-the-key').toString('base64')}`
    const error = await fromAzureAppConfiguration(store, 'orders:table', { connectionString: wrong }).load({ provider: undefined }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SecretAccessDeniedError)
    expect((error as Error).message).toContain('signature mismatch')
    expect(() => fromAzureAppConfiguration('https://other.azconfig.io', 'k', { connectionString })).toThrow(/another store/)
    expect(() => fromAzureAppConfiguration(store, 'k', { connectionString: 'Endpoint=x' })).toThrow(/needs Endpoint, Id and Secret/)
  })

  it('maps a missing key to a deployment fault naming it, 403 to denied, 429 and 500 to retryable', async () => {
    const missing = (await run(defineHandler({ use: [secrets({ x: fromAzureAppConfiguration(store, 'orders:nope', { connectionString }) })], handle: () => 'ran' }))).error
    expect(missing).toBeInstanceOf(SecretNotFoundError)
    expect((missing as Error).message).toContain('orders:nope')
    expect(outcomeOf(missing).kind).toBe('retry')
    const load = (key: string) => fromAzureAppConfiguration(store, key, { connectionString }).load({ provider: undefined }).catch((e: unknown) => e)
    failures.set('orders:table', problem(403, 'Forbidden'))
    expect(await load('orders:table')).toBeInstanceOf(SecretAccessDeniedError)
    failures.set('orders:table', { ...problem(429, 'Too many requests'), headers: { 'retry-after': '3' } })
    const throttled = await load('orders:table')
    expect(throttled).toBeInstanceOf(SecretUnavailableError)
    expect((throttled as SecretUnavailableError).retryAfterMs).toBe(3000)
    failures.set('orders:table', problem(500, 'Internal'))
    expect(await load('orders:table')).toBeInstanceOf(SecretUnavailableError)
  })

  it('refuses to hand over a Key Vault reference as if it were the value', async () => {
    const error = await fromAzureAppConfiguration(store, 'orders:db', { connectionString }).load({ provider: undefined }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SecretInvalidError)
    expect((error as Error).message).toContain('fromAzureKeyVault')
  })

  it('leaves configuration readable in logs, and scrubs it with redact: true', async () => {
    values.set('orders:plain\0', { value: 'azcfg-plain-visible-1' })
    values.set('orders:hidden\0', { value: 'azcfg-hidden-value-2' })
    const handler = defineHandler({
      use: [secrets({ plain: fromAzureAppConfiguration(store, 'orders:plain', { connectionString }), hidden: fromAzureAppConfiguration(store, 'orders:hidden', { connectionString, redact: true }) })],
      handle: (_e, ctx) => ctx.log.info('config', { plain: ctx.secrets.plain.value, hidden: ctx.secrets.hidden.value }),
    })
    const line = JSON.stringify((await run(handler)).logs.find((l) => l.msg === 'config'))
    expect(line).toContain('azcfg-plain-visible-1')
    expect(line).not.toContain('azcfg-hidden-value-2')
  })

  it('is a retryable error when the store refuses connections', async () => {
    const dead = await startServer(() => ({}))
    const url = dead.url
    await dead.close()
    const error = await fromAzureAppConfiguration(url, 'k', { token: async () => 'aad-x' }).load({ provider: undefined }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SecretUnavailableError)
    expect((error as Error).message).toContain('ECONNREFUSED')
  })
})
