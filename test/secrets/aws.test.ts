// fromAwsSecretsManager over both transports against a local endpoint that
// speaks the Secrets Manager JSON 1.1 protocol: the fetch transport (aws4fetch
// SigV4), the real @aws-sdk/client-secrets-manager client injected, and the
// one the provider creates by dynamic import.
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { defineHandler, outcomeOf } from 'faasade'
import { secrets, SecretAccessDeniedError, SecretInvalidError, SecretNotFoundError, SecretUnavailableError } from 'faasade/secrets'
import { fromAwsSecretsManager, type AwsSecretsManagerOptions } from 'faasade/secrets/aws'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import * as z from 'zod'
import { clock, run } from './helpers/run.js'
import { secretsManager, type Stored } from './helpers/secrets-manager.js'
import { startServer, type LocalServer } from './helpers/server.js'

const store = new Map<string, Stored>()
let server: LocalServer
const env = { ...process.env }

beforeAll(async () => {
  server = await startServer(secretsManager(store))
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'secret-test-key', AWS_SESSION_TOKEN: 'session-test-token', AWS_REGION: 'us-east-1' })
})
afterAll(async () => {
  process.env = env
  await server.close()
})
beforeEach(() => {
  server.reset()
  store.clear()
  store.set('prod/stripe', { string: JSON.stringify({ apiKey: 'sk_live_stripe_0001', webhookSecret: 'whsec_0002' }) })
  store.set('prod/db', { string: 'postgres://app:pa55word-db@db.internal/app' })
  store.set('prod/cert', { binary: new Uint8Array([0, 1, 2, 250, 251, 252]) })
  store.set('throttled', { error: 'ThrottlingException', message: 'Rate exceeded' })
  store.set('denied', { error: 'AccessDeniedException', message: 'User: arn:aws:sts::123456789012:assumed-role/fn is not authorized to perform: secretsmanager:GetSecretValue' })
  store.set('broken', { error: 'InternalServiceError', status: 500, message: 'An error occurred on the server side.' })
})

const transports: Array<[string, () => AwsSecretsManagerOptions]> = [
  ['fetch transport (aws4fetch)', () => ({ transport: 'fetch', endpoint: server.url })],
  ['SDK transport, injected client', () => ({
    client: new SecretsManagerClient({ region: 'us-east-1', endpoint: server.url, maxAttempts: 1, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret-test-key', sessionToken: 's' } }),
  })],
  ['SDK transport, client made by dynamic import', () => ({ transport: 'sdk', endpoint: server.url })],
]

const Stripe = z.object({ apiKey: z.string().startsWith('sk_'), webhookSecret: z.string() })

describe.each(transports)('%s', (_name, options) => {
  it('loads typed secrets and calls the service once per TTL window', async () => {
    const time = clock()
    const handler = defineHandler({
      use: [secrets({
        stripe: fromAwsSecretsManager('prod/stripe', { ...options(), json: true, schema: Stripe }),
        db: fromAwsSecretsManager('prod/db', options()),
      }, { ttl: 60_000, now: time.now })],
      handle: (_e, ctx) => ({ key: ctx.secrets.stripe.value.apiKey, db: ctx.secrets.db.value }),
    })
    const first = await run(handler)
    expect(first.result).toEqual({ key: 'sk_live_stripe_0001', db: 'postgres://app:pa55word-db@db.internal/app' })
    expect(server.count('/')).toBe(2)
    const wire = server.requests[0]!
    expect(wire.headers['x-amz-target']).toBe('secretsmanager.GetSecretValue')
    expect(wire.headers['x-amz-security-token']).toBeDefined()
    expect(JSON.parse(wire.body)).toHaveProperty('SecretId')

    time.advance(59_999)
    await run(handler)
    expect(server.count('/')).toBe(2)
    time.advance(1)
    await run(handler)
    expect(server.count('/')).toBe(4)
  })

  it('makes ONE call for 100 concurrent first uses', async () => {
    const handler = defineHandler({
      use: [secrets({ db: fromAwsSecretsManager('prod/db', options()) })],
      handle: (_e, ctx) => ctx.secrets.db.value,
    })
    const results = await Promise.all(Array.from({ length: 100 }, () => run(handler)))
    expect(results.every((r) => r.result === 'postgres://app:pa55word-db@db.internal/app')).toBe(true)
    expect(server.count('/')).toBe(1)
  })

  it('returns SecretBinary as bytes with binary: true', async () => {
    const handler = defineHandler({
      use: [secrets({ cert: fromAwsSecretsManager('prod/cert', { ...options(), binary: true }) })],
      handle: (_e, ctx) => Array.from(ctx.secrets.cert.value),
    })
    expect((await run(handler)).result).toEqual([0, 1, 2, 250, 251, 252])
  })

  it('maps ResourceNotFoundException to a deployment fault (retried) naming the secret, and never caches it', async () => {
    const handler = defineHandler({ use: [secrets({ x: fromAwsSecretsManager('prod/missing', options()) })], handle: () => 'ran' })
    const first = await run(handler)
    expect(first.error).toBeInstanceOf(SecretNotFoundError)
    expect((first.error as Error).message).toContain('prod/missing')
    expect((first.error as Error).message).toContain('ResourceNotFoundException')
    expect(outcomeOf(first.error).kind).toBe('retry')
    store.set('prod/missing', { string: 'now-it-exists' })
    expect((await run(handler)).result).toBe('ran')
    expect(server.count('/')).toBe(2)
  })

  it('maps ThrottlingException and 5xx to retryable errors, AccessDenied to a deployment fault (retried too)', async () => {
    const make = (id: string) => defineHandler({ use: [secrets({ x: fromAwsSecretsManager(id, options()) })], handle: () => 'ran' })
    const throttled = await run(make('throttled'))
    expect(throttled.error).toBeInstanceOf(SecretUnavailableError)
    expect((throttled.error as Error).message).toContain('ThrottlingException')
    expect(outcomeOf(throttled.error).kind).toBe('retry')
    const broken = await run(make('broken'))
    expect(broken.error).toBeInstanceOf(SecretUnavailableError)
    const denied = await run(make('denied'))
    expect(denied.error).toBeInstanceOf(SecretAccessDeniedError)
    expect(outcomeOf(denied.error).kind).toBe('retry')
  })

  it('serves the last good value while refreshes fail, logs it, and stops at maxAge', async () => {
    const time = clock()
    const handler = defineHandler({
      use: [secrets({ db: fromAwsSecretsManager('prod/db', options()) }, { ttl: 1_000, maxAge: 10_000, now: time.now })],
      handle: (_e, ctx) => ctx.secrets.db.value,
    })
    expect((await run(handler)).result).toContain('postgres://')
    store.set('prod/db', { error: 'ThrottlingException', message: 'Rate exceeded' })
    time.advance(5_000)
    const stale = await run(handler)
    expect(stale.result).toContain('postgres://')
    expect(stale.logs).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'secret refresh failed; serving the last good value', secret: 'db' }))
    time.advance(5_000)
    expect((await run(handler)).error).toBeInstanceOf(SecretUnavailableError)
  })

  it('fails a JSON secret that does not match its schema with a permanent error that hides the value', async () => {
    store.set('prod/stripe', { string: JSON.stringify({ apiKey: 'pk_wrong_prefix_9999', webhookSecret: 'whsec_0002' }) })
    const handler = defineHandler({ use: [secrets({ s: fromAwsSecretsManager('prod/stripe', { ...options(), json: true, schema: Stripe }) })], handle: () => 'ran' })
    const { error } = await run(handler)
    expect(error).toBeInstanceOf(SecretInvalidError)
    expect((error as SecretInvalidError).paths).toEqual(['apiKey'])
    expect(JSON.stringify(error) + String(error) + (error as Error).stack).not.toContain('pk_wrong_prefix_9999')
  })

  it('expires the cache at the next rotation date with expireAtRotation', async () => {
    const time = clock()
    store.set('rotating', { string: 'v1-rotating-value', nextRotation: time.now() + 10_000 })
    const handler = defineHandler({
      use: [secrets({ r: fromAwsSecretsManager('rotating', { ...options(), expireAtRotation: true }) }, { now: time.now })],
      handle: (_e, ctx) => ctx.secrets.r.value,
    })
    expect((await run(handler)).result).toBe('v1-rotating-value')
    const calls = server.count('/')
    expect(server.requests.map((r) => r.headers['x-amz-target']).sort()).toEqual(['secretsmanager.DescribeSecret', 'secretsmanager.GetSecretValue'])
    store.set('rotating', { string: 'v2-rotating-value', nextRotation: time.now() + 1_000_000 })
    time.advance(9_999)
    expect((await run(handler)).result).toBe('v1-rotating-value')
    time.advance(1)
    expect((await run(handler)).result).toBe('v2-rotating-value')
    expect(server.count('/')).toBe(calls * 2)
  })
})

describe('fetch transport configuration', () => {
  it('is a permanent error naming the secret when there are no credentials', async () => {
    const saved = process.env.AWS_ACCESS_KEY_ID
    delete process.env.AWS_ACCESS_KEY_ID
    try {
      const handler = defineHandler({ use: [secrets({ x: fromAwsSecretsManager('prod/db', { transport: 'fetch', endpoint: server.url }) })], handle: () => 'ran' })
      const { error } = await run(handler)
      expect(error).toBeInstanceOf(SecretAccessDeniedError)
      expect((error as Error).message).toMatch(/prod\/db.*no AWS credentials/)
      expect(server.count('/')).toBe(0)
    } finally {
      process.env.AWS_ACCESS_KEY_ID = saved
    }
  })

  it('is a retryable error when the endpoint does not answer', async () => {
    const dead = await startServer(() => ({}))
    const url = dead.url
    await dead.close()
    const handler = defineHandler({ use: [secrets({ x: fromAwsSecretsManager('prod/db', { endpoint: url }) })], handle: () => 'ran' })
    const { error } = await run(handler)
    expect(error).toBeInstanceOf(SecretUnavailableError)
    expect((error as Error).message).toContain('ECONNREFUSED')
  })

  it('rejects bad options when the provider is defined', () => {
    expect(() => fromAwsSecretsManager('x', { versionId: 'a', versionStage: 'AWSCURRENT' })).toThrow(/exclude each other/)
    // @ts-expect-error: a typo is a compile error and a definition-time error
    expect(() => fromAwsSecretsManager('x', { jsn: true })).toThrow(/unknown option "jsn" \(did you mean "json"\?\)/)
    // @ts-expect-error: not a transport
    expect(() => fromAwsSecretsManager('x', { transport: 'http' })).toThrow(/transport/)
    expect(() => fromAwsSecretsManager('')).toThrow(/non-empty/)
  })
})
