// The Hono form, honoSecrets(secrets({...})), in real Hono apps (app.request, and
// @hono/node-server on 127.0.0.1 for the Node env path), with fromEnv and
// fromAwsSecretsManager's fetch transport against the local Secrets Manager
// endpoint the AWS tests use. Custom providers (defineSecretProvider) stand
// in only where a test needs a failure AWS cannot produce (a Retry-After, a
// non-secret error).
import { once } from 'node:events'
import util from 'node:util'
import { serve } from '@hono/node-server'
import { ConfigurationError, createLogger, defineHandler, PermanentError, RetryableError, type Logger } from 'faasade'
import {
  defineSecretProvider,
  fromEnv,
  honoSecrets,
  secrets,
  SecretInvalidError,
  SecretNotFoundError,
  SecretUnavailableError,
  type SecretProvider,
} from 'faasade/secrets'
import { fromAwsSecretsManager } from 'faasade/secrets/aws'
import { build } from 'esbuild'
import { Hono } from 'hono'
import { fileURLToPath } from 'node:url'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import * as z from 'zod'
import { clock, run } from './helpers/run.js'
import { secretsManager, type Stored } from './helpers/secrets-manager.js'
import { startServer, type LocalServer } from './helpers/server.js'

const STRIPE_KEY = 'sk_live_hono_0001'
const WEBHOOK = 'whsec_hono_0002'
const DB_URL = 'postgres://app:Pa55word-Hono-03@db.internal/app'
const store = new Map<string, Stored>()
let server: LocalServer
const saved = { ...process.env }

beforeAll(async () => {
  server = await startServer(secretsManager(store))
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'secret-test-key', AWS_SESSION_TOKEN: 'session-test-token', AWS_REGION: 'us-east-1',
    HONO_DB: DB_URL,
    HONO_TOKEN: 'token-from-process-env',
  })
})
afterAll(async () => {
  process.env = saved
  await server.close()
})
beforeEach(() => {
  server.reset()
  store.clear()
  store.set('prod/stripe', { string: JSON.stringify({ apiKey: STRIPE_KEY, webhookSecret: WEBHOOK }) })
  store.set('throttled', { error: 'ThrottlingException', message: 'Rate exceeded for account 123456789012' })
  store.set('broken', { error: 'InternalServiceError', status: 500, message: 'An error occurred on the server side.' })
  store.set('denied', { error: 'AccessDeniedException', message: 'User: arn:aws:sts::123456789012:assumed-role/fn is not authorized' })
})

const Stripe = z.object({ apiKey: z.string().startsWith('sk_'), webhookSecret: z.string() })
const aws = (id: string) => fromAwsSecretsManager(id, { transport: 'fetch', endpoint: server.url })
const stripeWith = <S extends z.ZodType>(schema: S) => fromAwsSecretsManager('prod/stripe', { transport: 'fetch', endpoint: server.url, json: true, schema })
const stripe = () => stripeWith(Stripe)

function captured(): { log: Logger; lines: string[]; records: () => Record<string, unknown>[] } {
  const lines: string[] = []
  const log = createLogger({ level: 'debug', sink: (line) => lines.push(line) })
  return { log, lines, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) }
}

describe('c.var.secrets', () => {
  it('holds the typed values of fromEnv and Secrets Manager (fetch transport)', async () => {
    const shared = secrets({ stripe: stripe(), db: fromEnv('HONO_DB') })
    const app = new Hono().get('/charge', honoSecrets(shared), (c) => c.json({ apiKey: c.var.secrets.stripe.value.apiKey, db: c.var.secrets.db.value, viaGet: c.get('secrets').db.value }))
    const res = await app.request('/charge')
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ apiKey: STRIPE_KEY, db: DB_URL, viaGet: DB_URL })
    expect(server.count('/')).toBe(1)
    expect(server.requests[0]!.headers['x-amz-target']).toBe('secretsmanager.GetSecretValue')
  })

  it('makes ONE remote call for 50 concurrent first requests, and none within the TTL', async () => {
    const time = clock()
    const app = new Hono().get('/k', honoSecrets(secrets({ stripe: stripe() }, { ttl: 60_000, now: time.now })), (c) => c.text(c.var.secrets.stripe.value.apiKey))
    const replies = await Promise.all(Array.from({ length: 50 }, () => Promise.resolve(app.request('/k')).then((r) => r.text())))
    expect(replies).toEqual(Array.from({ length: 50 }, () => STRIPE_KEY))
    expect(server.count('/')).toBe(1)
    time.advance(59_999)
    await app.request('/k')
    expect(server.count('/')).toBe(1)
    time.advance(1)
    await app.request('/k')
    expect(server.count('/')).toBe(2)
  })

  it('shares one cache between the event form and the Hono form of one secrets() value, and between two honoSecrets calls', async () => {
    const shared = secrets({ stripe: stripe() })
    const handler = defineHandler({ use: [shared], handle: (_e, ctx) => ctx.secrets.stripe.value.apiKey })
    const app = new Hono()
      .get('/a', honoSecrets(shared), (c) => c.text(c.var.secrets.stripe.value.apiKey))
      .get('/b', honoSecrets(shared), (c) => c.text(c.var.secrets.stripe.value.apiKey))
    expect((await run(handler)).result).toBe(STRIPE_KEY)
    expect(await (await app.request('/a')).text()).toBe(STRIPE_KEY)
    expect(await (await app.request('/b')).text()).toBe(STRIPE_KEY)
    expect(server.count('/')).toBe(1)
  })

  it('works as app.use middleware for a group of routes', async () => {
    const app = new Hono().use('/api/*', honoSecrets(secrets({ db: fromEnv('HONO_DB') }))).get('/api/db', (c) => c.text(c.var.secrets.db.value))
    expect(await (await app.request('/api/db')).text()).toBe(DB_URL)
  })

  it('refresh(name) fetches again now, and the view holds the new value', async () => {
    const app = new Hono().post('/rotate', honoSecrets(secrets({ stripe: stripe() })), async (c) => {
      const before = c.var.secrets.stripe.value.apiKey
      store.set('prod/stripe', { string: JSON.stringify({ apiKey: 'sk_live_rotated_0009', webhookSecret: WEBHOOK }) })
      const fresh = await c.var.secrets.refresh('stripe')
      return c.json({ before, fresh: fresh.value.apiKey, view: c.var.secrets.stripe.value.apiKey })
    })
    expect(await (await app.request('/rotate', { method: 'POST' })).json()).toEqual({ before: STRIPE_KEY, fresh: 'sk_live_rotated_0009', view: 'sk_live_rotated_0009' })
    expect(server.count('/')).toBe(2)
  })

  it('a failed refresh(name) throws the provider error to the route (the app answers), and a bad name is a ConfigurationError', async () => {
    const seen: unknown[] = []
    const app = new Hono()
      .get('/r', honoSecrets(secrets({ stripe: stripe() })), async (c) => {
        store.set('prod/stripe', { error: 'ThrottlingException', message: 'Rate exceeded' })
        await c.var.secrets.refresh(c.req.query('name') as 'stripe')
        return c.text('refreshed')
      })
      .onError((error, c) => (seen.push(error), c.text('app onError', 500)))
    expect((await app.request('/r?name=stripe')).status).toBe(500)
    expect((await app.request('/r?name=nope')).status).toBe(500)
    expect(seen[0]).toBeInstanceOf(SecretUnavailableError)
    expect(seen[1]).toBeInstanceOf(ConfigurationError)
  })
})

describe('redaction', () => {
  it('finds no secret value in JSON replies, logs, inspect or string forms', async () => {
    const { log, lines } = captured()
    const out: string[] = []
    let apiKey: unknown
    const app = new Hono().get('/leak', honoSecrets(secrets({ stripe: stripe(), db: fromEnv('HONO_DB') }, { log })), (c) => {
      const { stripe: s, db } = c.var.secrets
      apiKey = s.value.apiKey // asserted after the request: Hono would turn a failing assertion here into a 500
      log.info('wrapped', { all: c.var.secrets, s, db, vars: c.var })
      log.info('raw', { key: s.value.apiKey, db: db.value, text: `${db.value} ${s.value.webhookSecret}` })
      out.push(util.inspect(c.var, { depth: 10, showHidden: true }), String(db), `${s}`, util.format('%s %o %j', db, s, c.var.secrets))
      return c.json({ secrets: c.var.secrets, vars: c.var, db })
    })
    const res = await app.request('/leak')
    const body = await res.text()
    expect(res.status).toBe(200)
    expect(apiKey).toBe(STRIPE_KEY)
    expect(JSON.parse(body)).toEqual({ secrets: { stripe: '[redacted]', db: '[redacted]' }, vars: { secrets: { stripe: '[redacted]', db: '[redacted]' } }, db: '[redacted]' })
    const everything = [body, ...lines, ...out].join('\n')
    for (const needle of [STRIPE_KEY, WEBHOOK, DB_URL, 'Pa55word-Hono-03']) expect(everything, `leaked ${needle}`).not.toContain(needle)
    expect(lines.find((l) => l.includes('"msg":"raw"'))).toContain('"key":"[redacted]"')
  })
})

describe('a secret that cannot be loaded', () => {
  const problemOf = async (res: Response) => ({ status: res.status, type: res.headers.get('content-type'), retryAfter: res.headers.get('retry-after'), body: await res.text() })

  it.each<[string, number, () => SecretProvider]>([
    ['throttled (retryable)', 503, () => aws('throttled')],
    ['a 5xx from the service (retryable)', 503, () => aws('broken')],
    // A secret that is missing, denied or not what the code declares is a fault of the deployment: a 503 too, until it is fixed.
    ['not found (the deployment)', 503, () => aws('prod/missing')],
    ['access denied (the deployment)', 503, () => aws('denied')],
    ['not JSON where json: true (the deployment)', 503, () => fromEnv('HONO_DB', { json: true })],
    ['not matching its schema (the deployment)', 503, () => stripeWith(z.object({ apiKey: z.string().startsWith('pk_') }))],
  ])('%s: problem+json %i, the route does not run, the body names nothing, the log says it all', async (_name, status, provider) => {
    const { log, records } = captured()
    let ran = 0
    const app = new Hono().get('/x', honoSecrets(secrets({ s: provider() }, { log })), (c) => (ran++, c.text('ran')))
    const reply = await problemOf(await app.request('/x'))
    expect(reply).toMatchObject({ status, type: 'application/problem+json', retryAfter: null })
    expect(JSON.parse(reply.body)).toEqual({ type: 'about:blank', title: 'A secret the handler needs could not be loaded', status })
    expect(ran).toBe(0)
    for (const needle of ['prod/', 'throttled', 'denied', 'HONO_DB', 'Rate exceeded', 'not authorized', 'Exception', 'server side', 'apiKey', STRIPE_KEY, DB_URL, 'aws']) {
      expect(reply.body, `the body quotes ${needle}`).not.toContain(needle)
    }
    const logged = records().find((r) => r.msg === 'secrets could not be loaded; the route did not run')
    expect(logged).toMatchObject({ level: 'error', method: 'GET', path: '/x', status: status === 503 ? 503 : 422 })
    expect(String(logged!.errorMessage)).toMatch(/secret ".+" \(/i)
    expect(JSON.stringify(records())).not.toContain(DB_URL)
    expect(JSON.stringify(records())).not.toContain(STRIPE_KEY)
  })

  it('is never cached: the next request fetches again and succeeds', async () => {
    const app = new Hono().get('/x', honoSecrets(secrets({ s: aws('prod/late') }, { log: captured().log })), (c) => c.text(c.var.secrets.s.value))
    expect((await app.request('/x')).status).toBe(503)
    store.set('prod/late', { string: 'now-it-exists' })
    expect(await (await app.request('/x')).text()).toBe('now-it-exists')
    expect(server.count('/')).toBe(2)
  })

  it('carries a provider retry hint as Retry-After on a 503 (not the 429 that would blame the client)', async () => {
    const slow = defineSecretProvider<string>({
      kind: 'vault', secretName: 'kv/app',
      fetch: async () => { throw new SecretUnavailableError({ provider: 'vault', secretName: 'kv/app' }, 'sealed', { retryAfterMs: 2_500 }) },
    })
    const app = new Hono().get('/x', honoSecrets(secrets({ v: slow }, { log: captured().log })), (c) => c.text('ran'))
    const res = await app.request('/x')
    expect(res.status).toBe(503)
    expect(res.headers.get('retry-after')).toBe('3')
    expect(await res.json()).toMatchObject({ status: 503 })
  })

  it('renders a custom provider\'s own faasade error (whose message may say anything) as the generic problem', async () => {
    const leaky = defineSecretProvider<string>({
      kind: 'vault', secretName: 'kv/app',
      fetch: async () => { throw new PermanentError('vault token hvs.LEAKY-TOKEN-123 was revoked') },
    })
    const odd = defineSecretProvider<string>({ kind: 'vault', secretName: 'kv/odd', fetch: async () => { throw new TypeError('socket hang up at hvs.LEAKY') } })
    const app = new Hono()
      .get('/permanent', honoSecrets(secrets({ v: leaky }, { log: captured().log })), (c) => c.text('ran'))
      .get('/bug', honoSecrets(secrets({ v: odd }, { log: captured().log })), (c) => c.text('ran'))
    const permanent = await app.request('/permanent')
    expect(permanent.status).toBe(500)
    expect(await permanent.json()).toEqual({ type: 'about:blank', title: 'Internal error', status: 500 })
    const bug = await app.request('/bug')
    expect(bug.status).toBe(503)
    expect(await bug.text()).not.toContain('LEAKY')
  })

  it('onError replaces the reply, and rethrowing hands the typed error to the app\'s onError', async () => {
    const app = new Hono()
      .get('/custom', honoSecrets(secrets({ s: aws('prod/missing') }), { onError: (error, c) => c.json({ mine: error.name, retryable: error.retryable }, 502) }), (c) => c.text('ran'))
      .get('/rethrow', honoSecrets(secrets({ s: aws('prod/missing') }), { onError: (error) => { throw error } }), (c) => c.text('ran'))
      .onError((error, c) => c.json({ app: error instanceof SecretNotFoundError ? error.secretName : 'other' }, 500))
    const custom = await app.request('/custom')
    expect(custom.status).toBe(502)
    expect(await custom.json()).toEqual({ mine: 'SecretNotFoundError', retryable: true })
    expect(await (await app.request('/rethrow')).json()).toEqual({ app: 'prod/missing' })
  })

  it('with prefetch: a failed prefetch is logged at once and again on the first request, which fetches again', async () => {
    const { log, records } = captured()
    const shared = secrets({ s: aws('prod/later') }, { prefetch: true, log })
    await vi.waitFor(() => expect(records()).toContainEqual(expect.objectContaining({ level: 'error', msg: 'secret prefetch failed', secret: 's' })))
    store.set('prod/later', { string: 'prefetch-then-fetched' })
    const app = new Hono().get('/x', honoSecrets(shared), (c) => c.text(c.var.secrets.s.value))
    expect(await (await app.request('/x')).text()).toBe('prefetch-then-fetched')
    expect(records()).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'secret prefetch had failed; fetching it again', secret: 's' }))
    expect(server.count('/')).toBe(2)
  })

  it('serves the last good value while a refresh fails, warning on options.log', async () => {
    const time = clock()
    const { log, records } = captured()
    const app = new Hono().get('/x', honoSecrets(secrets({ s: stripe() }, { ttl: 1_000, maxAge: 10_000, now: time.now, log })), (c) => c.text(c.var.secrets.s.value.apiKey))
    expect(await (await app.request('/x')).text()).toBe(STRIPE_KEY)
    store.set('prod/stripe', { error: 'ThrottlingException', message: 'Rate exceeded' })
    time.advance(5_000)
    expect(await (await app.request('/x')).text()).toBe(STRIPE_KEY)
    expect(records()).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'secret refresh failed; serving the last good value', secret: 's' }))
    time.advance(5_000)
    expect((await app.request('/x')).status).toBe(503)
  })
})

describe('refreshOn', () => {
  class ApiError extends Error {
    constructor(readonly status: number) {
      super(`downstream said ${status}`)
    }
  }

  it('a matching route error fetches every secret again for the next request; the failed one keeps its error reply', async () => {
    const { log, records } = captured()
    let calls = 0
    const app = new Hono()
      .get('/pay', honoSecrets(secrets({ s: stripe() }, { log, refreshOn: (e) => e instanceof ApiError && e.status === 401 })), (c) => {
        calls++
        if (c.var.secrets.s.value.apiKey === STRIPE_KEY) throw new ApiError(c.req.query('status') === '500' ? 500 : 401)
        return c.text(c.var.secrets.s.value.apiKey)
      })
      .onError((error, c) => c.text(error.message, 502))
    // A 500 from downstream is no sign of rotation: nothing is fetched again.
    expect((await app.request('/pay?status=500')).status).toBe(502)
    expect(server.count('/')).toBe(1)
    store.set('prod/stripe', { string: JSON.stringify({ apiKey: 'sk_live_rotated_0009', webhookSecret: WEBHOOK }) })
    const failed = await app.request('/pay')
    expect(failed.status).toBe(502)
    expect(await failed.text()).toBe('downstream said 401')
    expect(server.count('/')).toBe(2)
    expect(records()).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'the route failed in a way that means rotated secrets; refreshing them for the next request' }))
    expect(await (await app.request('/pay')).text()).toBe('sk_live_rotated_0009')
    expect(calls).toBe(3)
  })

  it('a failing refresh is logged and leaves the cached value and the error reply alone', async () => {
    const { log, records } = captured()
    const app = new Hono()
      .get('/pay', honoSecrets(secrets({ s: stripe() }, { log, refreshOn: () => true })), () => {
        throw new RetryableError('downstream 401')
      })
      .onError((_e, c) => c.text('app error', 502))
    expect((await app.request('/pay')).status).toBe(502)
    store.set('prod/stripe', { error: 'ThrottlingException', message: 'Rate exceeded' })
    expect((await app.request('/pay')).status).toBe(502)
    expect(records()).toContainEqual(expect.objectContaining({ level: 'error', msg: 'refreshing the secrets failed; the cached values stay' }))
  })
})

describe('env bindings', () => {
  it('reads Workers-style bindings from c.env (app.request(path, init, env)) before process.env', async () => {
    const app = new Hono().get('/t', honoSecrets(secrets({ token: fromEnv('HONO_TOKEN') })), (c) => c.text(c.var.secrets.token.value))
    expect(await (await app.request('/t', {}, { HONO_TOKEN: 'token-from-binding', KV: {} })).text()).toBe('token-from-binding')
  })

  it('falls back to process.env when c.env has no such string binding, or holds no string at all', async () => {
    const missing = new Hono().get('/t', honoSecrets(secrets({ token: fromEnv('HONO_TOKEN') })), (c) => c.text(c.var.secrets.token.value))
    expect(await (await missing.request('/t', {}, { OTHER: 'x' })).text()).toBe('token-from-process-env')
    const objects = new Hono().get('/t', honoSecrets(secrets({ token: fromEnv('HONO_TOKEN') })), (c) => c.text(c.var.secrets.token.value))
    expect(await (await objects.request('/t', {}, { KV: {}, HONO_TOKEN: {} })).text()).toBe('token-from-process-env')
    const none = new Hono().get('/t', honoSecrets(secrets({ token: fromEnv('HONO_TOKEN') })), (c) => c.text(c.var.secrets.token.value))
    expect(await (await none.request('/t')).text()).toBe('token-from-process-env')
  })

  it('reads process.env under @hono/node-server, whose c.env is { incoming, outgoing }', async () => {
    let envKeys: string[] = []
    const app = new Hono().get('/t', honoSecrets(secrets({ token: fromEnv('HONO_TOKEN') })), (c) => {
      envKeys = Object.keys(c.env as object)
      return c.text(c.var.secrets.token.value)
    })
    const node = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
    try {
      if (!node.listening) await once(node, 'listening')
      const { port } = node.address() as AddressInfo
      expect(await (await fetch(`http://127.0.0.1:${port}/t`)).text()).toBe('token-from-process-env')
      expect(envKeys.sort()).toEqual(['incoming', 'outgoing'])
    } finally {
      await new Promise((resolve) => node.close(resolve))
    }
  })
})

describe('definition', () => {
  it('rejects unknown options, a non-function onError, and anything but a secrets() value', () => {
    const shared = secrets({ db: fromEnv('HONO_DB') })
    // @ts-expect-error: typo
    expect(() => honoSecrets(shared, { onErr: () => new Response() })).toThrow(/unknown option "onErr" \(did you mean "onError"\?\)/)
    // @ts-expect-error: not a function
    expect(() => honoSecrets(shared, { onError: 'reply' })).toThrow(/onError/)
    // @ts-expect-error: providers, not a secrets() value
    expect(() => honoSecrets({ db: fromEnv('HONO_DB') })).toThrow(/pass the value secrets\(\{\.\.\.\}\) returned/)
    // A hand-made middleware that looks alike is not one either: it has no cache.
    expect(() => honoSecrets({ ...shared })).toThrow(ConfigurationError)
  })

  it('adds no byte of Hono to a bundle (only its types are imported)', async () => {
    const root = fileURLToPath(new URL('../../', import.meta.url))
    const result = await build({
      stdin: { contents: `import { secrets, honoSecrets, fromEnv } from './src/secrets/index.ts'\nexport const mw = honoSecrets(secrets({ a: fromEnv('A') }))`, resolveDir: root, loader: 'ts' },
      bundle: true, write: false, format: 'esm', platform: 'neutral', minify: true, logLevel: 'silent',
    })
    const text = result.outputFiles[0]!.text
    expect(text).toContain('problem+json')
    expect(text).not.toMatch(/HonoRequest|hono-base|RegExpRouter/)
  })
})
