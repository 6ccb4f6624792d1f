// fromAzureKeyVault against one local server playing the App Service /
// Functions managed identity endpoint (IDENTITY_ENDPOINT + X-IDENTITY-HEADER,
// api-version 2019-08-01) and Key Vault's REST API (GET
// /secrets/{name}/{version}?api-version=7.4, {error:{code,message}} errors).
// Why a fake and not an emulator: Microsoft ships none for Key Vault or the
// managed identity endpoint (Azurite emulates Storage only): there is none
// to start.
import { defineHandler, outcomeOf } from 'faasade'
import { secrets, SecretAccessDeniedError, SecretNotFoundError, SecretUnavailableError } from 'faasade/secrets'
import { fromAzureKeyVault } from 'faasade/secrets/azure'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import * as z from 'zod'
import { clock, run } from './helpers/run.js'
import { startServer, type LocalServer, type Recorded, type Reply } from './helpers/server.js'

const IDENTITY_HEADER = 'identity-header-0f1e2d'
const values = new Map<string, string>()
const failures = new Map<string, Reply>()
let server: LocalServer
const env = { ...process.env }

function kvError(status: number, code: string, message: string, extra: Record<string, string> = {}): Reply {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', ...extra }, body: { error: { code, message } } }
}

function azure(req: Recorded): Reply {
  if (req.url.pathname === '/msi/token') {
    if (req.headers['x-identity-header'] !== IDENTITY_HEADER) return { status: 400, body: { statusCode: 400, message: 'Bad Request' } }
    if (req.url.searchParams.get('resource') !== 'https://vault.azure.net' || req.url.searchParams.get('api-version') !== '2019-08-01') return { status: 400, body: { statusCode: 400, message: 'bad resource' } }
    return { headers: { 'content-type': 'application/json' }, body: { access_token: 'eyJ0eXAi.managed.identity', expires_on: String(Math.floor(Date.now() / 1000) + 86_399), resource: 'https://vault.azure.net', token_type: 'Bearer', client_id: '00000000-0000-0000-0000-000000000001' } }
  }
  const match = /^\/secrets\/([0-9a-zA-Z-]+)\/([0-9a-f]*)$/.exec(req.url.pathname)
  if (!match || req.url.searchParams.get('api-version') !== '7.4') return kvError(400, 'BadParameter', 'bad request')
  if (req.headers.authorization !== 'Bearer eyJ0eXAi.managed.identity') return kvError(401, 'Unauthorized', 'AKV10000: Request is missing a Bearer or PoP token.')
  const name = match[1]!
  const failure = failures.get(name)
  if (failure) return failure
  const value = values.get(name)
  if (value === undefined) return kvError(404, 'SecretNotFound', `A secret with (name/id) ${name} was not found in this key vault.`)
  const version = match[2] || '4387e9f3d6e14c459867679a90fd0f79'
  return {
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: { value, id: `${server.url}/secrets/${name}/${version}`, attributes: { enabled: true, created: 1493938410, updated: 1493938410, recoveryLevel: 'Recoverable+Purgeable' }, tags: {} },
  }
}

beforeAll(async () => {
  server = await startServer(azure)
  process.env.IDENTITY_ENDPOINT = `${server.url}/msi/token`
  process.env.IDENTITY_HEADER = IDENTITY_HEADER
})
afterAll(async () => {
  process.env = env
  await server.close()
})
beforeEach(() => {
  server.reset()
  values.clear()
  failures.clear()
  values.set('smtp', JSON.stringify({ user: 'mailer', pass: 'smtp-pa55-azure' }))
})

describe('fromAzureKeyVault', () => {
  it('uses the managed identity token and fetches once per TTL window', async () => {
    const time = clock()
    const handler = defineHandler({
      use: [secrets({ smtp: fromAzureKeyVault(server.url, 'smtp', { json: true, schema: z.object({ user: z.string(), pass: z.string() }) }) }, { ttl: 1_000, now: time.now })],
      handle: (_e, ctx) => ctx.secrets.smtp.value.pass,
    })
    expect((await run(handler)).result).toBe('smtp-pa55-azure')
    time.advance(999)
    await run(handler)
    expect(server.count('/secrets/smtp/')).toBe(1)
    time.advance(1)
    await run(handler)
    expect(server.count('/secrets/smtp/')).toBe(2)
    expect(server.count('/msi/token')).toBeLessThanOrEqual(1)
  })

  it('makes ONE call for 100 concurrent first uses, and asks for a pinned version', async () => {
    const handler = defineHandler({ use: [secrets({ s: fromAzureKeyVault(server.url, 'smtp', { version: 'abc123' }) })], handle: (_e, ctx) => ctx.secrets.s.value })
    const all = await Promise.all(Array.from({ length: 100 }, () => run(handler)))
    expect(all.every((r) => typeof r.result === 'string' && r.result.includes('smtp-pa55-azure'))).toBe(true)
    expect(server.count('/secrets/smtp/abc123')).toBe(1)
  })

  it('maps SecretNotFound, Forbidden, throttling with Retry-After, and 5xx', async () => {
    const make = (name: string) => defineHandler({ use: [secrets({ s: fromAzureKeyVault(server.url, name) })], handle: () => 'ran' })
    const missing = await run(make('nope'))
    expect(missing.error).toBeInstanceOf(SecretNotFoundError)
    expect((missing.error as Error).message).toContain('nope')
    failures.set('locked', kvError(403, 'Forbidden', "The user, group or application does not have secrets get permission on key vault 'kv'."))
    expect((await run(make('locked'))).error).toBeInstanceOf(SecretAccessDeniedError)
    failures.set('busy', kvError(429, 'Throttled', 'Request was not processed because too many requests were received.', { 'retry-after': '7' }))
    const busy = await run(make('busy'))
    expect(busy.error).toBeInstanceOf(SecretUnavailableError)
    expect(outcomeOf(busy.error)).toMatchObject({ kind: 'retry', retryAfterMs: 7000 })
    failures.set('down', kvError(503, 'ServiceUnavailable', 'try later'))
    expect((await run(make('down'))).error).toBeInstanceOf(SecretUnavailableError)
  })

  it('accepts an injected token instead of the managed identity', async () => {
    const handler = defineHandler({ use: [secrets({ s: fromAzureKeyVault(server.url, 'smtp', { token: async () => 'eyJ0eXAi.managed.identity' }) })], handle: (_e, ctx) => ctx.secrets.s.value })
    expect((await run(handler)).result).toContain('mailer')
    expect(server.count('/msi/token')).toBe(0)
  })

  it('rejects bad vault URLs and names at definition time', () => {
    expect(() => fromAzureKeyVault('not a url', 'x')).toThrow(/vault URL/)
    expect(() => fromAzureKeyVault('https://kv.vault.azure.net', 'bad/name')).toThrow(/letters, digits and dashes/)
  })
})
