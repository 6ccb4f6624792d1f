/**
 * The functions-framework door on the real framework (5.0.5): an HTTP
 * function registered with its `http()`, served by its `getTestServer`
 * (Express and its body parsers in front) on 127.0.0.1. The same request
 * path as the plain server: CloudEvents, a Pub/Sub push, the Hono app with
 * every kind of body the parsers touch.
 */
import { gzipSync } from 'node:zlib'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { http } from '@google-cloud/functions-framework'
import { getTestServer } from '@google-cloud/functions-framework/testing'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigurationError, defineHandler, defineService, RetryableError, type CloudEvent, type Context } from 'faasade'
import { cloudRunLine, createCloudRunLogger, PUBSUB_TYPE, toHttpFunction } from 'faasade/cloud-run'

const seen: Array<{ event: CloudEvent; ctx: Context }> = []
const logs: Array<Record<string, unknown>> = []

const app = new Hono()
  .get('/orders/:id', (c) => c.json({ id: c.req.param('id'), q: c.req.queries('z') }))
  .post('/echo', async (c) => {
    const body = new Uint8Array(await c.req.arrayBuffer())
    return new Response(body, { headers: { 'content-type': 'application/octet-stream', 'x-got-type': c.req.header('content-type') ?? 'none', 'x-got-encoding': c.req.header('content-encoding') ?? 'none' } })
  })
  .get('/cookies', () => {
    const headers = new Headers()
    headers.append('set-cookie', 'a=1')
    headers.append('set-cookie', 'b=2; HttpOnly')
    return new Response(null, { status: 204, headers })
  })

const service = defineService({
  http: app,
  events: [
    defineHandler({
      type: 'com.example.order.placed',
      handle: (event, ctx) => {
        seen.push({ event, ctx })
        if ((event.data as { retry?: boolean } | undefined)?.retry) throw new RetryableError('later')
        return { ok: event.id }
      },
    }),
    defineHandler({ type: PUBSUB_TYPE, handle: (event, ctx) => void seen.push({ event, ctx }) }),
  ],
  cloudEvents: { path: '/' },
})

let server: Server
let url: string

beforeAll(async () => {
  const log = createCloudRunLogger((line, level) => void logs.push(JSON.parse(cloudRunLine(line, level)) as Record<string, unknown>))
  http('faasadeOrders', toHttpFunction(service, { log, timeoutSeconds: 60 }))
  server = getTestServer('faasadeOrders')
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve))
})

const binary = (id: string) => ({ 'ce-specversion': '1.0', 'ce-id': id, 'ce-source': '//shop.example.com', 'ce-type': 'com.example.order.placed', 'content-type': 'application/json' })

describe('toHttpFunction on the functions framework', () => {
  it('a binary-mode CloudEvent (the framework has parsed its JSON body) reaches the handler', async () => {
    const response = await fetch(url, { method: 'POST', headers: binary('ff-1'), body: JSON.stringify({ orderId: 'F1' }) })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ ok: 'ff-1' })
    const { event, ctx } = seen[seen.length - 1]!
    expect(event.data).toEqual({ orderId: 'F1' })
    expect(ctx.provider.name).toBe('cloud-run')
    expect(ctx.deadline - Date.now()).toBeGreaterThan(58_000)
  })

  it('structured mode, and a retry as 503', async () => {
    const structured = { specversion: '1.0', id: 'ff-2', source: '/s', type: 'com.example.order.placed', data: { retry: true } }
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/cloudevents+json' }, body: JSON.stringify(structured) })
    expect(response.status).toBe(503)
    expect(response.headers.get('content-type')).toBe('application/problem+json')
  })

  it('a malformed CloudEvent is our 400 problem, not the framework’s page', async () => {
    const { 'ce-source': _source, ...headers } = binary('ff-3')
    const response = await fetch(url, { method: 'POST', headers, body: '{}' })
    expect(response.status).toBe(400)
    expect(response.headers.get('content-type')).toBe('application/problem+json')
  })

  it('a Pub/Sub push envelope becomes one event, 204', async () => {
    const envelope = { message: { data: Buffer.from('{"n":1}').toString('base64'), messageId: '99', publishTime: '2026-12-01T00:00:00.000Z', attributes: { a: 'b' } }, subscription: 'projects/p/subscriptions/s', deliveryAttempt: 4 }
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(envelope) })
    expect(response.status).toBe(204)
    const { event, ctx } = seen[seen.length - 1]!
    expect(event).toMatchObject({ id: '99', type: PUBSUB_TYPE, data: { n: 1 }, a: 'b' })
    expect(ctx.attempt).toBe(4)
  })

  it('the app gets GET with repeated query keys, and every Set-Cookie goes back', async () => {
    expect(await (await fetch(`${url}/orders/7?z=1&z=2`)).json()).toEqual({ id: '7', q: ['1', '2'] })
    const cookies = await fetch(`${url}/cookies`)
    expect(cookies.status).toBe(204)
    expect(cookies.headers.getSetCookie()).toEqual(['a=1', 'b=2; HttpOnly'])
  })

  it.each([
    ['binary bytes', 'application/octet-stream', Uint8Array.from({ length: 256 }, (_, i) => i)],
    ['an image', 'image/png', Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff])],
    ['UTF-8 text', 'text/plain; charset=utf-8', new TextEncoder().encode('grüße, 世界')],
    ['JSON', 'application/json', new TextEncoder().encode('{"a":[1,2,3]}')],
    ['a form', 'application/x-www-form-urlencoded', new TextEncoder().encode('a=1&b=%C3%A9')],
  ])('the app gets %s as sent, though a body parser read them', async (_what, type, bytes) => {
    const response = await fetch(`${url}/echo`, { method: 'POST', headers: { 'content-type': type }, body: bytes })
    expect(response.headers.get('x-got-type')).toBe(type)
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(bytes)
  })

  it('a body with no content type, which no parser reads, still arrives', async () => {
    const { request } = await import('node:http')
    const bytes = Buffer.from([1, 2, 3, 250])
    const got = await new Promise<Buffer>((resolve, reject) => {
      const req = request(`${url}/echo`, { method: 'POST', headers: { 'content-length': String(bytes.length) } }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks)))
      })
      req.on('error', reject)
      req.end(bytes)
    })
    expect(new Uint8Array(got)).toEqual(new Uint8Array(bytes))
  })

  it('a gzip body arrives inflated, with headers that say so', async () => {
    const text = 'compressed '.repeat(50)
    const response = await fetch(`${url}/echo`, { method: 'POST', headers: { 'content-type': 'text/plain', 'content-encoding': 'gzip' }, body: gzipSync(text) })
    expect(response.headers.get('x-got-encoding')).toBe('none')
    expect(new TextDecoder().decode(await response.arrayBuffer())).toBe(text)
  })

  it('refuses options it does not know, the health paths among them', () => {
    expect(() => toHttpFunction(service, { health: false } as never)).toThrow(ConfigurationError)
    expect(() => toHttpFunction(service, { onDrop: 'never' } as never)).toThrow(/onDrop/)
  })
})
