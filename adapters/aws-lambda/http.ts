/**
 * HTTP between Lambda's JSON shapes and plain requests and replies. A
 * request that carries a CloudEvent is served from these plain values; only
 * an HTTP app (Hono) gets a web `Request`, because Node 20 pays about 25 ms
 * the first time one is built (docs/architecture.md).
 */
import { toWebRequest as toPlatformRequest } from '../../src/adapter/web-request.js'
import { ValidationError } from '../../src/errors.js'
import { mediaType, type HttpReply } from '../../src/http/message.js'
import type { AlbResult, ApiGatewayV1Result, ApiGatewayV2Result } from './lambda-types.js'
import type { HttpReplyParts, LambdaHttpRequest } from './mapper.js'

type Single = Record<string, string | undefined | null> | null | undefined
type Multi = Record<string, readonly (string | null | undefined)[] | undefined | null> | null | undefined

/**
 * Lower-case header names; repeated headers joined with `, ` (RFC 9110),
 * cookies with `; ` (RFC 6265). Multi-value headers win when the event has them.
 * The map has no prototype, so any token, `__proto__` included, is a name.
 */
export function readHeaders(single: Single, multi: Multi, cookies?: readonly string[]): Record<string, string> {
  // No prototype: a client names its headers, and in a `{}` `constructor`,
  // `toString`, … would read back Object.prototype's members (joined into
  // the value as text) and `__proto__` would go to the prototype setter.
  // Here each is an own key like any other.
  const headers = Object.create(null) as Record<string, string>
  const add = (name: string, value: string) => {
    const key = name.toLowerCase()
    const previous = headers[key]
    headers[key] = previous === undefined ? value : `${previous}${key === 'cookie' ? '; ' : ', '}${value}`
  }
  if (isRecord(multi)) {
    for (const name in multi) {
      const values = multi[name]
      if (Array.isArray(values)) for (const value of values) if (typeof value === 'string') add(name, value)
    }
  } else if (isRecord(single)) {
    for (const name in single) {
      const value = single[name]
      if (typeof value === 'string') add(name, value)
    }
  }
  if (cookies && cookies.length > 0) add('cookie', cookies.join('; '))
  return headers
}

/**
 * A query string from parameters. API Gateway hands them decoded, so they are
 * encoded again; a load balancer hands them as the client sent them (`raw`).
 */
export function readQuery(single: Single, multi: Multi, raw = false): string {
  const encode = raw ? (s: string) => s : encodeURIComponent
  const parts: string[] = []
  if (isRecord(multi)) {
    for (const name in multi) {
      const values = multi[name]
      if (Array.isArray(values)) for (const value of values) if (typeof value === 'string') parts.push(`${encode(name)}=${encode(value)}`)
    }
  } else if (isRecord(single)) {
    for (const name in single) {
      const value = single[name]
      if (typeof value === 'string') parts.push(`${encode(name)}=${encode(value)}`)
    }
  }
  return parts.length > 0 ? `?${parts.join('&')}` : ''
}

/** The body as sent: bytes when Lambda base64-encoded it, else text. */
export function readBody(body: unknown, isBase64Encoded: unknown): Uint8Array | string | undefined {
  if (body === undefined || body === null) return undefined
  if (typeof body !== 'string') throw badField('body', 'must be a string')
  return isBase64Encoded === true ? new Uint8Array(Buffer.from(body, 'base64')) : body
}

/** A method the request can carry, or a clear 400. */
export function readMethod(method: unknown, field: string): string {
  if (typeof method !== 'string' || method === '') throw badField(field, 'must be a non-empty string')
  return method.toUpperCase()
}

/** The error for a field of an HTTP event that cannot be read: a 400, never a crash. */
export function badField(field: string, message: string): ValidationError {
  return new ValidationError(`Malformed Lambda HTTP event: ${field} ${message}`, [{ message, path: field.split('.') }], { detail: `The HTTP event's ${field} ${message}` })
}

/**
 * The web `Request` an HTTP app gets. Built only for an app: it is what
 * costs (see above). A method or header no `Request` can carry (`TRACE`, a
 * header value with CR LF or above U+00FF, …) throws a `ValidationError`:
 * a 400 for the client, not a failure of the app.
 *
 * @example
 * ```ts
 * import { toWebRequest } from 'faasade/aws-lambda'
 *
 * const request = toWebRequest({ method: 'GET', url: '/orders/1', headers: { host: 'api.example.com' } })
 * request.url // 'https://api.example.com/orders/1'
 * ```
 */
export function toWebRequest(request: LambdaHttpRequest): Request {
  return toPlatformRequest(request)
}

/** A reply of the core (a CloudEvent outcome, a problem) in Lambda's parts. */
export function fromCoreReply(reply: HttpReply): HttpReplyParts {
  const { body } = reply
  if (body === undefined || typeof body === 'string') return { status: reply.status, headers: reply.headers, cookies: [], body: body ?? '', isBase64Encoded: false }
  return { status: reply.status, headers: reply.headers, cookies: [], body: Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('base64'), isBase64Encoded: true }
}

/** An app's `Response` in Lambda's parts: text stays text, anything else is base64. */
export async function fromResponse(response: Response): Promise<HttpReplyParts> {
  const { headers, cookies } = responseHeaders(response)
  if (response.body === null) return { status: response.status, headers, cookies, body: '', isBase64Encoded: false }
  const bytes = Buffer.from(await response.arrayBuffer())
  const text = isTextual(headers['content-type']) && headers['content-encoding'] === undefined
  return { status: response.status, headers, cookies, body: bytes.toString(text ? 'utf8' : 'base64'), isBase64Encoded: !text }
}

/** An app's response headers as Lambda replies carry them: `Set-Cookie` values apart, every other header by name. */
export function responseHeaders(response: Response): { headers: Record<string, string>; cookies: string[] } {
  const headers: Record<string, string> = {}
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value
  })
  return { headers, cookies: response.headers.getSetCookie() }
}

const TEXTUAL_APPLICATION = new Set(['javascript', 'ecmascript', 'x-www-form-urlencoded', 'graphql'])

/**
 * Whether a body of this type is text that API Gateway can carry as it is:
 * `text/*`, SVG, and the `application/` types of JavaScript, forms, GraphQL,
 * JSON and XML (`json`, `json-seq`, `xml-dtd`, a `+json` or `+xml` suffix).
 * String tests, not one regular expression: compiling that cost the first
 * reply of a cold start about 0.25 ms.
 */
export function isTextual(contentType: string | undefined): boolean {
  const type = mediaType(contentType)
  if (type === undefined) return false
  if (type.startsWith('text/') || type === 'image/svg+xml') return true
  if (!type.startsWith('application/')) return false
  const subtype = type.slice(12)
  // The JSON or XML part: the suffix after the last +, else the whole subtype.
  const format = subtype.slice(subtype.lastIndexOf('+') + 1)
  return TEXTUAL_APPLICATION.has(subtype) || /^(?:json|xml)(?:$|-)/.test(format)
}

/** API Gateway REST (v1): every `Set-Cookie` in `multiValueHeaders`, the rest in `headers`. */
export function v1Reply(parts: HttpReplyParts): ApiGatewayV1Result {
  const multiValueHeaders: Record<string, string[]> = {}
  if (parts.cookies.length > 0) multiValueHeaders['set-cookie'] = [...parts.cookies]
  return { statusCode: parts.status, headers: { ...parts.headers }, multiValueHeaders, body: parts.body, isBase64Encoded: parts.isBase64Encoded }
}

/** API Gateway HTTP API (v2) and Function URLs: `Set-Cookie` values go in `cookies`. */
export function v2Reply(parts: HttpReplyParts): ApiGatewayV2Result {
  return { statusCode: parts.status, headers: { ...parts.headers }, cookies: [...parts.cookies], body: parts.body, isBase64Encoded: parts.isBase64Encoded }
}

/**
 * A load balancer reads `multiValueHeaders` when the target group has
 * multi-value headers on (the request then has them too) and `headers`
 * otherwise, where only one `Set-Cookie` fits: the first is kept.
 */
export function albReply(parts: HttpReplyParts, multiValue: boolean): AlbResult {
  const base = { statusCode: parts.status, statusDescription: statusDescription(parts.status), body: parts.body, isBase64Encoded: parts.isBase64Encoded }
  if (multiValue) {
    const multiValueHeaders: Record<string, string[]> = {}
    for (const name in parts.headers) multiValueHeaders[name] = [parts.headers[name]!]
    if (parts.cookies.length > 0) multiValueHeaders['set-cookie'] = [...parts.cookies]
    return { ...base, multiValueHeaders }
  }
  const headers = { ...parts.headers }
  if (parts.cookies.length > 0) headers['set-cookie'] = parts.cookies[0]!
  return { ...base, headers }
}

const REASONS: Record<number, string> = {
  200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content', 206: 'Partial Content',
  301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 304: 'Not Modified', 307: 'Temporary Redirect', 308: 'Permanent Redirect',
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 406: 'Not Acceptable',
  409: 'Conflict', 410: 'Gone', 413: 'Content Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Content', 429: 'Too Many Requests',
  500: 'Internal Server Error', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
}

/** `"200 OK"`, as a load balancer's `statusDescription` reads. */
export function statusDescription(status: number): string {
  const reason = REASONS[status]
  return reason === undefined ? String(status) : `${status} ${reason}`
}

function isRecord<T extends object>(value: T | null | undefined): value is T {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
