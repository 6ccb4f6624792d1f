// The Parameter Store providers against a local endpoint that speaks SSM's
// JSON 1.1 protocol and checks SigV4 signatures (helpers/ssm.ts says why a
// fake): one parameter, several by name, a path with pages; and what goes
// wrong: a missing parameter, a denied role, throttling, a 500, a timeout.
import { defineHandler, outcomeOf } from 'faasade'
import { secrets, SecretAccessDeniedError, SecretInvalidError, SecretNotFoundError, SecretUnavailableError } from 'faasade/secrets'
import { fromSsmParameter, fromSsmParameters, fromSsmParametersByPath } from 'faasade/secrets/ssm'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import * as z from 'zod'
import { startHungServer, underGc } from '../support/hung-server.js'
import { clock, run } from './helpers/run.js'
import { TEST_KEY } from './helpers/secrets-manager.js'
import { startServer, type LocalServer } from './helpers/server.js'
import { parameterStore, type SsmLog, type StoredParameter } from './helpers/ssm.js'

const store = new Map<string, StoredParameter>()
const log: SsmLog = { calls: [] }
let server: LocalServer
const env = { ...process.env }
let endpoint: { endpoint: string }

beforeAll(async () => {
  server = await startServer(parameterStore(store, [TEST_KEY], log))
  endpoint = { endpoint: server.url }
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: TEST_KEY.accessKeyId, AWS_SECRET_ACCESS_KEY: TEST_KEY.secretAccessKey, AWS_SESSION_TOKEN: 'session-ssm', AWS_REGION: 'us-east-1' })
})
afterAll(async () => {
  process.env = env
  await server.close()
})
beforeEach(() => {
  server.reset()
  log.calls.splice(0)
  store.clear()
  store.set('/orders/prod/table', { type: 'String', value: 'orders-table-prod' })
  store.set('/orders/prod/db', { type: 'SecureString', value: JSON.stringify({ url: 'postgres://app:ssm-db-pa55@db/app' }) })
  store.set('/orders/prod/regions', { type: 'StringList', value: 'us-east-1,eu-west-1' })
  store.set('/throttled', { error: 'ThrottlingException', message: 'Rate exceeded' })
  store.set('/denied', { error: 'AccessDeniedException', message: 'User: arn:aws:sts::123456789012:assumed-role/fn is not authorized to perform: ssm:GetParameter' })
  store.set('/kms-denied', { error: 'AccessDeniedException', message: 'The ciphertext refers to a customer master key that does not exist or that you cannot use (Service: AWSKMS)' })
  store.set('/broken', { error: 'InternalServerError', status: 500, message: 'An error occurred on the server side.' })
})

const Db = z.object({ url: z.string().startsWith('postgres://') })

describe('fromSsmParameter (GetParameter)', () => {
  it('reads a String and a decrypted SecureString, signed for ssm, once per TTL window', async () => {
    const time = clock()
    const handler = defineHandler({
      use: [secrets({
        table: fromSsmParameter('/orders/prod/table', endpoint),
        db: fromSsmParameter('/orders/prod/db', { ...endpoint, json: true, schema: Db }),
        regions: fromSsmParameter('/orders/prod/regions', endpoint),
      }, { ttl: 60_000, now: time.now })],
      handle: (_e, ctx) => ({ table: ctx.secrets.table.value, db: ctx.secrets.db.value.url, regions: ctx.secrets.regions.value.split(',') }),
    })
    const first = await run(handler)
    expect(first.result).toEqual({ table: 'orders-table-prod', db: 'postgres://app:ssm-db-pa55@db/app', regions: ['us-east-1', 'eu-west-1'] })
    expect(server.count('/')).toBe(3)
    const wire = server.requests[0]!
    expect(wire.headers['x-amz-target']).toBe('AmazonSSM.GetParameter')
    expect(wire.headers['x-amz-security-token']).toBe('session-ssm')
    expect(String(wire.headers.authorization)).toMatch(/\/us-east-1\/ssm\/aws4_request/)
    expect(log.calls.every((c) => c.input.WithDecryption === true)).toBe(true)
    time.advance(59_999)
    await run(handler)
    expect(server.count('/')).toBe(3)
    time.advance(1)
    await run(handler)
    expect(server.count('/')).toBe(6)
  })

  it('leaves a SecureString encrypted with decrypt: false', async () => {
    const handler = defineHandler({ use: [secrets({ db: fromSsmParameter('/orders/prod/db', { ...endpoint, decrypt: false }) })], handle: (_e, ctx) => ctx.secrets.db.value })
    const { result } = await run(handler)
    expect(result).toMatch(/^AQICAH/)
    expect(log.calls[0]!.input.WithDecryption).toBe(false)
  })

  it('maps ParameterNotFound (read from the body, no header) to a deployment fault naming the parameter, never cached', async () => {
    const handler = defineHandler({ use: [secrets({ x: fromSsmParameter('/orders/prod/missing', endpoint) })], handle: () => 'ran' })
    const first = await run(handler)
    expect(first.error).toBeInstanceOf(SecretNotFoundError)
    expect((first.error as Error).message).toContain('/orders/prod/missing')
    expect((first.error as Error).message).toContain('ParameterNotFound')
    expect(outcomeOf(first.error).kind).toBe('retry')
    store.set('/orders/prod/missing', { type: 'String', value: 'now-there' })
    expect((await run(handler)).result).toBe('ran')
  })

  it('maps throttling and a 500 to retryable errors, a denied role or KMS key to a deployment fault', async () => {
    const make = (name: string) => defineHandler({ use: [secrets({ x: fromSsmParameter(name, endpoint) })], handle: () => 'ran' })
    const throttled = (await run(make('/throttled'))).error
    expect(throttled).toBeInstanceOf(SecretUnavailableError)
    expect((throttled as Error).message).toContain('ThrottlingException')
    expect(outcomeOf(throttled).kind).toBe('retry')
    expect((await run(make('/broken'))).error).toBeInstanceOf(SecretUnavailableError)
    const denied = (await run(make('/denied'))).error
    expect(denied).toBeInstanceOf(SecretAccessDeniedError)
    expect(outcomeOf(denied).kind).toBe('retry')
    expect((await run(make('/kms-denied'))).error).toBeInstanceOf(SecretAccessDeniedError)
  })

  it('serves the last good value while the store is down, until maxAge', async () => {
    const time = clock()
    const handler = defineHandler({
      use: [secrets({ t: fromSsmParameter('/orders/prod/table', endpoint) }, { ttl: 1_000, maxAge: 10_000, now: time.now })],
      handle: (_e, ctx) => ctx.secrets.t.value,
    })
    expect((await run(handler)).result).toBe('orders-table-prod')
    store.set('/orders/prod/table', { error: 'InternalServerError', status: 500 })
    time.advance(5_000)
    const stale = await run(handler)
    expect(stale.result).toBe('orders-table-prod')
    expect(stale.logs).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'secret refresh failed; serving the last good value' }))
    time.advance(5_000)
    expect((await run(handler)).error).toBeInstanceOf(SecretUnavailableError)
  })

  it('is refused by the store when signed with the wrong secret key', async () => {
    const credentials = { accessKeyId: TEST_KEY.accessKeyId, secretAccessKey: 'not-the-key' }
    const handler = defineHandler({ use: [secrets({ x: fromSsmParameter('/orders/prod/table', { ...endpoint, credentials }) })], handle: () => 'ran' })
    const { error } = await run(handler)
    expect(error).toBeInstanceOf(SecretAccessDeniedError)
    expect((error as Error).message).toContain('InvalidSignatureException')
  })

  it('fails a SecureString that does not match its schema without showing the value', async () => {
    store.set('/orders/prod/db', { type: 'SecureString', value: JSON.stringify({ url: 'mysql://ssm-wrong-engine-77' }) })
    const handler = defineHandler({ use: [secrets({ db: fromSsmParameter('/orders/prod/db', { ...endpoint, json: true, schema: Db }) })], handle: () => 'ran' })
    const { error } = await run(handler)
    expect(error).toBeInstanceOf(SecretInvalidError)
    expect((error as SecretInvalidError).paths).toEqual(['url'])
    expect(String(error) + (error as Error).stack).not.toContain('ssm-wrong-engine-77')
  })
})

describe('redaction', () => {
  it('scrubs a SecureString from log lines, leaves a String readable, and scrubs it too with redact: true', async () => {
    store.set('/r/secure', { type: 'SecureString', value: 'ssm-secure-token-4242' })
    store.set('/r/plain', { type: 'String', value: 'ssm-plain-table-name' })
    store.set('/r/plain-redacted', { type: 'String', value: 'ssm-plain-but-private' })
    const handler = defineHandler({
      use: [secrets({
        secure: fromSsmParameter('/r/secure', endpoint),
        plain: fromSsmParameter('/r/plain', endpoint),
        hidden: fromSsmParameter('/r/plain-redacted', { ...endpoint, redact: true }),
      })],
      handle: (_e, ctx) => {
        ctx.log.info('config', { raw: [ctx.secrets.secure.value, ctx.secrets.plain.value, ctx.secrets.hidden.value], wrapped: ctx.secrets.plain })
      },
    })
    const { logs, error } = await run(handler)
    expect(error).toBeUndefined()
    const line = JSON.stringify(logs.find((l) => l.msg === 'config'))
    expect(line).not.toContain('ssm-secure-token-4242')
    expect(line).not.toContain('ssm-plain-but-private')
    expect(line).toContain('ssm-plain-table-name')
    expect(line).toContain('"wrapped":"[redacted]"')
  })

  it('scrubs the SecureStrings of a path (and the leaves of a JSON one), not its Strings', async () => {
    store.set('/rp/a', { type: 'SecureString', value: JSON.stringify({ password: 'ssm-path-leaf-9191' }) })
    store.set('/rp/b', { type: 'String', value: 'ssm-path-plain-8181' })
    const handler = defineHandler({
      use: [secrets({ all: fromSsmParametersByPath('/rp', endpoint) })],
      handle: (_e, ctx) => ctx.log.info('values', { password: (JSON.parse(ctx.secrets.all.value.a!) as { password: string }).password, b: ctx.secrets.all.value.b }),
    })
    const line = JSON.stringify((await run(handler)).logs.find((l) => l.msg === 'values'))
    expect(line).not.toContain('ssm-path-leaf-9191')
    expect(line).toContain('ssm-path-plain-8181')
  })
})

describe('fromSsmParameters (GetParameters)', () => {
  it('reads names in calls of ten, keyed by the names given', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `/many/p${String(i).padStart(2, '0')}`)
    for (const name of names) store.set(name, { type: 'String', value: `value-of-${name}` })
    const handler = defineHandler({ use: [secrets({ many: fromSsmParameters(names, endpoint) })], handle: (_e, ctx) => ctx.secrets.many.value })
    const { result } = await run(handler)
    expect(result).toEqual(Object.fromEntries(names.map((n) => [n, `value-of-${n}`])))
    expect(log.calls.map((c) => (c.input.Names as string[]).length)).toEqual([10, 2])
  })

  it('parses each value with json: true, and checks the record with a schema', async () => {
    store.set('/j/a', { type: 'String', value: '{"n":1}' })
    store.set('/j/b', { type: 'SecureString', value: '[true]' })
    const handler = defineHandler({
      use: [secrets({ j: fromSsmParameters(['/j/a', '/j/b'], { ...endpoint, json: true }) })],
      handle: (_e, ctx) => ctx.secrets.j.value,
    })
    expect((await run(handler)).result).toEqual({ '/j/a': { n: 1 }, '/j/b': [true] })
    const Typed = z.object({ '/orders/prod/table': z.string(), '/orders/prod/regions': z.string() })
    const typed = defineHandler({
      use: [secrets({ t: fromSsmParameters(['/orders/prod/table', '/orders/prod/regions'], { ...endpoint, schema: Typed }) })],
      handle: (_e, ctx) => ctx.secrets.t.value['/orders/prod/table'],
    })
    expect((await run(typed)).result).toBe('orders-table-prod')
  })

  it('fails with SecretNotFoundError naming the names the service lists as invalid', async () => {
    const handler = defineHandler({ use: [secrets({ m: fromSsmParameters(['/orders/prod/table', '/nope/1', '/nope/2'], endpoint) })], handle: () => 'ran' })
    const { error } = await run(handler)
    expect(error).toBeInstanceOf(SecretNotFoundError)
    expect((error as Error).message).toContain('/nope/1, /nope/2')
  })

  it('fails with SecretInvalidError naming the parameter whose value is not JSON', async () => {
    const handler = defineHandler({ use: [secrets({ m: fromSsmParameters(['/orders/prod/table'], { ...endpoint, json: true }) })], handle: () => 'ran' })
    const { error } = await run(handler)
    expect(error).toBeInstanceOf(SecretInvalidError)
    expect((error as Error).message).toContain('/orders/prod/table is not valid JSON')
    expect((error as Error).message).not.toContain('orders-table-prod')
  })
})

describe('fromSsmParametersByPath (GetParametersByPath)', () => {
  beforeEach(() => {
    for (let i = 0; i < 23; i++) store.set(`/app/flags/f${String(i).padStart(2, '0')}`, { type: 'String', value: `on-${i}` })
    store.set('/app/flags/nested/deep', { type: 'String', value: 'deep-value' })
  })

  it('follows NextToken through every page, keys relative to the path, recursive by default', async () => {
    const handler = defineHandler({ use: [secrets({ flags: fromSsmParametersByPath('/app/flags', endpoint) })], handle: (_e, ctx) => ctx.secrets.flags.value })
    const { result } = await run(handler)
    expect(Object.keys(result!)).toHaveLength(24)
    expect(result!.f00).toBe('on-0')
    expect(result!['nested/deep']).toBe('deep-value')
    expect(log.calls.map((c) => c.op)).toEqual(['GetParametersByPath', 'GetParametersByPath', 'GetParametersByPath'])
    expect(log.calls[0]!.input).toMatchObject({ Path: '/app/flags', Recursive: true, WithDecryption: true, MaxResults: 10 })
    expect(log.calls[0]!.input.NextToken).toBeUndefined()
    expect(typeof log.calls[1]!.input.NextToken).toBe('string')
  })

  it('stays on the direct children with recursive: false', async () => {
    const handler = defineHandler({ use: [secrets({ flags: fromSsmParametersByPath('/app/flags/', { ...endpoint, recursive: false }) })], handle: (_e, ctx) => ctx.secrets.flags.value })
    const { result } = await run(handler)
    expect(Object.keys(result!)).toHaveLength(23)
    expect(log.calls[0]!.input.Recursive).toBe(false)
  })

  it('fails a path with no parameters as not found, and a store error on any page as that error', async () => {
    const empty = defineHandler({ use: [secrets({ x: fromSsmParametersByPath('/no/such/path', endpoint) })], handle: () => 'ran' })
    const { error } = await run(empty)
    expect(error).toBeInstanceOf(SecretNotFoundError)
    expect((error as Error).message).toContain('/no/such/path')
    store.set('/app/flags/zz', { error: 'ThrottlingException', message: 'Rate exceeded' })
    const throttled = defineHandler({ use: [secrets({ x: fromSsmParametersByPath('/app/flags', endpoint) })], handle: () => 'ran' })
    expect((await run(throttled)).error).toBeInstanceOf(SecretUnavailableError)
  })
})

describe('configuration and transport failures', () => {
  it('rejects bad input when the provider is defined', () => {
    expect(() => fromSsmParameter('')).toThrow(/non-empty/)
    // @ts-expect-error: a typo is a compile error and a definition-time error
    expect(() => fromSsmParameter('/x', { decript: true })).toThrow(/unknown option "decript" \(did you mean "decrypt"\?\)/)
    expect(() => fromSsmParameters([])).toThrow(/non-empty array/)
    expect(() => fromSsmParametersByPath('relative/path')).toThrow(/start with "\/"/)
    expect(() => fromSsmParameter('/x', { requestTimeout: -1 })).toThrow(/requestTimeout/)
    // @ts-expect-error: recursive is for paths only
    expect(() => fromSsmParameter('/x', { recursive: true })).toThrow(/unknown option "recursive"/)
  })

  it('is a retryable error when the endpoint refuses connections', async () => {
    const dead = await startServer(() => ({}))
    const url = dead.url
    await dead.close()
    const { error } = await run(defineHandler({ use: [secrets({ x: fromSsmParameter('/orders/prod/table', { endpoint: url }) })], handle: () => 'ran' }))
    expect(error).toBeInstanceOf(SecretUnavailableError)
    expect((error as Error).message).toContain('ECONNREFUSED')
  })

  it('times out against a store that never answers, as a retryable error', async () => {
    const hung = await startHungServer()
    try {
      const provider = fromSsmParameter('/orders/prod/table', { endpoint: hung.origin, requestTimeout: 150 })
      const started = Date.now()
      const error = await underGc(provider.load({ provider: undefined }), 5_000)
      expect(error).toBeInstanceOf(SecretUnavailableError)
      expect(((error as Error).cause as Error).name).toBe('TimeoutError')
      expect(Date.now() - started).toBeLessThan(4_000)
    } finally {
      await hung.close()
    }
  })
})
