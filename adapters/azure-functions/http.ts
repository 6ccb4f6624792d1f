/**
 * Azure's `HttpRequest` in, `HttpResponseInit` out. The request becomes a
 * web `Request` with the URL, method, headers and body bytes the host
 * handed over (its scheme and host included, which a path and a header
 * record would lose); the reply's `Set-Cookie` lines become Azure
 * `cookies`, because the host keeps one value a header name and would
 * drop all but the last cookie.
 */
import { ValidationError } from '../../src/errors.js'
import type { HttpReply } from '../../src/http/message.js'
import type { Logger } from '../../src/logger.js'
import type { Cookie, HttpRequest, HttpResponseInit } from './azure-types.js'

/**
 * The web `Request` for an Azure `HttpRequest`. Throws a `ValidationError`
 * (a 400 that names no value) for what a `Request` refuses. The library
 * already built one from the same fields, so this is a guard, not a path a
 * host request takes.
 *
 * @example
 * ```ts
 * const web = await toWebRequestFrom(request)   // new Request(request.url, { method, headers, body: request.body, duplex: 'half' })
 * ```
 */
export async function toWebRequestFrom(request: HttpRequest): Promise<Request> {
  const method = request.method
  // The library's request already holds the body as a stream (the bytes the
  // host sent, or with enableHttpStream the client's body as it arrives):
  // passed on as it is, it is read once, by whoever reads the new request,
  // instead of copied out and wrapped again. GET and HEAD carry none.
  const body = method === 'GET' || method === 'HEAD' ? undefined : request.body
  try {
    return new Request(request.url, { method, headers: request.headers, body, duplex: 'half' } as RequestInit)
  } catch (error) {
    if (!(error instanceof TypeError)) throw error
    throw new ValidationError('Malformed HTTP request: no web Request can carry it', [{ message: 'refused by Request', path: ['request'] }], {
      detail: 'The request has a method, URL or header that no web Request can carry',
    })
  }
}

const encoder = new TextEncoder()

/**
 * The kit's plain reply as Azure's `HttpResponseInit`. The body always goes
 * as bytes: a string body would make Azure add `text/plain` where the reply
 * has no `content-type` of its own.
 *
 * @example
 * ```ts
 * fromReply({ status: 400, headers: { 'content-type': 'application/problem+json' }, body: '{…}' })
 * // { status: 400, headers: { 'content-type': 'application/problem+json' }, body: Uint8Array }
 * ```
 */
export function fromReply(reply: HttpReply): HttpResponseInit {
  const body = typeof reply.body === 'string' ? encoder.encode(reply.body) : (reply.body ?? new Uint8Array(0))
  return { status: reply.status, headers: { ...reply.headers }, body }
}

/**
 * The app's `Response` as Azure's `HttpResponseInit`: every header but
 * `set-cookie` as it is (a repeated one joined with `, `), each
 * `Set-Cookie` line as a `Cookie`, and the body as bytes, or, with `stream`
 * (the app set up with `enableHttpStream`), as the stream it is, which the
 * library sends on chunk by chunk as the app writes it. Rejects when the
 * body stream fails (not streamed: once sent, a stream's failure cuts the
 * reply short).
 *
 * @example
 * ```ts
 * await fromResponse(new Response('hi', { headers: [['set-cookie', 'a=1; Path=/'], ['set-cookie', 'b=2']] }))
 * // { status: 200, headers: [['content-type', 'text/plain;charset=UTF-8']], cookies: [{ name: 'a', value: '1', path: '/' }, { name: 'b', value: '2' }], body }
 * ```
 */
export async function fromResponse(response: Response, log?: Logger, stream = false): Promise<HttpResponseInit> {
  const headers: [string, string][] = []
  for (const [name, value] of response.headers) if (name !== 'set-cookie') headers.push([name, value])
  const cookies: Cookie[] = []
  for (const line of response.headers.getSetCookie()) {
    const cookie = parseSetCookie(line)
    if (cookie) cookies.push(cookie)
    // Said, never silent; the value is not logged: a cookie may be a session.
    else log?.warn('Set-Cookie line without a name=value pair not sent', { header: 'set-cookie' })
  }
  const body = stream ? response.body : new Uint8Array(await response.arrayBuffer())
  return cookies.length > 0 ? { status: response.status, headers, cookies, body } : { status: response.status, headers, body }
}

/**
 * One `Set-Cookie` line as Azure's `Cookie`, or `undefined` when it has no
 * `name=value` pair (a browser ignores such a line too, RFC 6265 5.2).
 * Attributes Azure's `Cookie` has no field for (`Partitioned`, `Priority`)
 * are not sent; the value goes as written.
 *
 * @example
 * ```ts
 * parseSetCookie('sid=abc; Path=/; HttpOnly; SameSite=lax; Max-Age=60')
 * // { name: 'sid', value: 'abc', path: '/', httpOnly: true, sameSite: 'Lax', maxAge: 60 }
 * ```
 */
export function parseSetCookie(line: string): Cookie | undefined {
  const [pair = '', ...attributes] = line.split(';')
  const eq = pair.indexOf('=')
  if (eq < 0) return undefined
  const name = pair.slice(0, eq).trim()
  if (name === '') return undefined
  const cookie: Cookie = { name, value: pair.slice(eq + 1).trim() }
  for (const attribute of attributes) {
    const at = attribute.indexOf('=')
    const key = (at < 0 ? attribute : attribute.slice(0, at)).trim().toLowerCase()
    const value = at < 0 ? '' : attribute.slice(at + 1).trim()
    if (key === 'domain' && value !== '') cookie.domain = value
    else if (key === 'path' && value !== '') cookie.path = value
    else if (key === 'secure') cookie.secure = true
    else if (key === 'httponly') cookie.httpOnly = true
    else if (key === 'expires') {
      const time = Date.parse(value)
      if (!Number.isNaN(time)) cookie.expires = new Date(time)
    } else if (key === 'max-age' && /^-?\d+$/.test(value)) cookie.maxAge = Number(value)
    else if (key === 'samesite') {
      const same = value.toLowerCase()
      if (same === 'strict') cookie.sameSite = 'Strict'
      else if (same === 'lax') cookie.sameSite = 'Lax'
      else if (same === 'none') cookie.sameSite = 'None'
    }
  }
  return cookie
}
