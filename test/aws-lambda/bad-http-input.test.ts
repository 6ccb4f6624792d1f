/**
 * A client chooses the method and the header names and values of an HTTP
 * request. Those the web `Request` and `Headers` constructors refuse (fetch's
 * forbidden methods, non-tokens, CR/LF/NUL, characters above U+00FF) can
 * never be served: each must be a 400 problem+json naming the field, never a
 * 5xx that tells the caller to retry, and the bad value is echoed neither in
 * the reply nor in a log line. Through `toLambda` on every HTTP shape.
 */
import { describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { toLambda } from 'faasade/aws-lambda'
import { albEvent, albMultiValueEvent, apiGatewayV1Event, apiGatewayV2Event } from './events.js'
import { captureLog, lambdaContext } from './helpers.js'

type Event = Record<string, any>

/**
 * A Function URL request in the shape Lambda delivers it (payload format 2.0,
 * no route, a `lambda-url` host): the Powertools test event
 * `lambda--get-request`, fewer browser headers and a real-looking host.
 */
const functionUrlEvent = (): Event => ({
  version: '2.0',
  routeKey: '$default',
  rawPath: '/',
  rawQueryString: '',
  headers: {
    'x-forwarded-proto': 'https',
    'x-forwarded-port': '443',
    'x-forwarded-for': '123.123.123.123',
    accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
    'x-amzn-trace-id': 'Root=1-62ecd163-5f302e550dcde3b12402207d',
    host: 'abcdefghij.lambda-url.us-east-1.on.aws',
    'user-agent': 'Mozilla/5.0 (X11; Linux x86_64)',
  },
  requestContext: {
    accountId: 'anonymous',
    apiId: 'abcdefghij',
    domainName: 'abcdefghij.lambda-url.us-east-1.on.aws',
    domainPrefix: 'abcdefghij',
    http: { method: 'GET', path: '/', protocol: 'HTTP/1.1', sourceIp: '123.123.123.123', userAgent: 'agent' },
    requestId: 'id',
    routeKey: '$default',
    stage: '$default',
    time: '05/Aug/2022:08:14:39 +0000',
    timeEpoch: 1659687279885,
  },
  isBase64Encoded: false,
})

interface Bad {
  method?: string
  header?: readonly [name: string, value: string]
}

/** Each HTTP shape, with a way to put a method and a header into it where that shape carries them. */
const shapes: Record<string, (bad: Bad) => Event> = {
  'API Gateway REST (v1)': ({ method, header }) => {
    const event: Event = apiGatewayV1Event()
    if (method !== undefined) event.httpMethod = event.requestContext.httpMethod = method
    // API Gateway sends both maps; the adapter reads the multi-value one.
    if (header) {
      event.headers[header[0]] = header[1]
      event.multiValueHeaders[header[0]] = [header[1]]
    }
    return event
  },
  'API Gateway HTTP API (v2)': ({ method, header }) => {
    const event: Event = apiGatewayV2Event()
    if (method !== undefined) event.requestContext.http.method = method
    if (header) event.headers[header[0]] = header[1]
    return event
  },
  'Function URL': ({ method, header }) => {
    const event = functionUrlEvent()
    if (method !== undefined) event.requestContext.http.method = method
    if (header) event.headers[header[0]] = header[1]
    return event
  },
  'ALB, single-value headers': ({ method, header }) => {
    const event: Event = albEvent()
    if (method !== undefined) event.httpMethod = method
    if (header) event.headers[header[0]] = header[1]
    return event
  },
  'ALB, multi-value headers': ({ method, header }) => {
    const event: Event = albMultiValueEvent()
    if (method !== undefined) event.httpMethod = method
    // The bad value after a good one: every value of a header is checked, not the first.
    if (header) event.multiValueHeaders[header[0]] = ['fine', header[1]]
    return event
  },
}

interface Case {
  name: string
  bad: Bad
  status: number
  /** The issue path the problem names. */
  path: string
  /** Text of the bad input that must appear in no reply and no log line (none for an empty one). */
  marker: string | undefined
}

const cases: Case[] = [
  // Tokens that fetch forbids: a tunnel or a loop-back trace means nothing to an app.
  ...['CONNECT', 'TRACE', 'TRACK', 'trace'].map((method): Case => ({ name: `forbidden method ${method}`, bad: { method }, status: 400, path: 'method', marker: method })),
  { name: 'method with a space', bad: { method: 'GET /admin' }, status: 400, path: 'method', marker: '/admin' },
  { name: 'method with CR LF', bad: { method: 'GET\r\nx-injected: 1' }, status: 400, path: 'method', marker: 'x-injected' },
  { name: 'method with a separator', bad: { method: 'GE(T)' }, status: 400, path: 'method', marker: 'GE(T)' },
  { name: 'empty header name', bad: { header: ['', 'v'] }, status: 400, path: 'headers', marker: undefined },
  { name: 'header name with a space', bad: { header: ['x note', 'v'] }, status: 400, path: 'headers', marker: 'x note' },
  { name: 'header name with a colon', bad: { header: ['x:note', 'v'] }, status: 400, path: 'headers', marker: 'x:note' },
  { name: 'header name with CR LF', bad: { header: ['x\r\nx-injected', 'v'] }, status: 400, path: 'headers', marker: 'x-injected' },
  { name: 'header name beyond ASCII', bad: { header: ['x-naïve', 'v'] }, status: 400, path: 'headers', marker: 'naïve' },
  { name: 'header value with CR LF', bad: { header: ['x-note', 'a\r\nx-injected: 1'] }, status: 400, path: 'headers.x-note', marker: 'x-injected' },
  { name: 'header value with NUL', bad: { header: ['x-note', 'before\u0000after'] }, status: 400, path: 'headers.x-note', marker: 'after' },
  { name: 'header value above U+00FF', bad: { header: ['x-note', 'check ✓'] }, status: 400, path: 'headers.x-note', marker: '✓' },
  { name: 'header value with an emoji', bad: { header: ['x-note', 'ship it 🚀'] }, status: 400, path: 'headers.x-note', marker: '🚀' },
]

/** The reply's status, content type and body, whichever shape it has. */
function readReply(reply: Event) {
  const contentType: unknown = reply.headers?.['content-type'] ?? reply.multiValueHeaders?.['content-type']?.[0]
  return { status: reply.statusCode as number, contentType, body: reply.body as string }
}

/** A Hono app that counts the requests it got. */
function countingApp() {
  const app = new Hono()
  const seen: string[] = []
  app.all('*', (c) => {
    seen.push(c.req.method)
    return c.text('served')
  })
  return { app, seen }
}

describe.each(Object.entries(shapes))('%s', (_, build) => {
  it.each(cases)('$name: a $status problem naming the field, and the app never runs', async ({ bad, status, path, marker }) => {
    const { app, seen } = countingApp()
    const { log, lines } = captureLog()
    const reply = readReply((await toLambda(app, { log })(build(bad), lambdaContext())) as Event)
    expect(reply.status).toBe(status)
    expect(reply.contentType).toBe('application/problem+json')
    const problem = JSON.parse(reply.body) as { status: number; detail?: string; issues?: { path?: string }[] }
    expect(problem.status).toBe(status)
    expect(problem.detail).toBeTypeOf('string')
    expect(problem.issues?.map((issue) => issue.path)).toEqual([path])
    expect(seen).toEqual([])
    if (marker !== undefined) {
      expect(reply.body).not.toContain(marker)
      for (const line of lines) expect(JSON.stringify(line)).not.toContain(marker)
    }
  })

  // What the platform takes, however unusual, still reaches the app.
  it.each([
    { name: 'a lower-case method', bad: { method: 'get' } },
    { name: 'a method that is a token fetch allows', bad: { method: 'PROPFIND' } },
    { name: 'a Latin-1 header value', bad: { header: ['x-note', 'José'] as const } },
    { name: 'a header name of token symbols', bad: { header: ["x-a!#$%&'*+.^_`|~", 'v'] as const } },
  ])('$name is served', async ({ bad }) => {
    const { app, seen } = countingApp()
    const reply = readReply((await toLambda(app, { log: captureLog().log })(build(bad), lambdaContext())) as Event)
    expect(reply.status).toBe(200)
    expect(seen).toHaveLength(1)
  })
})

// Payload format 2.0 carries cookies in their own array; they reach the app as a Cookie header.
describe.each(['API Gateway HTTP API (v2)', 'Function URL'] as const)('%s: cookies', (shape) => {
  it('a cookie above U+00FF is a 400 naming the cookie header', async () => {
    const { app, seen } = countingApp()
    const event = shapes[shape]!({})
    event.cookies = ['session=abc', 'note=check ✓']
    const reply = readReply((await toLambda(app, { log: captureLog().log })(event, lambdaContext())) as Event)
    expect(reply.status).toBe(400)
    expect(JSON.parse(reply.body).issues).toEqual([expect.objectContaining({ path: 'headers.cookie' })])
    expect(reply.body).not.toContain('✓')
    expect(seen).toEqual([])
  })
})
