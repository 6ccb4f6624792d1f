// fromAwsSecretsManager over both transports against a local endpoint that
// speaks the Secrets Manager JSON 1.1 protocol: the fetch transport (aws4fetch
// SigV4), the real @aws-sdk/client-secrets-manager client injected, and the
// one the provider creates by dynamic import.
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { AwsClient } from 'aws4fetch'
import { defineHandler, outcomeOf } from 'faasade'
import { secrets, SecretAccessDeniedError, SecretInvalidError, SecretNotFoundError, SecretUnavailableError } from 'faasade/secrets'
import { fromAwsSecretsManager, type AwsSecretsManagerOptions } from 'faasade/secrets/aws'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import * as z from 'zod'
import { clock, run } from './helpers/run.js'
import { secretsManager, TEST_KEY, type Stored } from './helpers/secrets-manager.js'
import { startServer, type LocalServer, type Recorded } from './helpers/server.js'
import { verifySigV4 } from './helpers/sigv4.js'

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

// Each transport, and the session token its requests must carry (AWS_SESSION_TOKEN, or the injected client's).
const transports: Array<[string, () => AwsSecretsManagerOptions, string]> = [
  ['fetch transport (aws4fetch)', () => ({ transport: 'fetch', endpoint: server.url }), 'session-test-token'],
  ['SDK transport, injected client', () => ({
    client: new SecretsManagerClient({ region: 'us-east-1', endpoint: server.url, maxAttempts: 1, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret-test-key', sessionToken: 's' } }),
  }), 's'],
  ['SDK transport, client made by dynamic import', () => ({ transport: 'sdk', endpoint: server.url }), 'session-test-token'],
]

const Stripe = z.object({ apiKey: z.string().startsWith('sk_'), webhookSecret: z.string() })

describe.each(transports)('%s', (_name, options, sessionToken) => {
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
    expect(wire.headers['x-amz-security-token']).toBe(sessionToken)
    expect(String(wire.headers.authorization)).toMatch(/SignedHeaders=[a-z0-9;-]*x-amz-security-token/)
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

describe('the local Secrets Manager checks SigV4 signatures, as the service does', () => {
  const wrongKey = { accessKeyId: 'AKIDTEST', secretAccessKey: 'not-the-secret-test-key', sessionToken: 'session-test-token' }

  it.each<[string, () => AwsSecretsManagerOptions]>([
    ['fetch transport', () => ({ transport: 'fetch', endpoint: server.url, credentials: wrongKey })],
    ['SDK transport', () => ({ client: new SecretsManagerClient({ region: 'us-east-1', endpoint: server.url, maxAttempts: 1, credentials: wrongKey }) })],
  ])('refuses a request signed with a wrong secret key (%s): InvalidSignatureException, a denied secret', async (_name, options) => {
    const handler = defineHandler({ use: [secrets({ db: fromAwsSecretsManager('prod/db', options()) })], handle: () => 'ran' })
    const { result, error } = await run(handler)
    expect(result).toBeUndefined()
    expect(error).toBeInstanceOf(SecretAccessDeniedError)
    expect((error as Error).message).toContain('InvalidSignatureException')
    // It reached the server, which refused it: not a request that never left.
    expect(server.count('/')).toBe(1)
  })

  it('accepts the same request signed with the right key', async () => {
    const handler = defineHandler({
      use: [secrets({ db: fromAwsSecretsManager('prod/db', { transport: 'fetch', endpoint: server.url, credentials: { ...wrongKey, secretAccessKey: TEST_KEY.secretAccessKey } }) })],
      handle: (_e, ctx) => ctx.secrets.db.value,
    })
    expect((await run(handler)).result).toBe('postgres://app:pa55word-db@db.internal/app')
  })

  const signed = async (init: { body: string; secretAccessKey?: string }): Promise<Recorded> => {
    const request = await new AwsClient({ accessKeyId: 'AKIDTEST', secretAccessKey: init.secretAccessKey ?? TEST_KEY.secretAccessKey, sessionToken: 't', service: 'secretsmanager', region: 'us-east-1' })
      .sign('http://127.0.0.1:9/', { method: 'POST', headers: { 'X-Amz-Target': 'secretsmanager.GetSecretValue', 'Content-Type': 'application/x-amz-json-1.1' }, body: init.body })
    const headers: Record<string, string> = { host: '127.0.0.1:9' }
    request.headers.forEach((value, name) => (headers[name] = value))
    return { method: 'POST', url: new URL('http://127.0.0.1:9/'), headers, body: await request.text() }
  }
  const expectation = { keys: [TEST_KEY], region: 'us-east-1', service: 'secretsmanager' }

  it('refuses a request changed after it was signed, or with a signature scoped elsewhere, or an unknown key', async () => {
    expect(verifySigV4(await signed({ body: '{"SecretId":"prod/db"}' }), expectation)).toBeUndefined()
    const tampered = await signed({ body: '{"SecretId":"prod/db"}' })
    expect(verifySigV4({ ...tampered, body: '{"SecretId":"prod/stripe"}' }, expectation)?.code).toBe('InvalidSignatureException')
    expect(verifySigV4({ ...tampered, headers: { ...tampered.headers, 'x-amz-target': 'secretsmanager.DescribeSecret' } }, expectation)?.code).toBe('InvalidSignatureException')
    expect(verifySigV4({ ...tampered, headers: { ...tampered.headers, 'x-amz-security-token': 'another' } }, expectation)?.code).toBe('InvalidSignatureException')
    expect(verifySigV4(await signed({ body: '{}', secretAccessKey: 'wrong' }), expectation)?.code).toBe('InvalidSignatureException')
    expect(verifySigV4(tampered, { ...expectation, region: 'eu-west-1' })?.code).toBe('InvalidSignatureException')
    expect(verifySigV4(tampered, { ...expectation, keys: [{ accessKeyId: 'AKIDOTHER', secretAccessKey: TEST_KEY.secretAccessKey }] })?.code).toBe('UnrecognizedClientException')
    expect(verifySigV4(tampered, { ...expectation, now: () => Date.now() + 6 * 60_000 })?.message).toMatch(/^Signature expired/)
    const { authorization: _none, ...unsigned } = tampered.headers
    expect(verifySigV4({ ...tampered, headers: unsigned }, expectation)?.code).toBe('MissingAuthenticationTokenException')
  })

  it('computes the signature of the AWS SigV4 test suite (get-vanilla)', () => {
    // aws-sig-v4-test-suite, get-vanilla: its example key, date, region and service.
    const request: Recorded = {
      method: 'GET',
      url: new URL('http://example.amazonaws.com/'),
      headers: {
        host: 'example.amazonaws.com',
        'x-amz-date': '20150830T123600Z',
        authorization: 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
      },
      body: '',
    }
    const suite = { keys: [{ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }], region: 'us-east-1', service: 'service', now: () => Date.UTC(2015, 7, 30, 12, 36) }
    expect(verifySigV4(request, suite)).toBeUndefined()
    expect(verifySigV4(request, { ...suite, keys: [{ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEz' }] })?.code).toBe('InvalidSignatureException')
  })
})
