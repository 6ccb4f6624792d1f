/**
 * The HTTP trigger, end to end through the library's own ProgrammingModel:
 * the host's RPC request becomes the library's `HttpRequest`, the adapter's
 * handler answers, and the library turns the answer into the RPC response
 * the host sends (status as text, headers, cookies, body bytes).
 */
import './support/host.js'
import { app } from '@azure/functions'
import { Hono } from 'hono'
import { beforeAll, describe, expect, it } from 'vitest'
import { createEvent, defineService, encodeBatch, encodeBinary, encodeStructured } from 'faasade'
import { toAzureFunctions } from 'faasade/azure-functions'
import { httpReply, recordingHandler, userLines } from './helpers.js'
import { bindingsOf, invoke, type RpcHttp } from './support/host.js'

const BASE = 'http://localhost:7071/api'
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'

const ce = createEvent({ id: 'ce-1', source: '/orders', type: 'com.example.order.placed', subject: 'café', datacontenttype: 'application/json', data: { orderId: 'A1' } })

/** The RPC HTTP data of a request, the body as bytes (what the host sends for a body it does not know as text). */
function rpc(method: string, path: string, headers: Record<string, string>, body?: string | Uint8Array): { http: RpcHttp } {
  const http: RpcHttp = { method, url: `${BASE}${path}`, headers }
  if (body !== undefined) http.body = { bytes: typeof body === 'string' ? Buffer.from(body) : body }
  return { http }
}

// What the host passes for a browser's GET (header names as the browser wrote them).
const browserHeaders = {
  Accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  Connection: 'keep-alive',
  Host: 'localhost:7071',
  'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
  'Accept-Language': 'en-GB,en;q=0.9',
  'sec-ch-ua-platform': '"Linux"',
  'Sec-Fetch-Mode': 'navigate',
}

const seenRequests: { url: string; headers: Record<string, string>; env: unknown }[] = []
const later: string[] = []
const hono = new Hono()
  .get('/api/hello', (c) => {
    seenRequests.push({ url: c.req.url, headers: Object.fromEntries(c.req.raw.headers), env: c.env })
    c.executionCtx.waitUntil(new Promise<void>((resolve) => setTimeout(() => (later.push('flushed'), resolve()), 20)))
    c.header('set-cookie', 'sid=abc123; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=3600', { append: true })
    c.header('set-cookie', 'theme=dark; Domain=example.com; Expires=Wed, 09 Jun 2027 10:18:14 GMT; SameSite=None', { append: true })
    c.header('x-two', 'a')
    c.header('x-two', 'b', { append: true })
    return c.text('hi café', 201)
  })
  .post('/api/echo', async (c) => new Response(new Uint8Array(await c.req.arrayBuffer()), { headers: { 'content-type': c.req.header('content-type') ?? 'application/octet-stream' } }))

const recorder = recordingHandler()
const azure = toAzureFunctions(defineService({ http: hono, events: [recorder.handler], cloudEvents: { path: '/api/orders' } }))
const eventsOnly = toAzureFunctions(recorder.handler, { maxBodyBytes: 200 })
// An app that lets an error out (Hono answers its own with a 500 unless onError rethrows).
const throwing = toAzureFunctions(
  defineService({
    http: {
      fetch: () => {
        throw new Error('database password is hunter2')
      },
    },
  }),
)

beforeAll(() => {
  app.http('api', { methods: ['GET', 'POST'], authLevel: 'anonymous', route: '{*path}', handler: azure.http })
  app.http('events', { methods: ['POST'], authLevel: 'function', handler: eventsOnly.http })
  app.http('throwing', { methods: ['GET'], authLevel: 'anonymous', handler: throwing.http })
})

describe('registration', () => {
  it('is an ordinary app.http function: the host sees an httpTrigger and an http $return', () => {
    const bindings = Object.values(bindingsOf('api'))
    expect(bindings).toContainEqual(expect.objectContaining({ type: 'httpTrigger', direction: 'in', authLevel: 'anonymous', methods: ['GET', 'POST'], route: '{*path}' }))
    expect(bindingsOf('api').$return).toMatchObject({ type: 'http', direction: 'out' })
  })
})

describe('CloudEvents over HTTP go to the event handlers', () => {
  it('binary mode: the event as sent, the Azure request and context as ctx.provider.raw, the trace context and invocation id', async () => {
    recorder.seen.length = 0
    const { headers, body } = encodeBinary(ce)
    const result = await invoke('api', { input: rpc('POST', '/orders', headers, body), traceContext: { traceParent: TRACEPARENT, traceState: 'az=1', attributes: {} }, invocationId: 'inv-binary' })
    const reply = httpReply(result)
    expect(reply.statusCode).toBe('200')
    expect(reply.headers['content-type']).toBe('application/json')
    expect(JSON.parse(reply.text)).toEqual({ ok: 'ce-1' })
    expect(seenRequests).toHaveLength(0)
    const [{ event, ctx }] = recorder.seen as [(typeof recorder.seen)[0]]
    expect({ ...event }).toEqual({ ...ce })
    expect(ctx.provider.name).toBe('azure-functions')
    const raw = ctx.provider.raw as { input: { url: string; method: string }; context: { invocationId: string; functionName: string } }
    expect(raw.input.url).toBe(`${BASE}/orders`)
    expect(raw.context).toMatchObject({ invocationId: 'inv-binary', functionName: 'api' })
    expect(ctx.invocation).toMatchObject({ requestId: 'inv-binary', traceparent: TRACEPARENT, tracestate: 'az=1' })
  })

  it('structured mode and batch mode', async () => {
    recorder.seen.length = 0
    const structured = encodeStructured(ce)
    expect(httpReply(await invoke('api', { input: rpc('POST', '/orders', structured.headers, structured.body) })).statusCode).toBe('200')
    const second = createEvent({ ...ce, id: 'ce-2', data: { fail: 'permanent' } })
    const batch = encodeBatch([ce, second])
    const reply = httpReply(await invoke('api', { input: rpc('POST', '/orders', batch.headers, batch.body) }))
    expect(reply.statusCode).toBe('422')
    expect(JSON.parse(reply.text).map((item: { outcome: string }) => item.outcome)).toEqual(['ok', 'drop'])
    expect(recorder.seen.map((s) => s.event.id)).toEqual(['ce-1', 'ce-1', 'ce-2'])
  })

  it("the core's statuses for handler outcomes: 503 retried, 422 dropped", async () => {
    const status = async (data: unknown) => {
      const { headers, body } = encodeStructured(createEvent({ ...ce, data }))
      return httpReply(await invoke('events', { input: rpc('POST', '/events', headers, body) })).statusCode
    }
    expect(await status({ fail: 'retry' })).toBe('503')
    expect(await status({ fail: 'throw' })).toBe('503')
    expect(await status({ fail: 'permanent' })).toBe('422')
  })
})

describe('anything else goes to the Hono app', () => {
  it('the URL, method and headers as the host handed them; Set-Cookie lines as Azure cookies; waitUntil work done before the reply', async () => {
    later.length = 0
    seenRequests.length = 0
    const result = await invoke('api', { input: rpc('GET', '/hello?x=1&x=2', browserHeaders) })
    expect(later).toEqual(['flushed'])
    const [request] = seenRequests
    expect(request!.url).toBe(`${BASE}/hello?x=1&x=2`)
    expect(request!.headers).toMatchObject({ host: 'localhost:7071', 'user-agent': browserHeaders['User-Agent'], 'sec-fetch-mode': 'navigate' })
    expect(request!.env).toMatchObject({ input: expect.objectContaining({ url: `${BASE}/hello?x=1&x=2` }), context: expect.objectContaining({ functionName: 'api' }) })
    const reply = httpReply(result)
    expect(reply.statusCode).toBe('201')
    expect(reply.text).toBe('hi café')
    expect(reply.headers).toEqual({ 'content-type': 'text/plain; charset=UTF-8', 'x-two': 'a, b' })
    expect(reply.cookies).toEqual([
      expect.objectContaining({ name: 'sid', value: 'abc123', path: { value: '/' }, httpOnly: { value: true }, secure: { value: true }, sameSite: 'lax', maxAge: { value: 3600 } }),
      expect.objectContaining({ name: 'theme', value: 'dark', domain: { value: 'example.com' }, sameSite: 'explicitNone', expires: { value: { seconds: Date.parse('2027-06-09T10:18:14Z') / 1000 } } }),
    ])
  })

  it('a binary body goes in and comes out byte for byte', async () => {
    const bytes = new Uint8Array([0, 1, 2, 0x80, 0xfe, 0xff, 0x0d, 0x0a])
    const reply = httpReply(await invoke('api', { input: rpc('POST', '/echo', { 'Content-Type': 'image/png' }, bytes) }))
    expect(reply.statusCode).toBe('200')
    expect(reply.headers['content-type']).toBe('image/png')
    expect([...reply.body.bytes]).toEqual([...bytes])
  })

  it("an app that throws is the core's 503 problem that says nothing of the error, logged in full through context.error", async () => {
    const result = await invoke('throwing', { input: rpc('GET', '/throwing', {}) })
    const reply = httpReply(result)
    expect(reply.statusCode).toBe('503')
    expect(reply.headers['content-type']).toBe('application/problem+json')
    expect(reply.text).not.toContain('hunter2')
    const [line] = userLines(result)
    expect(line).toMatchObject({ level: 'error', line: { level: 'error', msg: 'HTTP app failed', trigger: 'http' } })
  })
})
