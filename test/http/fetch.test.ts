/**
 * createFetchHandler end to end with web Request/Response, and once over a
 * real socket: plain HTTP goes to the Hono app, CloudEvents go to the event
 * handlers, and an oversized body is refused without being read.
 */
import { connect } from 'node:net'
import { serve as listen, type ServerType } from '@hono/node-server'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createEvent,
  createFetchHandler,
  createLogger,
  decodeCloudEvents,
  defineHandler,
  defineService,
  encodeBatch,
  encodeBinary,
  encodeStructured,
  type CloudEvent,
  type Context,
  type Problem,
} from 'faasade'

const silent = createLogger({ sink: () => {} })
const seen: Array<{ event: CloudEvent; ctx: Context }> = []
const placed = defineHandler({
  type: 'com.example.order.placed',
  handle: (event, ctx) => {
    seen.push({ event, ctx })
    return { charged: (event.data as { orderId: string }).orderId }
  },
})
const reply = defineHandler({
  type: 'com.example.order.quote',
  handle: () => createEvent({ id: 'q-1', source: '/quotes', type: 'com.example.quote.made', data: { price: 5 } }),
})
const http = new Hono<{ Bindings: { region: string } }>()
  .get('/health', (c) => c.json({ ok: true, region: c.env?.region }))
  .post('/orders', async (c) => c.json({ created: await c.req.json() }, 201))
const service = defineService({ http, events: [placed, reply], cloudEvents: { path: ['/', '/orders'] } })
const handle = createFetchHandler(service, { log: silent, provider: 'test-host' })

const url = 'http://localhost/'
const order = (id: string, type = 'com.example.order.placed') => createEvent({ id, source: '/shop', type, data: { orderId: `A${id}` } })
type Encoded = { headers: Record<string, string>; body?: string | Uint8Array }
const toRequest = (encoded: Encoded, path = '') => new Request(url + path, { method: 'POST', headers: encoded.headers, body: encoded.body as BodyInit | undefined })
const send = (encoded: Encoded) => handle(toRequest(encoded), { region: 'eu' }, { waitUntil: () => {} })

async function problem(response: Response, status: number): Promise<Problem> {
  expect(response.status).toBe(status)
  expect(response.headers.get('content-type')).toBe('application/problem+json')
  const body = await response.text()
  expect(body).not.toMatch(/\n\s+at |\.ts:\d+/)
  return JSON.parse(body) as Problem
}

describe('createFetchHandler with a Hono app', () => {
  it('sends plain HTTP to the app, with env', async () => {
    const health = await handle(new Request(`${url}health`), { region: 'eu' })
    expect(health.status).toBe(200)
    expect(await health.json()).toEqual({ ok: true, region: 'eu' })
    const created = await handle(new Request(`${url}orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"id":1}' }))
    expect(created.status).toBe(201)
    expect(await created.json()).toEqual({ created: { id: 1 } })
    expect((await handle(new Request(`${url}nowhere`))).status).toBe(404)
  })

  it('sends binary, structured and batch CloudEvents to the handlers on the service\'s cloudEvents paths', async () => {
    seen.length = 0
    const binary = await send(encodeBinary(order('1')))
    expect(binary.status).toBe(200)
    expect(await binary.json()).toEqual({ charged: 'A1' })
    const structured = await handle(toRequest(encodeStructured(order('2')), 'orders'))
    expect(await structured.json()).toEqual({ charged: 'A2' })
    const batch = await send(encodeBatch([order('3'), order('4')]))
    expect(batch.status).toBe(200)
    expect(await batch.json()).toEqual([
      { id: '3', source: '/shop', outcome: 'ok', result: { charged: 'A3' } },
      { id: '4', source: '/shop', outcome: 'ok', result: { charged: 'A4' } },
    ])
    expect(seen.map((s) => s.event.id)).toEqual(['1', '2', '3', '4'])
  })

  it('gives handlers the provider name and the native request, env and execution context', async () => {
    seen.length = 0
    await send(encodeBinary(order('5')))
    const { ctx } = seen[0]!
    expect(ctx.provider.name).toBe('test-host')
    const raw = ctx.provider.raw as { request: Request; env: unknown; executionContext: unknown }
    expect(raw.request).toBeInstanceOf(Request)
    expect(raw.env).toEqual({ region: 'eu' })
    expect(raw.executionContext).toHaveProperty('waitUntil')
  })

  it('answers a returned CloudEvent in binary mode', async () => {
    const response = await send(encodeBinary(order('6', 'com.example.order.quote')))
    expect(response.status).toBe(200)
    expect(response.headers.get('ce-type')).toBe('com.example.quote.made')
    const headers = Object.fromEntries(response.headers.entries())
    expect(decodeCloudEvents({ method: 'POST', headers, body: new Uint8Array(await response.arrayBuffer()) })[0]).toMatchObject({ id: 'q-1', data: { price: 5 } })
  })

  it('answers a CloudEvent no handler accepts with a 503 problem (a fault of the deployment), not the app', async () => {
    const body = await problem(await send(encodeBinary(order('7', 'com.example.invoice.sent'))), 503)
    expect(body.detail).toContain('com.example.invoice.sent')
  })

  it('sends CloudEvents on any other path or method to the app: ce-* headers never bypass its routes or auth', async () => {
    seen.length = 0
    const http = new Hono().all('*', (c) => c.json({ app: c.req.path }, 403))
    const guarded = createFetchHandler(defineService({ http, events: [placed], cloudEvents: { path: '/events' } }), { log: silent })
    const elsewhere = await guarded(toRequest(encodeBinary(order('9')), 'admin/delete'))
    expect(elsewhere.status).toBe(403)
    expect(await elsewhere.json()).toEqual({ app: '/admin/delete' })
    const wrongMethod = await guarded(new Request('http://localhost/events', { method: 'PUT', headers: encodeBinary(order('10')).headers, body: '{}' }))
    expect(wrongMethod.status).toBe(403)
    // No route at all: the app gets everything.
    const unrouted = createFetchHandler(defineService({ http, events: [placed] }), { log: silent })
    expect((await unrouted(toRequest(encodeBinary(order('11'))))).status).toBe(403)
    expect(seen).toEqual([])
    expect((await guarded(toRequest(encodeBinary(order('12')), 'events'))).status).toBe(200)
  })

  it('refuses a delivery cloudEvents.authorize refuses with a 401 problem, running nothing; a throwing hook refuses too', async () => {
    seen.length = 0
    const http = new Hono()
    const token = (headers: Record<string, string>) => ({ ...headers, authorization: 'Bearer s3cret' })
    const authorize = (r: { headers: Readonly<Record<string, string | undefined>> }) => r.headers.authorization === 'Bearer s3cret'
    const guarded = createFetchHandler(defineService({ http, events: [placed], cloudEvents: { path: '/events', authorize } }), { log: silent })
    const anonymous = await guarded(toRequest(encodeBinary(order('20')), 'events'))
    expect((await problem(anonymous, 401)).title).toBe('Unauthorized')
    expect(seen).toEqual([])
    const encoded = encodeBinary(order('21'))
    const allowed = await guarded(toRequest({ ...encoded, headers: token(encoded.headers as Record<string, string>) }, 'events'))
    expect(allowed.status).toBe(200)
    const throwing = createFetchHandler(defineService({ http, events: [placed], cloudEvents: { path: '/events', authorize: () => { throw new Error('boom') } } }), { log: silent })
    expect((await throwing(toRequest(encodeBinary(order('22')), 'events'))).status).toBe(401)
    expect(seen.map((s) => s.event.id)).toEqual(['21'])
  })

  it('hands every request to an app that has no event handlers, CloudEvents too (the app may read ce-* headers itself)', async () => {
    const app = new Hono().post('*', (c) => c.json({ type: c.req.header('ce-type') ?? null }))
    const encoded = encodeBinary(order('8'))
    const response = await createFetchHandler(app, { log: silent })(new Request('https://x/hook', { method: 'POST', headers: encoded.headers, body: encoded.body as string }))
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ type: 'com.example.order.placed' })
  })

  it('answers a malformed CloudEvent with a 400 problem naming the attribute', async () => {
    const body = await problem(await send({ headers: { 'ce-specversion': '1.0', 'ce-id': '1', 'ce-source': '/s' } }), 400)
    expect(body.issues).toEqual([{ message: 'is required', path: 'type' }])
  })

  it('refuses a declared Content-Length over the limit with 413 before reading the body', async () => {
    let pulls = 0
    const body = new ReadableStream<Uint8Array>({ pull: (controller) => void (pulls++, controller.enqueue(new Uint8Array(1024))) }, { highWaterMark: 0 })
    const small = createFetchHandler(service, { log: silent, maxBodyBytes: 1000 })
    const request = new Request(url, { method: 'POST', headers: { ...encodeStructured(order('8')).headers, 'content-length': '1001' }, body, duplex: 'half' } as RequestInit)
    const body413 = await problem(await small(request), 413)
    expect(body413.detail).toContain('1000')
    expect(pulls).toBe(0)
    expect(request.bodyUsed).toBe(false)
  })

  it('stops reading a body without Content-Length as soon as it passes the limit', async () => {
    let pulls = 0
    const body = new ReadableStream<Uint8Array>(
      { pull: (controller) => void (++pulls > 1000 ? controller.close() : controller.enqueue(new Uint8Array(512))) },
      { highWaterMark: 0 },
    )
    const small = createFetchHandler(service, { log: silent, maxBodyBytes: 1000 })
    const request = new Request(url, { method: 'POST', headers: encodeStructured(order('8')).headers, body, duplex: 'half' } as RequestInit)
    expect(request.headers.get('content-length')).toBeNull()
    await problem(await small(request), 413)
    expect(pulls).toBeLessThanOrEqual(4)
  })

  it('logs a refused body as serveCloudEvents does', async () => {
    const lines: string[] = []
    const small = createFetchHandler(service, { log: createLogger({ sink: (line) => lines.push(line) }), maxBodyBytes: 10 })
    await problem(await small(toRequest(encodeStructured(order('10')))), 413)
    expect(lines.map((line) => JSON.parse(line) as { level: string; msg: string; status: number })).toMatchObject([{ level: 'warn', msg: 'request rejected', status: 413 }])
  })

  it('takes a body at the limit', async () => {
    const encoded = encodeStructured(order('9'))
    const size = new TextEncoder().encode(encoded.body as string).byteLength
    const exact = createFetchHandler(service, { log: silent, maxBodyBytes: size })
    expect((await exact(toRequest(encoded))).status).toBe(200)
    const under = createFetchHandler(service, { log: silent, maxBodyBytes: size - 1 })
    await problem(await under(toRequest(encoded)), 413)
  })
})

describe('createFetchHandler without an HTTP app', () => {
  const eventsOnly = createFetchHandler(placed, { log: silent })

  it('answers a request that is not a CloudEvent with a 400 problem', async () => {
    const body = await problem(await eventsOnly(new Request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })), 400)
    expect(body.detail).toMatch(/CloudEvent/)
    expect(body.issues?.map((i) => i.path)).toEqual(['content-type'])
    await problem(await eventsOnly(new Request(`${url}health`)), 400)
  })

  it('answers an event format it does not read with 415, even with an HTTP app', async () => {
    const request = new Request(url, { method: 'POST', headers: { 'content-type': 'application/cloudevents+avro' }, body: new Uint8Array([1]) })
    const body = await problem(await handle(request), 415)
    expect(body.issues?.map((i) => i.path)).toEqual(['content-type'])
  })
})

describe('over a real socket (@hono/node-server)', () => {
  let server: ServerType
  let port = 0
  beforeAll(async () => {
    const fetch = createFetchHandler(service, { log: silent, maxBodyBytes: 1024 })
    await new Promise<void>((resolve) => {
      server = listen({ fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
        port = info.port
        resolve()
      })
    })
  })
  const close = () => {
    // Keep-alive sockets from fetch would hold close() open until the client drops them.
    if ('closeAllConnections' in server) server.closeAllConnections()
    return new Promise<void>((resolve) => server.close(() => resolve()))
  }
  afterAll(close)
  process.once('exit', () => server?.close())

  /** Writes `text` and resolves with the response head, leaving the rest of the request unsent. */
  const rawRequest = (text: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.write(text))
      let received = ''
      socket.setEncoding('utf8')
      socket.on('data', (chunk: string) => {
        received += chunk
        if (received.includes('\r\n\r\n')) {
          socket.destroy()
          resolve(received)
        }
      })
      socket.on('error', reject)
    })

  it('serves a binary-mode event sent by fetch', async () => {
    const encoded = encodeBinary(createEvent({ id: 's-1', source: '/shop', type: 'com.example.order.placed', subject: 'Zürich 100%', data: { orderId: 'S1' } }))
    const response = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', headers: encoded.headers, body: encoded.body as BodyInit })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ charged: 'S1' })
  })

  it('answers 413 to a Content-Length over the limit while the body has not been sent', async () => {
    const head = await rawRequest(['POST / HTTP/1.1', 'Host: 127.0.0.1', 'Content-Type: application/cloudevents+json', 'Content-Length: 7000000', '', ''].join('\r\n'))
    expect(head).toMatch(/^HTTP\/1\.1 413 /)
    expect(head.toLowerCase()).toContain('content-type: application/problem+json')
  })

  it('answers 413 to a chunked body once it passes the limit, without waiting for its end', async () => {
    const head = await rawRequest(['POST / HTTP/1.1', 'Host: 127.0.0.1', 'Content-Type: application/cloudevents+json', 'Transfer-Encoding: chunked', '', `800\r\n${'x'.repeat(0x800)}\r\n`].join('\r\n'))
    expect(head).toMatch(/^HTTP\/1\.1 413 /)
  })
})
