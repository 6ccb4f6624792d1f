// idempotent() and idempotency() inside real workerd (Miniflare), bundled by
// esbuild for a neutral platform as a Workers build would be: no node:
// module, Web Crypto for long payloads, crypto.randomUUID for owners.
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { Miniflare } from 'miniflare'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../../', import.meta.url))
let mf: Miniflare

const worker = `
import { Hono } from 'hono'
import { createContext } from './src/context.ts'
import { createEvent } from './src/event.ts'
import { defineHandler } from './src/handler.ts'
import { settle } from './src/outcome.ts'
import { idempotent, idempotency, memoryStore } from './src/idempotency/index.ts'

const store = memoryStore()
let runs = 0
const handler = defineHandler({ name: 'orders', use: [idempotent({ store })], handle: (event) => ({ run: ++runs, size: JSON.stringify(event.data).length }) })
const app = new Hono()
app.use('*', idempotency({ store, required: true }))
app.post('/pay', async (c) => c.json({ paid: (await c.req.json()).amount, run: ++runs }, 201))

export default {
  async fetch(request) {
    const url = new URL(request.url)
    if (url.pathname === '/pay') return app.fetch(request)
    const data = { note: 'x'.repeat(Number(url.searchParams.get('size') ?? '10')) }
    const ctx = createContext({ provider: { name: 'cloudflare-workers', raw: request } })
    const outcome = await settle(() => handler.run(createEvent({ id: url.searchParams.get('id'), source: '/w', type: 't', data }), ctx))
    return Response.json(outcome.kind === 'ok' ? outcome : { kind: outcome.kind, error: outcome.error.name })
  },
}
`

beforeAll(async () => {
  const bundled = await build({
    stdin: { contents: worker, resolveDir: root, loader: 'ts' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    logLevel: 'silent',
  })
  mf = new Miniflare({
    modules: [{ type: 'ESModule', path: 'worker.mjs', contents: bundled.outputFiles[0]!.text }],
    compatibilityDate: '2026-04-01',
    cf: false,
  })
}, 60_000)

afterAll(async () => {
  await mf?.dispose()
})

const get = async (path: string) => (await (await mf.dispatchFetch(`http://worker${path}`)).json()) as { kind: string; result?: { run: number }; error?: string }

describe('idempotency in workerd', () => {
  it('runs an event once and replays it, for short payloads and long ones (Web Crypto)', async () => {
    const first = await get('/event?id=a&size=10')
    expect(first.kind).toBe('ok')
    expect(await get('/event?id=a&size=10')).toEqual(first)
    const long = await get('/event?id=b&size=10000')
    expect(await get('/event?id=b&size=10000')).toEqual(long)
    expect(long.result!.run).toBe(first.result!.run + 1)
    expect(await get('/event?id=b&size=10001')).toEqual({ kind: 'drop', error: 'IdempotencyKeyReusedError' })
  })

  it('serves the Idempotency-Key middleware: replay, 422 and 400', async () => {
    const pay = (body: object, key?: string) =>
      mf.dispatchFetch('http://worker/pay', { method: 'POST', headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) }, body: JSON.stringify(body) })
    const first = await pay({ amount: 5 }, '"k1"')
    expect(first.status).toBe(201)
    const body = await first.json()
    const again = await pay({ amount: 5 }, '"k1"')
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    expect(await again.json()).toEqual(body)
    expect((await pay({ amount: 6 }, '"k1"')).status).toBe(422)
    const missing = await pay({ amount: 5 })
    expect(missing.status).toBe(400)
    expect(missing.headers.get('content-type')).toBe('application/problem+json')
    await missing.arrayBuffer()
  })
})
