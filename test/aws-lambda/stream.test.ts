/**
 * Response streaming (`toLambdaStream`) without the Lambda runtime: the
 * handler writes the HTTP metadata prelude, 8 zero bytes, then the body as
 * the app produces it, to a stream that records each write. (The same
 * function under the real runtime client: runtime.test.ts.)
 */
import { describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { createEvent, encodeBinary } from 'faasade'
import { toLambdaStream, type ResponseStream } from 'faasade/aws-lambda'
import { apiGatewayV2Event, scheduledEvent } from './events.js'
import { captureLog, fixture, lambdaContext, recordingHandler } from './helpers.js'

/** A response stream that records its writes; `full` writes in a row report backpressure once each. */
function recordingStream(full = 0) {
  const writes: Uint8Array[] = []
  let contentType: string | undefined
  let ended = false
  let drains = 0
  let pendingDrain: (() => void) | undefined
  const stream: ResponseStream = {
    write(chunk) {
      writes.push(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk)
      if (full-- > 0) return false
      return true
    },
    end() {
      ended = true
    },
    once(_event, listener) {
      drains++
      pendingDrain = listener
      setTimeout(() => pendingDrain?.(), 1)
      return stream
    },
    setContentType(type) {
      contentType = type
    },
  }
  return {
    stream,
    get ended() {
      return ended
    },
    get drains() {
      return drains
    },
    get contentType() {
      return contentType
    },
    writes,
    /** The prelude and the body, split at the 8 zero bytes. */
    parsed() {
      const all = Buffer.concat(writes)
      const cut = all.indexOf(Buffer.alloc(8))
      return { prelude: JSON.parse(all.subarray(0, cut).toString()), body: all.subarray(cut + 8).toString() }
    },
  }
}

const url = (path: string, method = 'GET') => ({
  ...apiGatewayV2Event(),
  rawPath: path,
  rawQueryString: '',
  body: undefined,
  cookies: undefined,
  requestContext: { ...apiGatewayV2Event().requestContext, http: { method, path } },
})

describe('toLambdaStream', () => {
  const app = new Hono()
    .get('/ticks', (c) => {
      c.header('set-cookie', 'a=1', { append: true })
      c.header('set-cookie', 'b=2', { append: true })
      const body = new ReadableStream<Uint8Array>({
        async start(controller) {
          for (const tick of ['one\n', 'two\n', 'three\n']) {
            controller.enqueue(new TextEncoder().encode(tick))
            await new Promise((r) => setTimeout(r, 2))
          }
          controller.close()
        },
      })
      c.header('content-type', 'text/event-stream')
      return c.body(body)
    })
    .get('/broken', () => {
      let pulls = 0
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (pulls++ === 0) controller.enqueue(new TextEncoder().encode('partial'))
          else controller.error(new Error('disk gone'))
        },
      })
      return new Response(body)
    })

  it('writes the prelude (status, headers, cookies), then each chunk as the app produces it', async () => {
    const out = recordingStream()
    await toLambdaStream(app)(url('/ticks'), out.stream, lambdaContext())
    expect(out.contentType).toBe('application/vnd.awslambda.http-integration-response')
    expect(out.parsed()).toEqual({ prelude: { statusCode: 200, headers: { 'content-type': 'text/event-stream' }, cookies: ['a=1', 'b=2'] }, body: 'one\ntwo\nthree\n' })
    // prelude, delimiter, then three separate body writes: not buffered into one.
    expect(out.writes.slice(2).map((w) => Buffer.from(w).toString())).toEqual(['one\n', 'two\n', 'three\n'])
    expect(out.ended).toBe(true)
  })

  it('waits for drain when the stream is full', async () => {
    const out = recordingStream(4)
    await toLambdaStream(app)(url('/ticks'), out.stream, lambdaContext())
    expect(out.drains).toBeGreaterThanOrEqual(2)
    expect(out.parsed().body).toBe('one\ntwo\nthree\n')
  })

  it('a body that fails midway: logged, the stream ended', async () => {
    const { log, lines } = captureLog()
    const out = recordingStream()
    await toLambdaStream(app, { log })(url('/broken'), out.stream, lambdaContext())
    expect(out.parsed()).toMatchObject({ prelude: { statusCode: 200 }, body: 'partial' })
    expect(out.ended).toBe(true)
    expect(lines).toEqual([expect.objectContaining({ level: 'error', msg: 'HTTP app failed' })])
  })

  it('a CloudEvent over a Function URL goes to the event handler', async () => {
    const { handler, seen } = recordingHandler()
    const encoded = encodeBinary(createEvent({ id: 's1', source: '/s', type: 't', datacontenttype: 'application/json', data: { a: 1 } }))
    const out = recordingStream()
    await toLambdaStream(handler)({ ...url('/', 'POST'), headers: encoded.headers, body: encoded.body }, out.stream, lambdaContext())
    expect(seen.map((s) => s.event.id)).toEqual(['s1'])
    expect(out.parsed()).toEqual({ prelude: { statusCode: 200, headers: { 'content-type': 'application/json' }, cookies: [] }, body: '{"ok":"s1"}' })
  })

  it('a malformed Function URL event is a 400 prelude (lambda--invalid)', async () => {
    const out = recordingStream()
    await toLambdaStream(app, { log: captureLog().log })(fixture('lambda--invalid'), out.stream, lambdaContext())
    expect(out.parsed().prelude).toMatchObject({ statusCode: 400, headers: { 'content-type': 'application/problem+json' } })
  })

  it('any other event is served as toLambda serves it, its reply written as JSON', async () => {
    const out = recordingStream()
    await toLambdaStream(recordingHandler().handler)({ specversion: '1.0', id: 'd1', source: '/s', type: 't' }, out.stream, lambdaContext())
    expect(Buffer.concat(out.writes).toString()).toBe('{"ok":"d1"}')
    const none = recordingStream()
    await toLambdaStream(recordingHandler().handler)(scheduledEvent(), none.stream, lambdaContext())
    expect(Buffer.concat(none.writes).toString()).toBe('null')
  })

  it('is marked with awslambda.streamifyResponse when the runtime defines it', () => {
    const marked: unknown[] = []
    const g = globalThis as { awslambda?: unknown }
    g.awslambda = { streamifyResponse: (h: unknown) => (marked.push(h), h) }
    try {
      const handler = toLambdaStream(app)
      expect(marked).toEqual([handler])
    } finally {
      delete g.awslambda
    }
  })
})
