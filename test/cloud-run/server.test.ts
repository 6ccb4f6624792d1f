/**
 * The plain server door on a real node:http server: CloudEvents in all
 * three modes and their outcomes, a Hono app (cookies, binary bodies,
 * waitUntil), the body limit, the health paths, and what a handler's
 * context says of Cloud Run.
 */
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { ConfigurationError, createEvent, defineHandler, defineService, encodeBatch, encodeStructured, PermanentError, RetryableError, type Context } from 'faasade'
import { cloudRunRequest, createServer, serve } from 'faasade/cloud-run'
import { startServer } from './support.js'

const binary = (type: string, id = 'evt-1') => ({
  'ce-specversion': '1.0',
  'ce-id': id,
  'ce-source': '//shop.example.com/checkout',
  'ce-type': type,
  'content-type': 'application/json',
})

let seen: Context | undefined
const placed = defineHandler({
  type: 'com.example.order.placed',
  handle: (event, ctx) => {
    seen = ctx
    return { ok: (event.data as { orderId: string }).orderId }
  },
})
const failing = defineHandler({
  type: 'com.example.order.failing',
  handle: (event) => {
    const how = (event.data as { how: string }).how
    if (how === 'permanent') throw new PermanentError('This order is blocked')
    if (how === 'later') throw new RetryableError('Busy', { retryAfterMs: 2_500 })
    throw new RetryableError('Dependency down')
  },
})

const app = new Hono()
  .get('/orders/:id', (c) => c.json({ id: c.req.param('id'), q: c.req.query('q') }))
  .post('/echo', async (c) => new Response(await c.req.arrayBuffer(), { status: 201, headers: { 'content-type': 'application/octet-stream', 'x-echo': 'yes' } }))
  .get('/cookies', () => {
    const headers = new Headers({ 'content-type': 'text/plain' })
    headers.append('set-cookie', 'a=1; Path=/; HttpOnly')
    headers.append('set-cookie', 'b=2; Expires=Wed, 21 Oct 2026 07:28:00 GMT')
    return new Response('two cookies', { headers })
  })
  .get('/later', (c) => {
    c.executionCtx.waitUntil(new Promise<void>((resolve) => setTimeout(() => ((finished = true), resolve()), 50)))
    return c.text('soon')
  })
  .get('/boom', () => {
    throw new Error('secret detail')
  })
  .onError((_error, c) => c.text('Internal Server Error', 500))
let finished = false

const service = defineService({ http: app, events: [placed, failing], cloudEvents: { path: '/' } })

describe('CloudEvents over HTTP', () => {
  it('binary mode: the handler result, 200', async () => {
    const { url } = await startServer(service)
    const response = await fetch(url, { method: 'POST', headers: binary('com.example.order.placed'), body: JSON.stringify({ orderId: 'A1' }) })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ ok: 'A1' })
  })

  it('structured mode', async () => {
    const { url } = await startServer(service)
    const { headers, body } = encodeStructured(createEvent({ id: 's-1', source: '/x', type: 'com.example.order.placed', data: { orderId: 'S1' } }))
    const response = await fetch(url, { method: 'POST', headers, body: body as string })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ ok: 'S1' })
  })

  it('batch mode: one entry an event, 503 when one is to retry', async () => {
    const { url } = await startServer(service)
    const events = [
      createEvent({ id: 'b-1', source: '/x', type: 'com.example.order.placed', data: { orderId: 'B1' } }),
      createEvent({ id: 'b-2', source: '/x', type: 'com.example.order.failing', data: { how: 'retry' } }),
    ]
    const { headers, body } = encodeBatch(events)
    const response = await fetch(url, { method: 'POST', headers, body: body as string })
    expect(response.status).toBe(503)
    const items = (await response.json()) as Array<{ id: string; outcome: string }>
    expect(items.map((i) => [i.id, i.outcome])).toEqual([
      ['b-1', 'ok'],
      ['b-2', 'retry'],
    ])
  })

  it('a malformed CloudEvent is a 400 problem', async () => {
    const { url } = await startServer(service)
    const { 'ce-id': _id, ...headers } = binary('com.example.order.placed')
    const response = await fetch(url, { method: 'POST', headers, body: '{}' })
    expect(response.status).toBe(400)
    expect(response.headers.get('content-type')).toBe('application/problem+json')
    expect(((await response.json()) as { title: string }).title).toBeTruthy()
  })

  it('retryable is 503, with retryAfterMs 429 + Retry-After, permanent 422', async () => {
    const { url } = await startServer(service)
    const send = (how: string) => fetch(url, { method: 'POST', headers: binary('com.example.order.failing'), body: JSON.stringify({ how }) })
    expect((await send('retry')).status).toBe(503)
    const later = await send('later')
    expect(later.status).toBe(429)
    expect(later.headers.get('retry-after')).toBe('3')
    const permanent = await send('permanent')
    expect(permanent.status).toBe(422)
    expect(permanent.headers.get('content-type')).toBe('application/problem+json')
  })

  it("gives the handler Cloud Run's context: provider, raw request, deadline from the timeout", async () => {
    const { url } = await startServer(service, { timeoutSeconds: 30, timeoutMarginMs: 500 })
    const before = Date.now()
    await fetch(`${url}/?from=test`, { method: 'POST', headers: { ...binary('com.example.order.placed'), traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }, body: JSON.stringify({ orderId: 'A2' }) })
    expect(seen!.provider.name).toBe('cloud-run')
    const raw = cloudRunRequest(seen!)!
    expect(raw.url).toBe('/?from=test')
    expect(raw.headers['ce-id']).toBe('evt-1')
    expect(new TextDecoder().decode(raw.body)).toBe('{"orderId":"A2"}')
    expect(seen!.deadline).toBeGreaterThanOrEqual(before + 29_500)
    expect(seen!.deadline).toBeLessThanOrEqual(Date.now() + 29_500)
    expect(seen!.invocation.traceparent).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')
  })

  it('takes the timeout from CLOUD_RUN_TIMEOUT_SECONDS, else 300 s', async () => {
    const { url } = await startServer(service)
    await fetch(url, { method: 'POST', headers: binary('com.example.order.placed'), body: JSON.stringify({ orderId: 'A3' }) })
    expect(seen!.deadline - Date.now()).toBeGreaterThan(299_000)
    expect(seen!.deadline - Date.now()).toBeLessThanOrEqual(300_000)
    process.env.CLOUD_RUN_TIMEOUT_SECONDS = '60'
    try {
      const other = await startServer(service)
      await fetch(other.url, { method: 'POST', headers: binary('com.example.order.placed'), body: JSON.stringify({ orderId: 'A4' }) })
      expect(seen!.deadline - Date.now()).toBeGreaterThan(59_000)
      expect(seen!.deadline - Date.now()).toBeLessThanOrEqual(60_000)
    } finally {
      delete process.env.CLOUD_RUN_TIMEOUT_SECONDS
    }
  })
})

describe('a Hono app', () => {
  it('gets the method, path, query, and answers with its status and JSON', async () => {
    const { url } = await startServer(service)
    const response = await fetch(`${url}/orders/42?q=yes`)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ id: '42', q: 'yes' })
  })

  it('echoes 256 binary bytes intact, with its own status and headers', async () => {
    const { url } = await startServer(service)
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i)
    const response = await fetch(`${url}/echo`, { method: 'POST', body: bytes, headers: { 'content-type': 'application/octet-stream' } })
    expect(response.status).toBe(201)
    expect(response.headers.get('x-echo')).toBe('yes')
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(bytes)
  })

  it('sends every Set-Cookie as its own header', async () => {
    const { url } = await startServer(service)
    const response = await fetch(`${url}/cookies`)
    expect(response.headers.getSetCookie()).toEqual(['a=1; Path=/; HttpOnly', 'b=2; Expires=Wed, 21 Oct 2026 07:28:00 GMT'])
    expect(await response.text()).toBe('two cookies')
  })

  it("finishes the app's waitUntil work before the response ends", async () => {
    const { url } = await startServer(service)
    finished = false
    const response = await fetch(`${url}/later`)
    expect(await response.text()).toBe('soon')
    expect(finished).toBe(true)
  })

  it("an app's own error handling stands: Hono's 500, nothing of the error", async () => {
    const { url } = await startServer(service)
    const response = await fetch(`${url}/boom`)
    expect(response.status).toBe(500)
    expect(await response.text()).not.toContain('secret detail')
  })

  it('a fetch function that throws is a 503 problem, logged, that says nothing of the error', async () => {
    const { url, logs } = await startServer({
      fetch: () => {
        throw new Error('secret detail')
      },
    })
    const response = await fetch(`${url}/anything`)
    expect(response.status).toBe(503)
    expect(response.headers.get('content-type')).toBe('application/problem+json')
    expect(await response.text()).not.toContain('secret detail')
    expect(logs.some((l) => l.severity === 'ERROR' && l.message === 'HTTP app failed')).toBe(true)
  })

  it("aborts the app's request signal when the client goes away, and serves the body it was sent", async () => {
    let aborted: (value: string) => void
    const abortedWith = new Promise<string>((resolve) => (aborted = resolve))
    const hono = new Hono()
      .post('/body', async (c) => c.text(await c.req.text()))
      .get('/hang', async (c) => {
        c.req.raw.signal.addEventListener('abort', () => aborted(String((c.req.raw.signal.reason as Error).message)))
        await new Promise((resolve) => setTimeout(resolve, 2_000))
        return c.text('too late')
      })
    const { url } = await startServer(hono)
    expect(await (await fetch(`${url}/body`, { method: 'POST', body: 'still here' })).text()).toBe('still here')
    const client = new AbortController()
    const pending = fetch(`${url}/hang`, { signal: client.signal }).catch(() => 'aborted')
    await new Promise((resolve) => setTimeout(resolve, 100))
    client.abort()
    expect(await pending).toBe('aborted')
    expect(await abortedWith).toMatch(/client closed the connection/)
  })

  it('a request no web Request can carry is a 400, not a retry', async () => {
    const { url } = await startServer(service)
    const { request } = await import('node:http')
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${url}/orders/1`, { method: 'TRACE' }, (res) => {
        res.resume()
        resolve(res.statusCode!)
      })
      req.on('error', reject)
      req.end()
    })
    expect(status).toBe(400)
  })
})

describe('the server', () => {
  it('refuses a body over maxBodyBytes with a 413, declared or not', async () => {
    const { url } = await startServer(service, { maxBodyBytes: 1_000 })
    const declared = await fetch(`${url}/echo`, { method: 'POST', body: new Uint8Array(1_001) })
    expect(declared.status).toBe(413)
    expect(declared.headers.get('content-type')).toBe('application/problem+json')
    // Chunked: no content-length, the count passes the limit while reading.
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 5; i++) controller.enqueue(new Uint8Array(400))
        controller.close()
      },
    })
    const chunked = await fetch(`${url}/echo`, { method: 'POST', body: stream, duplex: 'half' } as RequestInit)
    expect(chunked.status).toBe(413)
    const fits = await fetch(`${url}/echo`, { method: 'POST', body: new Uint8Array(1_000) })
    expect(fits.status).toBe(201)
  })

  it('a client that hangs up mid-body is a warning, and nothing runs', async () => {
    const { url, logs } = await startServer(service)
    const { connect } = await import('node:net')
    const { port } = new URL(url)
    await new Promise<void>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write('POST /echo HTTP/1.1\r\nhost: x\r\ncontent-length: 1000\r\n\r\nonly a little')
        setTimeout(() => socket.destroy(), 50)
      })
      socket.on('close', () => resolve())
      socket.on('error', reject)
    })
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(logs.filter((l) => l.severity === 'WARNING' && l.message === 'client closed the connection before its request was read')).toHaveLength(1)
    expect(logs.filter((l) => l.severity === 'ERROR')).toEqual([])
  })

  it("loses nothing at Cloud Run's default concurrency (80 at a time, 1,600 requests): every event handled once, every reply 200, then shuts down at once past its idle keep-alive connections", async () => {
    const handled = new Map<string, number>()
    const counting = defineService({
      http: app,
      events: [
        defineHandler({
          type: 'com.example.order.placed',
          handle: (event) => {
            handled.set(event.id, (handled.get(event.id) ?? 0) + 1)
            return { ok: event.id }
          },
        }),
      ],
      cloudEvents: { path: '/' },
    })
    const { url, logs, shutdown } = await startServer(counting)
    const total = 1_600
    let next = 0
    const statuses = new Map<number, number>()
    const lane = async () => {
      for (let i = next++; i < total; i = next++) {
        const response =
          i % 2 === 0
            ? await fetch(url, { method: 'POST', headers: binary('com.example.order.placed', `load-${i}`), body: JSON.stringify({ orderId: `L${i}` }) })
            : await fetch(`${url}/orders/${i}`)
        await response.arrayBuffer()
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1)
      }
    }
    await Promise.all(Array.from({ length: 80 }, lane))
    expect(Object.fromEntries(statuses)).toEqual({ 200: total })
    expect(handled.size).toBe(total / 2)
    expect([...handled.values()].every((times) => times === 1)).toBe(true)
    expect(logs.filter((l) => l.severity === 'ERROR' || l.severity === 'WARNING')).toEqual([])
    // fetch keeps its connections alive: shutdown closes them instead of waiting for the client.
    const stopping = Date.now()
    await shutdown()
    expect(Date.now() - stopping).toBeLessThan(1_000)
  }, 120_000)

  it('answers liveness and readiness itself, and readiness 503 once shutting down', async () => {
    const server = serve(service, { port: 0, host: '127.0.0.1', signals: false, log: createQuiet() })
    const { port } = await server.listening
    const url = `http://127.0.0.1:${port}`
    expect((await fetch(`${url}/_health/live`)).status).toBe(200)
    const ready = await fetch(`${url}/_health/ready`)
    expect(ready.status).toBe(200)
    expect(await ready.json()).toEqual({ status: 'ok' })
    await server.shutdown()
    await expect(fetch(`${url}/_health/live`)).rejects.toThrow()
  })

  it('takes other health paths, or none (the app gets them)', async () => {
    const hono = new Hono().get('/_health/live', (c) => c.text('the app'))
    const { url } = await startServer(hono, { health: false })
    expect(await (await fetch(`${url}/_health/live`)).text()).toBe('the app')
    const custom = await startServer(hono, { health: { live: '/alive', ready: false } })
    expect(await (await fetch(`${custom.url}/alive`)).json()).toEqual({ status: 'ok' })
    expect(await (await fetch(`${custom.url}/_health/live`)).text()).toBe('the app')
  })

  it('refuses an unknown or bad option when the module loads', () => {
    expect(() => createServer(service, { timeoutSecond: 5 } as never)).toThrow(ConfigurationError)
    expect(() => createServer(service, { timeoutSeconds: 0 })).toThrow(/timeoutSeconds must be a number above 0/)
    expect(() => serve(service, { port: 70_000 })).toThrow(/port must be an integer/)
    expect(() => createServer(service, { mappers: [{ kind: 'http', name: 'x', match: () => false, toRequest: () => ({}), toReply: () => ({}) }] as never })).toThrow(/kind 'events'/)
  })

  it('a PORT that is no port throws from serve, before anything listens', () => {
    process.env.PORT = 'eighty'
    try {
      expect(() => serve(service, { signals: false, log: createQuiet() })).toThrow(/PORT must be an integer/)
    } finally {
      delete process.env.PORT
    }
  })

  it('reads PORT from the environment', async () => {
    const { createServer: free } = await import('node:net')
    const probe = free().listen(0, '127.0.0.1')
    await new Promise((resolve) => probe.once('listening', resolve))
    const port = (probe.address() as { port: number }).port
    await new Promise((resolve) => probe.close(resolve))
    process.env.PORT = String(port)
    try {
      const server = serve(service, { host: '127.0.0.1', signals: false, log: createQuiet() })
      expect((await server.listening).port).toBe(port)
      await server.shutdown()
    } finally {
      delete process.env.PORT
    }
  })
})

function createQuiet() {
  const quiet = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet }
  return quiet
}
