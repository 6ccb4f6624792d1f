// fromGcpParameter against one local server playing both the metadata
// server (token endpoint, Metadata-Flavor: Google) and the Parameter Manager
// REST API (GET /v1/projects/*/locations/*/parameters/*/versions/*:render,
// base64 payload and renderedPayload, google.rpc.Status errors).
// Why a fake and not an emulator: Google ships none for Parameter Manager
// or the metadata server (gcloud's emulators are Pub/Sub, Datastore,
// Firestore, Bigtable and Spanner): there is none to start.
import { defineHandler, outcomeOf } from 'faasade'
import { secrets, SecretAccessDeniedError, SecretInvalidError, SecretNotFoundError, SecretUnavailableError } from 'faasade/secrets'
import { fromGcpParameter } from 'faasade/secrets/gcp-parameters'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import * as z from 'zod'
import { clock, run } from './helpers/run.js'
import { startServer, type LocalServer, type Recorded, type Reply } from './helpers/server.js'

const TOKEN_PATH = '/computeMetadata/v1/instance/service-accounts/default/token'
/** By version name: the payload as stored, and what rendering makes of it (secret references substituted). */
const versions = new Map<string, { data: string; rendered?: string }>()
const failures = new Map<string, Reply>()
let tokenNumber = 0
/** Tokens numbered below this are refused (revoked). */
let validFrom = 0
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
  const match = /^\/v1\/(projects\/[^/]+\/locations\/[^/]+\/parameters\/[^/]+\/versions\/[^/:]+):render$/.exec(req.url.pathname)
  if (!match || req.method !== 'GET') return rpcError(404, 'NOT_FOUND', 'unknown path')
  const auth = String(req.headers.authorization)
  if (!auth.startsWith('Bearer ya29.token-') || Number(auth.slice('Bearer ya29.token-'.length)) < validFrom) return rpcError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.')
  const name = match[1]!
  const failure = failures.get(name)
  if (failure) return failure
  const version = versions.get(name)
  if (!version) return rpcError(404, 'NOT_FOUND', `ParameterVersion [${name}] not found.`)
  const b64 = (s: string) => Buffer.from(s).toString('base64')
  return {
    headers: { 'content-type': 'application/json; charset=UTF-8' },
    body: { parameterVersion: name, payload: { data: b64(version.data) }, renderedPayload: b64(version.rendered ?? version.data) },
  }
}

const V3 = 'projects/my-project/locations/global/parameters/orders/versions/v3'

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
  versions.clear()
  failures.clear()
  validFrom = 0
  versions.set(V3, {
    data: JSON.stringify({ table: 'orders', apiKey: '__REF__("//secretmanager.googleapis.com/projects/my-project/secrets/api/versions/1")' }),
    rendered: JSON.stringify({ table: 'orders', apiKey: 'gpm-rendered-secret-5150' }),
  })
})

const Config = z.object({ table: z.string(), apiKey: z.string() })
const endpoint = () => ({ endpoint: server.url })

describe('fromGcpParameter', () => {
  it('renders a version (secret references substituted) with a metadata token, once per TTL window', async () => {
    const time = clock()
    const handler = defineHandler({
      use: [secrets({ config: fromGcpParameter('orders', { ...endpoint(), version: 'v3', json: true, schema: Config }) }, { ttl: 60_000, now: time.now })],
      handle: (_e, ctx) => ctx.secrets.config.value,
    })
    expect((await run(handler)).result).toEqual({ table: 'orders', apiKey: 'gpm-rendered-secret-5150' })
    expect(server.count(TOKEN_PATH)).toBe(1)
    expect(server.count(`/v1/${V3}:render`)).toBe(1)
    time.advance(60_000)
    await run(handler)
    expect(server.count(`/v1/${V3}:render`)).toBe(2)
    expect(server.count(TOKEN_PATH)).toBe(1)
  })

  it('takes a full version name, and scrubs the rendered value from log lines', async () => {
    const handler = defineHandler({
      use: [secrets({ config: fromGcpParameter(V3, { ...endpoint(), json: true, schema: Config }) })],
      handle: (_e, ctx) => ctx.log.info('config', { key: ctx.secrets.config.value.apiKey }),
    })
    const { logs, error } = await run(handler)
    expect(error).toBeUndefined()
    expect(JSON.stringify(logs)).not.toContain('gpm-rendered-secret-5150')
  })

  it('maps NOT_FOUND to a deployment fault naming the parameter, PERMISSION_DENIED to denied', async () => {
    const missing = (await run(defineHandler({ use: [secrets({ x: fromGcpParameter('orders', { ...endpoint(), version: 'v9' }) })], handle: () => 'ran' }))).error
    expect(missing).toBeInstanceOf(SecretNotFoundError)
    expect((missing as Error).message).toContain('orders')
    expect(outcomeOf(missing).kind).toBe('retry')
    failures.set(V3, rpcError(403, 'PERMISSION_DENIED', "Permission 'parametermanager.parameterVersions.render' denied"))
    expect((await run(defineHandler({ use: [secrets({ x: fromGcpParameter(V3, endpoint()) })], handle: () => 'ran' }))).error).toBeInstanceOf(SecretAccessDeniedError)
  })

  it('maps RESOURCE_EXHAUSTED and a 500 to retryable errors, and takes a new token after a 401', async () => {
    const provider = fromGcpParameter(V3, endpoint())
    failures.set(V3, rpcError(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded'))
    expect(await provider.load({ provider: undefined }).catch((e: unknown) => e)).toBeInstanceOf(SecretUnavailableError)
    failures.set(V3, rpcError(500, 'INTERNAL', 'Internal error'))
    expect(await provider.load({ provider: undefined }).catch((e: unknown) => e)).toBeInstanceOf(SecretUnavailableError)
    failures.clear()
    await provider.load({ provider: undefined })
    const tokensBefore = server.count(TOKEN_PATH)
    validFrom = tokenNumber + 1
    const first = await provider.load({ provider: undefined }).catch((e: unknown) => e)
    expect(first).toBeInstanceOf(SecretUnavailableError)
    expect((await provider.load({ provider: undefined })).value).toContain('gpm-rendered-secret-5150')
    expect(server.count(TOKEN_PATH)).toBe(tokensBefore + 1)
  })

  it('fails a value that does not match its schema without showing it', async () => {
    const { error } = await run(defineHandler({ use: [secrets({ x: fromGcpParameter(V3, { ...endpoint(), json: true, schema: z.object({ table: z.number() }) }) })], handle: () => 'ran' }))
    expect(error).toBeInstanceOf(SecretInvalidError)
    expect(String(error) + (error as Error).stack).not.toContain('gpm-rendered-secret-5150')
  })

  it('is a retryable error when the API refuses connections', async () => {
    const dead = await startServer(() => ({}))
    const url = dead.url
    await dead.close()
    const error = await fromGcpParameter(V3, { endpoint: url, token: async () => 't' }).load({ provider: undefined }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SecretUnavailableError)
    expect((error as Error).message).toContain('ECONNREFUSED')
  })

  it('rejects bad names and options when defined', () => {
    expect(() => fromGcpParameter('orders')).toThrow(/needs its `version`/)
    expect(() => fromGcpParameter('projects/p/parameters/x')).toThrow(/is not projects/)
    expect(() => fromGcpParameter(V3, { version: 'v1' })).toThrow(/short names only/)
    expect(() => fromGcpParameter('a/b', { version: 'v1' })).toThrow(/neither a parameter id/)
    expect(() => fromGcpParameter('orders', { version: 'v1', locaton: 'eu' } as never)).toThrow(/did you mean "location"/)
  })
})
