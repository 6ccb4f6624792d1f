// fromAppConfig against a local endpoint that speaks AppConfigData's REST
// protocol, spends each token once and checks SigV4 (helpers/appconfig.ts
// says why a fake): the session held across loads, "unchanged" replies, the
// poll interval, an expired session, and the failures.
import { defineHandler, outcomeOf } from 'faasade'
import { secrets, SecretAccessDeniedError, SecretInvalidError, SecretNotFoundError, SecretUnavailableError } from 'faasade/secrets'
import { fromAppConfig } from 'faasade/secrets/appconfig'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import * as z from 'zod'
import { startHungServer, underGc } from '../support/hung-server.js'
import { appConfigData, type AppConfigFake } from './helpers/appconfig.js'
import { clock, run } from './helpers/run.js'
import { TEST_KEY } from './helpers/secrets-manager.js'
import { startServer, type LocalServer } from './helpers/server.js'

let fake: AppConfigFake
let server: LocalServer
let endpoint: { endpoint: string }
const env = { ...process.env }

beforeAll(async () => {
  fake = appConfigData([TEST_KEY])
  server = await startServer((req) => fake.handle(req))
  endpoint = { endpoint: server.url }
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: TEST_KEY.accessKeyId, AWS_SECRET_ACCESS_KEY: TEST_KEY.secretAccessKey, AWS_SESSION_TOKEN: 'session-ac', AWS_REGION: 'us-east-1' })
})
afterAll(async () => {
  process.env = env
  await server.close()
})
beforeEach(() => {
  server.reset()
  fake.expireTokens()
  fake.pollIntervalSeconds = 0
  fake.profiles.clear()
  fake.profiles.set('orders/prod/flags', { content: JSON.stringify({ newCheckout: true, limit: 25 }) })
  fake.profiles.set('orders/prod/banner', { content: 'appconfig-plain-banner-text', contentType: 'text/plain' })
})

const Flags = z.object({ newCheckout: z.boolean(), limit: z.number() })
const sessionCalls = () => server.count('/configurationsessions')
const polls = () => server.count('/configuration')

describe('fromAppConfig', () => {
  it('starts one session, then polls with the token each reply hands on, keeping the value when unchanged', async () => {
    const time = clock()
    const handler = defineHandler({
      use: [secrets({ flags: fromAppConfig('orders', 'prod', 'flags', { ...endpoint, json: true, schema: Flags }) }, { ttl: 1_000, now: time.now })],
      handle: (_e, ctx) => ctx.secrets.flags.value,
    })
    expect((await run(handler)).result).toEqual({ newCheckout: true, limit: 25 })
    expect([sessionCalls(), polls()]).toEqual([1, 1])
    const start = server.requests[0]!
    expect(JSON.parse(start.body)).toEqual({ ApplicationIdentifier: 'orders', EnvironmentIdentifier: 'prod', ConfigurationProfileIdentifier: 'flags' })
    expect(String(start.headers.authorization)).toMatch(/\/us-east-1\/appconfig\/aws4_request/)
    expect(start.headers['x-amz-security-token']).toBe('session-ac')

    time.advance(1_000)
    expect((await run(handler)).result).toEqual({ newCheckout: true, limit: 25 }) // an empty "unchanged" body
    expect([sessionCalls(), polls()]).toEqual([1, 2])

    fake.profiles.set('orders/prod/flags', { content: JSON.stringify({ newCheckout: false, limit: 5 }) })
    time.advance(1_000)
    expect((await run(handler)).result).toEqual({ newCheckout: false, limit: 5 })
    expect([sessionCalls(), polls()]).toEqual([1, 3])
  })

  it('serves the held configuration without a call before the poll interval has passed', async () => {
    fake.pollIntervalSeconds = 60
    const provider = fromAppConfig('orders', 'prod', 'banner', endpoint)
    expect((await provider.load({ provider: undefined })).value).toBe('appconfig-plain-banner-text')
    expect((await provider.load({ provider: undefined })).value).toBe('appconfig-plain-banner-text')
    expect([sessionCalls(), polls()]).toEqual([1, 1])
  })

  it('starts a new session, once, when the held token has expired', async () => {
    const provider = fromAppConfig('orders', 'prod', 'banner', endpoint)
    await provider.load({ provider: undefined })
    fake.expireTokens()
    expect((await provider.load({ provider: undefined })).value).toBe('appconfig-plain-banner-text')
    expect([sessionCalls(), polls()]).toEqual([2, 3])
  })

  it('sends the minimum poll interval, and refuses one AppConfig would', async () => {
    await fromAppConfig('orders', 'prod', 'banner', { ...endpoint, minimumPollIntervalSeconds: 30 }).load({ provider: undefined })
    expect(JSON.parse(server.requests[0]!.body)).toMatchObject({ RequiredMinimumPollIntervalInSeconds: 30 })
    expect(() => fromAppConfig('a', 'b', 'c', { minimumPollIntervalSeconds: 5 })).toThrow(/15 to 86400/)
    expect(() => fromAppConfig('a', '', 'c')).toThrow(/environment must be a non-empty string/)
    // @ts-expect-error: a typo is a compile error and a definition-time error
    expect(() => fromAppConfig('a', 'b', 'c', { jsn: true })).toThrow(/did you mean "json"/)
  })

  it('runs loads one at a time, so two never spend the same token', async () => {
    const provider = fromAppConfig('orders', 'prod', 'banner', endpoint)
    const values = await Promise.all([1, 2, 3].map(() => provider.load({ provider: undefined })))
    expect(values.map((v) => v.value)).toEqual(Array(3).fill('appconfig-plain-banner-text'))
    expect(sessionCalls()).toBe(1)
    expect(server.requests.filter((r) => r.url.pathname === '/configuration').map((r) => r.url.searchParams.get('configuration_token')).every((t, i, all) => all.indexOf(t) === i)).toBe(true)
  })

  it('maps a missing profile to a deployment fault naming it', async () => {
    const { error } = await run(defineHandler({ use: [secrets({ x: fromAppConfig('orders', 'prod', 'nope', endpoint) })], handle: () => 'ran' }))
    expect(error).toBeInstanceOf(SecretNotFoundError)
    expect((error as Error).message).toContain('orders/prod/nope')
    expect((error as Error).message).toContain('ResourceNotFoundException')
    expect(outcomeOf(error).kind).toBe('retry')
  })

  it('maps throttling and a 500 to retryable errors, and starts a new session after a failed poll', async () => {
    const provider = fromAppConfig('orders', 'prod', 'banner', endpoint)
    await provider.load({ provider: undefined })
    fake.profiles.set('orders/prod/banner', { content: 'x', error: { code: 'ThrottlingException', status: 429 } })
    const throttled = await provider.load({ provider: undefined }).catch((e: unknown) => e)
    expect(throttled).toBeInstanceOf(SecretUnavailableError)
    expect((throttled as Error).message).toContain('ThrottlingException')
    fake.profiles.set('orders/prod/banner', { content: 'x', error: { code: 'InternalServerException', status: 500 } })
    expect(await provider.load({ provider: undefined }).catch((e: unknown) => e)).toBeInstanceOf(SecretUnavailableError)
    fake.profiles.set('orders/prod/banner', { content: 'back-again-banner' })
    expect((await provider.load({ provider: undefined })).value).toBe('back-again-banner')
    expect(sessionCalls()).toBeGreaterThanOrEqual(2)
  })

  it('is a deployment fault when the request is signed with the wrong key, or the JSON is not', async () => {
    const credentials = { accessKeyId: TEST_KEY.accessKeyId, secretAccessKey: 'wrong-secret' }
    const denied = await fromAppConfig('orders', 'prod', 'flags', { ...endpoint, credentials }).load({ provider: undefined }).catch((e: unknown) => e)
    expect(denied).toBeInstanceOf(SecretAccessDeniedError)
    const invalid = await fromAppConfig('orders', 'prod', 'banner', { ...endpoint, json: true }).load({ provider: undefined }).catch((e: unknown) => e)
    expect(invalid).toBeInstanceOf(SecretInvalidError)
    expect(String(invalid)).not.toContain('appconfig-plain-banner-text')
  })

  it('leaves configuration readable in logs, and scrubs it with redact: true', async () => {
    fake.profiles.set('orders/prod/public', { content: 'appconfig-public-value-1', contentType: 'text/plain' })
    fake.profiles.set('orders/prod/private', { content: JSON.stringify({ token: 'appconfig-private-leaf-2' }) })
    const handler = defineHandler({
      use: [secrets({ pub: fromAppConfig('orders', 'prod', 'public', endpoint), priv: fromAppConfig('orders', 'prod', 'private', { ...endpoint, json: true, redact: true }) })],
      handle: (_e, ctx) => ctx.log.info('config', { pub: ctx.secrets.pub.value, priv: ctx.secrets.priv.value }),
    })
    const line = JSON.stringify((await run(handler)).logs.find((l) => l.msg === 'config'))
    expect(line).toContain('appconfig-public-value-1')
    expect(line).not.toContain('appconfig-private-leaf-2')
  })

  it('times out against an endpoint that never answers, as a retryable error', async () => {
    const hung = await startHungServer()
    try {
      const error = await underGc(fromAppConfig('orders', 'prod', 'flags', { endpoint: hung.origin, requestTimeout: 150 }).load({ provider: undefined }), 5_000)
      expect(error).toBeInstanceOf(SecretUnavailableError)
      expect(((error as Error).cause as Error).name).toBe('TimeoutError')
    } finally {
      await hung.close()
    }
  })
})
