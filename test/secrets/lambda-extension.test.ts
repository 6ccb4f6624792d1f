// fromLambdaExtension against a local server that keeps the Parameters and
// Secrets Lambda Extension's contract: GET /secretsmanager/get?secretId=…,
// the X-Aws-Parameters-Secrets-Token header carrying AWS_SESSION_TOKEN, the
// port from PARAMETERS_SECRETS_EXTENSION_HTTP_PORT, GetSecretValue JSON back.
// The error bodies follow what the extension is reported to send (the SDK
// error text with a 400); AWS documents no exact error format for it.
// Why a fake and not an emulator: the extension is a Lambda layer that runs
// only inside Lambda's execution environment; AWS ships no local emulator of
// it: there is none to start.
import { defineHandler, outcomeOf } from 'faasade'
import { secrets, SecretAccessDeniedError, SecretNotFoundError, SecretUnavailableError } from 'faasade/secrets'
import { fromLambdaExtension } from 'faasade/secrets/lambda-extension'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import * as z from 'zod'
import { clock, run } from './helpers/run.js'
import { startServer, type LocalServer, type Recorded, type Reply } from './helpers/server.js'

const TOKEN = 'IQoJb3JpZ2luX2VjEXAMPLE-session-token'
const values = new Map<string, string>()
const failures = new Map<string, Reply>()
let server: LocalServer
const env = { ...process.env }

function extension(req: Recorded): Reply {
  if (req.headers['x-aws-parameters-secrets-token'] !== TOKEN) return { status: 401, body: 'Unauthorized: missing or invalid X-Aws-Parameters-Secrets-Token' }
  if (req.method !== 'GET' || req.url.pathname !== '/secretsmanager/get') return { status: 404, body: 'not found' }
  const id = req.url.searchParams.get('secretId') ?? ''
  const failure = failures.get(id)
  if (failure) return failure
  const value = values.get(id)
  if (value === undefined) return { status: 400, body: "ResourceNotFoundException: Secrets Manager can't find the specified secret." }
  return {
    headers: { 'content-type': 'application/json' },
    body: { ARN: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${id}-AbCdEf`, Name: id, SecretString: value, VersionId: 'v-1', VersionStages: [req.url.searchParams.get('versionStage') ?? 'AWSCURRENT'], CreatedDate: '2024-01-01T00:00:00.000Z' },
  }
}

beforeAll(async () => {
  server = await startServer(extension)
  process.env.AWS_SESSION_TOKEN = TOKEN
  process.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT = String(server.port)
})
afterAll(async () => {
  process.env = env
  await server.close()
})
beforeEach(() => {
  server.reset()
  values.clear()
  failures.clear()
  values.set('prod/stripe', JSON.stringify({ apiKey: 'sk_live_ext_000111' }))
})

describe('fromLambdaExtension', () => {
  it('reaches the extension on the port from PARAMETERS_SECRETS_EXTENSION_HTTP_PORT with the token header, once per TTL window', async () => {
    const time = clock()
    const handler = defineHandler({
      use: [secrets({ stripe: fromLambdaExtension('prod/stripe', { json: true, schema: z.object({ apiKey: z.string() }), versionStage: 'AWSCURRENT' }) }, { ttl: 1_000, now: time.now })],
      handle: (_e, ctx) => ctx.secrets.stripe.value.apiKey,
    })
    expect((await run(handler)).result).toBe('sk_live_ext_000111')
    const req = server.requests[0]!
    expect(req.url.searchParams.get('secretId')).toBe('prod/stripe')
    expect(req.url.searchParams.get('versionStage')).toBe('AWSCURRENT')
    await run(handler)
    time.advance(999)
    await run(handler)
    expect(server.count('/secretsmanager/get')).toBe(1)
    time.advance(1)
    await run(handler)
    expect(server.count('/secretsmanager/get')).toBe(2)
  })

  it('makes ONE call for 100 concurrent first uses', async () => {
    const handler = defineHandler({ use: [secrets({ s: fromLambdaExtension('prod/stripe', { json: true }) })], handle: (_e, ctx) => ctx.secrets.s.value })
    const all = await Promise.all(Array.from({ length: 100 }, () => run(handler)))
    expect(all.every((r) => JSON.stringify(r.result) === '{"apiKey":"sk_live_ext_000111"}')).toBe(true)
    expect(server.count('/secretsmanager/get')).toBe(1)
  })

  it('maps the extension errors: not found permanent, throttling and not-ready retryable, a refused token permanent', async () => {
    const make = (id: string) => defineHandler({ use: [secrets({ s: fromLambdaExtension(id) })], handle: () => 'ran' })
    const missing = await run(make('prod/missing'))
    expect(missing.error).toBeInstanceOf(SecretNotFoundError)
    expect((missing.error as Error).message).toContain('prod/missing')
    failures.set('throttled', { status: 400, body: 'ThrottlingException: Rate exceeded' })
    expect((await run(make('throttled'))).error).toBeInstanceOf(SecretUnavailableError)
    failures.set('early', { status: 400, body: 'extension is not ready' })
    const early = await run(make('early'))
    expect(early.error).toBeInstanceOf(SecretUnavailableError)
    expect(outcomeOf(early.error).kind).toBe('retry')
    process.env.AWS_SESSION_TOKEN = 'a-different-token'
    try {
      const refused = await run(make('prod/stripe'))
      expect(refused.error).toBeInstanceOf(SecretAccessDeniedError)
      expect(outcomeOf(refused.error).kind).toBe('retry')
    } finally {
      process.env.AWS_SESSION_TOKEN = TOKEN
    }
  })

  it('refuses to call without AWS_SESSION_TOKEN, naming the secret', async () => {
    delete process.env.AWS_SESSION_TOKEN
    try {
      const { error } = await run(defineHandler({ use: [secrets({ s: fromLambdaExtension('prod/stripe') })], handle: () => 'ran' }))
      expect(error).toBeInstanceOf(SecretAccessDeniedError)
      expect((error as Error).message).toMatch(/prod\/stripe.*AWS_SESSION_TOKEN/)
      expect(server.count('/secretsmanager/get')).toBe(0)
    } finally {
      process.env.AWS_SESSION_TOKEN = TOKEN
    }
  })

  it('is never prefetched (the extension refuses calls made during init)', async () => {
    secrets({ s: fromLambdaExtension('prod/stripe') }, { prefetch: true })
    await new Promise((r) => setTimeout(r, 20))
    expect(server.count('/secretsmanager/get')).toBe(0)
  })
})
