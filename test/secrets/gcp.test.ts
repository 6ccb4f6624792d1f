// fromGcpSecretManager against one local server playing both the metadata
// server (token endpoint, Metadata-Flavor: Google) and the Secret Manager
// REST API (GET /v1/projects/*/secrets/*/versions/*:access, base64 payload
// with its CRC32C, google.rpc.Status errors).
// Why a fake and not an emulator: Google ships none for Secret Manager or
// the metadata server (gcloud's emulators are Pub/Sub, Datastore, Firestore,
// Bigtable and Spanner): there is none to start.
import { defineHandler, outcomeOf } from 'faasade'
import { secrets, SecretAccessDeniedError, SecretInvalidError, SecretNotFoundError, SecretUnavailableError } from 'faasade/secrets'
import { fromGcpSecretManager } from 'faasade/secrets/gcp'
import fc from 'fast-check'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import * as z from 'zod'
import { crc32c } from '../../src/secrets/providers/crc32c.js'
import { clock, run } from './helpers/run.js'
import { startServer, type LocalServer, type Recorded, type Reply } from './helpers/server.js'

const TOKEN_PATH = '/computeMetadata/v1/instance/service-accounts/default/token'
const payloads = new Map<string, { data: Uint8Array; crc?: string }>()
const failures = new Map<string, Reply>()
let tokenNumber = 0
let server: LocalServer
const env = { ...process.env }

function rpcError(code: number, status: string, message: string): Reply {
  return { status: code, headers: { 'content-type': 'application/json; charset=UTF-8' }, body: { error: { code, message, status } } }
}

function google(req: Recorded): Reply {
  if (req.url.pathname === TOKEN_PATH) {
    if (req.headers['metadata-flavor'] !== 'Google') return { status: 403, body: 'Missing Metadata-Flavor:Google header.' }
    tokenNumber++
    return { headers: { 'content-type': 'application/json', 'metadata-flavor': 'Google' }, body: { access_token: `ya29.token-${tokenNumber}`, expires_in: 3599, token_type: 'Bearer' } }
  }
  const match = /^\/v1\/(projects\/[^/]+\/secrets\/[^/]+\/versions\/[^/:]+):access$/.exec(req.url.pathname)
  if (!match) return rpcError(404, 'NOT_FOUND', 'unknown path')
  if (!String(req.headers.authorization).startsWith('Bearer ya29.token-')) return rpcError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.')
  const name = match[1]!
  const failure = failures.get(name)
  if (failure) return failure
  const payload = payloads.get(name)
  if (!payload) return rpcError(404, 'NOT_FOUND', `Secret [${name}] not found or has no versions.`)
  return { headers: { 'content-type': 'application/json; charset=UTF-8' }, body: { name: name.replace('latest', '7'), payload: { data: Buffer.from(payload.data).toString('base64'), dataCrc32c: payload.crc ?? String(crc32c(payload.data)) } } }
}

const enc = (s: string) => new TextEncoder().encode(s)

beforeAll(async () => {
  server = await startServer(google)
  process.env.GCE_METADATA_HOST = server.url.replace('http://', '')
  process.env.GOOGLE_CLOUD_PROJECT = 'my-project'
})
afterAll(async () => {
  process.env = env
  await server.close()
})
beforeEach(() => {
  server.reset()
  payloads.clear()
  failures.clear()
  payloads.set('projects/my-project/secrets/stripe/versions/latest', { data: enc('{"apiKey":"sk_live_gcp_424242"}') })
  payloads.set('projects/my-project/secrets/cert/versions/3', { data: new Uint8Array([0xff, 0x00, 0x80]) })
})

describe('crc32c', () => {
  it('matches the published check value and the payloads the fake sends', () => {
    expect(crc32c(enc('123456789'))).toBe(0xe3069283)
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa) // RFC 3720 B.4: 32 bytes of zeros
    fc.assert(fc.property(fc.uint8Array(), (bytes) => crc32c(bytes) >>> 0 === crc32c(bytes)))
  })
})

describe('fromGcpSecretManager', () => {
  it('gets a token from the metadata server once and the secret once per TTL window', async () => {
    const time = clock()
    const handler = defineHandler({
      use: [secrets({ stripe: fromGcpSecretManager('stripe', { json: true, schema: z.object({ apiKey: z.string() }), endpoint: server.url }) }, { ttl: 1_000, now: time.now })],
      handle: (_e, ctx) => ctx.secrets.stripe.value.apiKey,
    })
    expect((await run(handler)).result).toBe('sk_live_gcp_424242')
    time.advance(999)
    await run(handler)
    expect(server.count(/:access$/)).toBe(1)
    time.advance(1)
    await run(handler)
    expect(server.count(/:access$/)).toBe(2)
    expect(server.requests.find((r) => r.url.pathname.endsWith(':access'))!.headers.authorization).toMatch(/^Bearer ya29\.token-\d+$/)
    expect(server.count(TOKEN_PATH)).toBeLessThanOrEqual(1)
  })

  it('makes ONE access call for 100 concurrent first uses', async () => {
    const handler = defineHandler({ use: [secrets({ s: fromGcpSecretManager('projects/my-project/secrets/stripe/versions/latest', { endpoint: server.url }) })], handle: (_e, ctx) => ctx.secrets.s.value })
    const all = await Promise.all(Array.from({ length: 100 }, () => run(handler)))
    expect(all.every((r) => r.result === '{"apiKey":"sk_live_gcp_424242"}')).toBe(true)
    expect(server.count(/:access$/)).toBe(1)
  })

  it('keeps bytes with binary: true, and refuses non-UTF-8 bytes as text', async () => {
    const bin = defineHandler({ use: [secrets({ c: fromGcpSecretManager('projects/my-project/secrets/cert/versions/3', { binary: true, endpoint: server.url }) })], handle: (_e, ctx) => Array.from(ctx.secrets.c.value) })
    expect((await run(bin)).result).toEqual([0xff, 0x00, 0x80])
    const text = defineHandler({ use: [secrets({ c: fromGcpSecretManager('projects/my-project/secrets/cert/versions/3', { endpoint: server.url }) })], handle: () => 'ran' })
    expect((await run(text)).error).toBeInstanceOf(SecretInvalidError)
  })

  it('rejects a payload whose CRC32C does not match (retryable)', async () => {
    payloads.set('projects/my-project/secrets/damaged/versions/latest', { data: enc('damaged-value-1234'), crc: '12345' })
    const { error } = await run(defineHandler({ use: [secrets({ d: fromGcpSecretManager('damaged', { endpoint: server.url }) })], handle: () => 'ran' }))
    expect(error).toBeInstanceOf(SecretUnavailableError)
    expect((error as Error).message).toMatch(/CRC32C/)
  })

  it('maps NOT_FOUND, PERMISSION_DENIED, RESOURCE_EXHAUSTED and 503', async () => {
    const make = (name: string) => defineHandler({ use: [secrets({ s: fromGcpSecretManager(name, { endpoint: server.url }) })], handle: () => 'ran' })
    const missing = await run(make('nope'))
    expect(missing.error).toBeInstanceOf(SecretNotFoundError)
    expect((missing.error as Error).message).toContain('nope')
    failures.set('projects/my-project/secrets/locked/versions/latest', rpcError(403, 'PERMISSION_DENIED', "Permission 'secretmanager.versions.access' denied"))
    const denied = await run(make('locked'))
    expect(denied.error).toBeInstanceOf(SecretAccessDeniedError)
    failures.set('projects/my-project/secrets/busy/versions/latest', { ...rpcError(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded'), headers: { 'retry-after': '2', 'content-type': 'application/json' } })
    const busy = await run(make('busy'))
    expect(busy.error).toBeInstanceOf(SecretUnavailableError)
    expect(outcomeOf(busy.error)).toMatchObject({ kind: 'retry', retryAfterMs: 2000 })
    failures.set('projects/my-project/secrets/down/versions/latest', rpcError(503, 'UNAVAILABLE', 'The service is currently unavailable.'))
    expect((await run(make('down'))).error).toBeInstanceOf(SecretUnavailableError)
  })

  it('drops the token after a 401 so that the next fetch gets a new one', async () => {
    const time = clock()
    failures.set('projects/my-project/secrets/stripe/versions/latest', rpcError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.'))
    const handler = defineHandler({ use: [secrets({ s: fromGcpSecretManager('stripe', { endpoint: server.url, tokenUrl: `${server.url}${TOKEN_PATH}?fresh=1` }) }, { now: time.now })], handle: (_e, ctx) => ctx.secrets.s.value })
    const first = await run(handler)
    expect(first.error).toBeInstanceOf(SecretUnavailableError)
    failures.clear()
    expect((await run(handler)).result).toContain('sk_live_gcp_424242')
    expect(server.count(TOKEN_PATH)).toBe(2)
  })

  it('rejects malformed names at definition time', () => {
    expect(() => fromGcpSecretManager('projects/p/secrets/s')).toThrow(/projects\/\*\/secrets\/\*\/versions\/\*/)
    expect(() => fromGcpSecretManager('a/b')).toThrow(/neither/)
    expect(() => fromGcpSecretManager('projects/p/secrets/s/versions/1', { version: '2' })).toThrow(/short names only/)
  })
})
