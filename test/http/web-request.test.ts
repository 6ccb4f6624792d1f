/**
 * `toWebRequest` of the adapter kit: a plain request as the web `Request` an
 * HTTP app gets. What a client controls (the method, header names and values)
 * is checked before the platform sees it, so that input the `Request` and
 * `Headers` constructors refuse is a 400 naming the field, not a platform
 * TypeError that an adapter would answer with a retryable 503.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isFaasadeError, ValidationError } from 'faasade'
import { toWebRequest } from '../../src/adapter/web-request.js'

type Input = Parameters<typeof toWebRequest>[0]

const base = (over: Partial<Input> = {}): Input => ({
  method: 'POST',
  url: '/orders/1?x=2',
  headers: { host: 'api.example.com', 'content-type': 'text/plain' },
  body: 'hello',
  ...over,
})

/** What `toWebRequest` threw, or a failure when it threw nothing or something else. */
function refusal(input: Input): ValidationError {
  try {
    toWebRequest(input)
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError)
    return error as ValidationError
  }
  throw new Error('toWebRequest accepted the request')
}

describe('toWebRequest: requests it builds', () => {
  it('method, URL from the host header, every header, and the body', async () => {
    const request = toWebRequest(base({ headers: { host: 'api.example.com', 'content-type': 'text/plain', 'x-a': '1' } }))
    expect(request.method).toBe('POST')
    expect(request.url).toBe('https://api.example.com/orders/1?x=2')
    expect(Object.fromEntries(request.headers)).toEqual({ host: 'api.example.com', 'content-type': 'text/plain', 'x-a': '1' })
    expect(await request.text()).toBe('hello')
  })

  it('bytes as the body', async () => {
    const request = toWebRequest(base({ body: new Uint8Array([0, 0xff, 7]) }))
    expect(new Uint8Array(await request.arrayBuffer())).toEqual(new Uint8Array([0, 0xff, 7]))
  })

  it('the trigger\'s host when no host header says, and http when x-forwarded-proto says so', () => {
    const request = toWebRequest(base({ headers: { 'x-forwarded-proto': 'http' }, host: 'id.execute-api.us-east-1.amazonaws.com' }))
    expect(request.url).toBe('http://id.execute-api.us-east-1.amazonaws.com/orders/1?x=2')
  })

  it.each(['GET', 'HEAD', 'get', 'head'])('%s: the body is dropped (a GET or HEAD request has none)', (method) => {
    const request = toWebRequest(base({ method }))
    expect(request.method).toBe(method.toUpperCase())
    expect(request.body).toBeNull()
  })

  it.each(['patch', 'Delete', 'propfind', 'M-SEARCH'])('method %s is served, in upper case', (method) => {
    expect(toWebRequest(base({ method })).method).toBe(method.toUpperCase())
  })

  // A client chooses its Host header: one that makes no URL must not fail the request.
  it.each(['evil.com/path?', 'user@evil.com', 'a b', '', 'api.example.com:99999', '[:]', '999.1.1.1', 'x:'])('host %j: the URL falls back to localhost', (host) => {
    expect(new URL(toWebRequest(base({ headers: { host } })).url).host).toBe('localhost')
  })

  it.each(['api.example.com:8443', '[::1]:3000', '192.0.2.1', 'localhost'])('host %j is kept', (host) => {
    expect(new URL(toWebRequest(base({ headers: { host } })).url).host).toBe(host)
  })

  // What the Headers constructor takes, however unusual, is served as it is.
  it.each([
    ['a Latin-1 letter', 'José'],
    ['obs-text bytes', '\u00a0\u00ff'],
    ['a tab inside', 'a\tb'],
    ['DEL and other controls that are not line breaks', 'a\u007f\u0001b'],
    ['the empty value', ''],
  ])('a header value with %s is kept', (_, value) => {
    expect(toWebRequest(base({ headers: { 'x-note': value } })).headers.get('x-note')).toBe(value)
  })

  it("a header name made of every token character is kept", () => {
    const name = "!#$%&'*+-.^_`|~09azAZ"
    expect(toWebRequest(base({ headers: { [name]: 'v' } })).headers.get(name)).toBe('v')
  })

  it('an undefined header is left out', () => {
    expect(toWebRequest(base({ headers: { 'x-gone': undefined, 'x-here': '1' } })).headers.has('x-gone')).toBe(false)
  })
})

interface Refused {
  name: string
  input: Input
  /** The issue path the error must name. */
  path: string
  /** Text of the bad input that must appear in no message, detail or problem (none for an empty one). */
  marker: string | undefined
}

const method = (m: string, marker = m): Omit<Refused, 'name'> => ({ input: base({ method: m }), path: 'method', marker })
const headerName = (n: string, marker = n): Omit<Refused, 'name'> => ({ input: base({ headers: { [n]: 'v' } }), path: 'headers', marker })
const headerValue = (v: string, marker: string): Omit<Refused, 'name'> => ({ input: base({ headers: { 'x-note': v } }), path: 'headers.x-note', marker })

const refused: Refused[] = [
  // Valid tokens that fetch forbids: a tunnel and a loop-back trace have no meaning for an app.
  { name: 'method CONNECT', ...method('CONNECT') },
  { name: 'method TRACE', ...method('TRACE') },
  { name: 'method TRACK', ...method('TRACK') },
  { name: 'method trace (any case)', ...method('trace') },
  { name: 'method with a space', ...method('GET /admin', '/admin') },
  { name: 'method with CR LF', ...method('GET\r\nx-injected: 1', 'x-injected') },
  { name: 'method with a separator', ...method('GE(T)', 'GE(T)') },
  { name: 'method beyond ASCII', ...method('GËT') },
  { name: 'empty method', input: base({ method: '' }), path: 'method', marker: undefined },
  { name: 'empty header name', input: base({ headers: { '': 'v' } }), path: 'headers', marker: undefined },
  { name: 'header name with a space', ...headerName('x note') },
  { name: 'header name with a colon', ...headerName('x:note') },
  { name: 'header name with CR LF', ...headerName('x\r\nx-injected', 'x-injected') },
  { name: 'header name beyond ASCII', ...headerName('x-naïve') },
  { name: 'header value with CR LF', ...headerValue('a\r\nx-injected: 1', 'x-injected') },
  { name: 'header value with a lone LF', ...headerValue('a\nx-injected: 1', 'x-injected') },
  { name: 'header value ending in CR LF', ...headerValue('a-trailing-value\r\n', 'a-trailing-value') },
  { name: 'header value with NUL', ...headerValue('before\u0000after', 'after') },
  { name: 'header value above U+00FF', ...headerValue('check ✓', '✓') },
  { name: 'header value with an emoji (a surrogate pair)', ...headerValue('ship it 🚀', '🚀') },
  { name: 'header value with a lone surrogate', ...headerValue('half \ud800', 'half') },
  { name: 'URL that is no path', input: base({ url: '@evil.com/' }), path: 'url', marker: 'evil' },
]

describe('toWebRequest: what it refuses, with a ValidationError naming the field', () => {
  it.each(refused)('$name', ({ input, path, marker }) => {
    const error = refusal(input)
    expect(isFaasadeError(error)).toBe(true)
    expect(error.status).toBe(400)
    expect(error.retryable).toBe(false)
    expect(error.issues.map((issue) => issue.path?.join('.'))).toEqual([path])
    expect(error.detail).toBeTypeOf('string')
    // The bad value is the client's: it goes back in no reply and into no log line.
    if (marker !== undefined) for (const text of [error.message, error.detail!, JSON.stringify(error.toProblem()), JSON.stringify(error.issues)]) expect(text).not.toContain(marker)
  })

  it('a bad header is refused whichever header it is', () => {
    expect(refusal(base({ headers: { host: 'api.example.com', 'x-ok': 'fine', 'x-note': 'check ✓' } })).issues[0]!.path).toEqual(['headers', 'x-note'])
  })

  it('the detail says what is wrong with a header value', () => {
    expect(refusal(base({ headers: { 'x-note': 'check ✓' } })).detail).toMatch(/x-note/)
    expect(refusal(base({ headers: { 'x-note': 'a\r\nb' } })).detail).toMatch(/x-note/)
  })
})

// Every code point, surrogates alone included, and the characters that matter most, more often.
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: fc.constantFrom('a', 'A', ' ', '\t', '\r', '\n', '\u0000', 'é', '\u00ff', '\u0100', '✓', '\ud800', ':', '(', '-'), maxLength: 6 }),
)
const anyMethod = fc.oneof(anyText, fc.constantFrom('GET', 'get', 'HEAD', 'head', 'POST', 'patch', 'CONNECT', 'trace', 'Track', 'M-SEARCH'))
// Hosts near the edge of the URL grammar: IPv4 numbers, IPv6 brackets, ports.
const label = fc.oneof(fc.nat(999).map(String), fc.constantFrom('a', 'example', '0x1f', '09', '-'))
const port = fc.option(fc.nat(99_999).map((n) => `:${n}`), { nil: '' })
const anyHost = fc.oneof(
  anyText,
  fc.tuple(fc.array(label, { minLength: 1, maxLength: 4 }), port).map(([labels, p]) => labels.join('.') + p),
  fc.tuple(fc.stringMatching(/^[0-9a-f:.]{1,12}$/), port).map(([address, p]) => `[${address}]${p}`),
)
const anyHeaders = fc.dictionary(fc.oneof(anyText, fc.constantFrom('host', 'x-forwarded-proto', 'content-type')), fc.oneof(anyText, anyHost, fc.constant('http')), { maxKeys: 4 })

describe('toWebRequest: properties', () => {
  it('any method, header name or value, host or path: a Request, or our ValidationError, never a platform TypeError', () => {
    fc.assert(
      fc.property(anyMethod, anyHeaders, fc.option(anyHost, { nil: undefined }), anyText, fc.option(fc.oneof(anyText, fc.uint8Array({ maxLength: 4 })), { nil: undefined }), (m, headers, host, path, body) => {
        let request: Request
        try {
          request = toWebRequest({ method: m, url: `/${path}`, headers, host, body })
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error
          return
        }
        expect(request.method).toBe(m.toUpperCase())
      }),
      { numRuns: 2_000 },
    )
  })

  it('a request of token method and valid headers is always built', () => {
    const token = fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,10}$/)
    const value = fc.string({ unit: fc.integer({ min: 0, max: 0xff }).filter((c) => c !== 0 && c !== 10 && c !== 13).map((c) => String.fromCharCode(c)), maxLength: 10 })
    fc.assert(
      fc.property(token.filter((t) => !['CONNECT', 'TRACE', 'TRACK'].includes(t.toUpperCase())), fc.dictionary(token, value, { maxKeys: 4 }), (m, headers) => {
        expect(toWebRequest({ method: m, url: '/', headers }).method).toBe(m.toUpperCase())
      }),
    )
  })
})
