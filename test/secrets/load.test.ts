// secrets({...}).load(): an awaited load at module scope that fills the
// cache the middleware reads, so handlers that run afterwards get the values
// with no second fetch (counted on a fake Parameter Store, helpers/ssm.ts).
import { defineHandler } from 'faasade'
import { honoSecrets, secrets, SecretNotFoundError } from 'faasade/secrets'
import { fromSsmParameter } from 'faasade/secrets/ssm'
import { Hono } from 'hono'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { clock, run } from './helpers/run.js'
import { TEST_KEY } from './helpers/secrets-manager.js'
import { startServer, type LocalServer } from './helpers/server.js'
import { parameterStore, type StoredParameter } from './helpers/ssm.js'

const store = new Map<string, StoredParameter>()
let server: LocalServer
const env = { ...process.env }

beforeAll(async () => {
  server = await startServer(parameterStore(store, [TEST_KEY]))
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: TEST_KEY.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_KEY.secretAccessKey,
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_SSM: server.url,
  })
})
afterAll(async () => {
  process.env = env
  await server.close()
})
beforeEach(() => {
  server.reset()
  store.clear()
  store.set('/init/table', { type: 'String', value: 'init-orders-table' })
  store.set('/init/api-key', { type: 'SecureString', value: 'init-api-key-31337' })
})

describe('secrets({...}).load()', () => {
  it('at module scope (top-level await): builds a client, and the handler reads the same values with no second fetch', async () => {
    const mod = await import('./fixtures/init-load.js')
    expect(mod.client).toEqual({ table: 'init-orders-table', authorized: true })
    expect(server.count('/')).toBe(2)
    const results = await Promise.all([run(mod.handler), run(mod.handler), run(mod.handler)])
    expect(results.map((r) => r.result)).toEqual(Array(3).fill({ clientTable: 'init-orders-table', ctxTable: 'init-orders-table', ctxKey: 'init-api-key-31337' }))
    expect(server.count('/')).toBe(2)
  })

  it('returns the values wrapped, redacted when printed', async () => {
    const loaded = await secrets({ key: fromSsmParameter('/init/api-key') }).load()
    expect(loaded.key.value).toBe('init-api-key-31337')
    expect(JSON.stringify(loaded)).toBe('{"key":"[redacted]"}')
    expect(`${loaded.key}`).toBe('[redacted]')
  })

  it('shares the fetch with an invocation that starts while it is in flight, and serves Hono routes from the same cache', async () => {
    const config = secrets({ table: fromSsmParameter('/init/table') })
    const handler = defineHandler({ use: [config], handle: (_e, ctx) => ctx.secrets.table.value })
    const [loaded, invoked] = await Promise.all([config.load(), run(handler)])
    expect(loaded.table.value).toBe('init-orders-table')
    expect(invoked.result).toBe('init-orders-table')
    const app = new Hono().use(honoSecrets(config)).get('/', (c) => c.text(c.var.secrets.table.value))
    expect(await (await app.request('/')).text()).toBe('init-orders-table')
    expect(server.count('/')).toBe(1)
  })

  it('fetches again once the TTL has passed, as the middleware always does', async () => {
    const time = clock()
    const config = secrets({ table: fromSsmParameter('/init/table') }, { ttl: 10_000, now: time.now })
    await config.load()
    const handler = defineHandler({ use: [config], handle: (_e, ctx) => ctx.secrets.table.value })
    store.set('/init/table', { type: 'String', value: 'init-orders-table-v2' })
    expect((await run(handler)).result).toBe('init-orders-table')
    time.advance(10_000)
    expect((await run(handler)).result).toBe('init-orders-table-v2')
    expect(server.count('/')).toBe(2)
  })

  it('throws the secret error (failing the start-up), caches nothing, and a later invocation fetches again', async () => {
    const config = secrets({ table: fromSsmParameter('/init/table'), missing: fromSsmParameter('/init/missing') })
    const error = await config.load().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SecretNotFoundError)
    expect((error as Error).message).toContain('/init/missing')
    store.set('/init/missing', { type: 'String', value: 'there-now' })
    const handler = defineHandler({ use: [config], handle: (_e, ctx) => ctx.secrets.missing.value })
    expect((await run(handler)).result).toBe('there-now')
  })
})
