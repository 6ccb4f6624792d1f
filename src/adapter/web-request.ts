/**
 * A plain HTTP request as the web `Request` an HTTP app (Hono) gets. A
 * client chooses the method and the header names and values; the `Request`
 * and `Headers` constructors refuse some of them with a TypeError, which an
 * adapter cannot tell from a bug and would answer with a retryable 5xx. So
 * they are checked first, and refused with a {@link ValidationError}: a 400
 * that names the field and never repeats the value.
 */
import { ValidationError } from '../errors.js'

/** The plain request {@link toWebRequest} reads. */
export interface PlainHttpRequest {
  /** Any case; sent in upper case. */
  readonly method: string
  /** Path and query string, as the client sent them: it must start with `/` (`/orders/1?x=2`). */
  readonly url: string
  /** The host the request was made to, when no `host` header says (API Gateway's `requestContext.domainName`). */
  readonly host?: string | undefined
  /** Lower-case names; an `undefined` value is left out. */
  readonly headers: Readonly<Record<string, string | undefined>>
  /** Dropped for GET and HEAD, which carry none. */
  readonly body?: string | Uint8Array | undefined
}

/**
 * The web `Request` for a plain request. The URL's scheme is `http` when
 * `x-forwarded-proto` says so and `https` otherwise; its host is the `host`
 * header, else `request.host`, else (or when neither makes a URL) `localhost`.
 *
 * Throws a {@link ValidationError} (HTTP 400) for what no `Request` can carry:
 * a method that is not an RFC 9110 token, or that fetch forbids (`CONNECT`,
 * `TRACE`, `TRACK`); a header name that is not a token; a header value with
 * CR, LF, NUL or a character above U+00FF; a `url` that is not a path. Its
 * issue path names the field (`method`, `headers`, `headers.<name>`, `url`);
 * neither its message nor its detail holds the value.
 *
 * @example
 * ```ts
 * // In an adapter: a malformed request is the client's 400, not the app's failure.
 * import { toWebRequest } from '../../src/adapter/web-request.js'
 * import { problemReply } from '../../src/http/problem.js'
 *
 * function requestFor(plain: PlainHttpRequest): Request | HttpReply {
 *   try {
 *     return toWebRequest(plain) // e.g. { method: 'post', url: '/orders?x=1', headers: { host: 'api.example.com' }, body: '{}' }
 *   } catch (error) {
 *     return problemReply(error) // a ValidationError: 400 application/problem+json
 *   }
 * }
 * ```
 */
export function toWebRequest(request: PlainHttpRequest): Request {
  const method = checkMethod(request.method)
  const { headers: fields, url: path } = request
  if (!path.startsWith('/')) throw refused(['url'], 'is not a path starting with /', 'The request URL is not a path')
  const headers = new Headers()
  for (const name in fields) {
    const value = fields[name]
    if (value === undefined) continue
    if (!TOKEN.test(name)) throw refused(['headers'], 'has a name that is not a valid token', 'A request header has a name that is not a valid HTTP field name')
    if (BAD_VALUE.test(value)) throw badValue(name, value)
    headers.append(name, value)
  }
  const scheme = fields['x-forwarded-proto'] === 'http' ? 'http' : 'https'
  const url = withHost(scheme, fields.host ?? request.host, path)
  const body = method === 'GET' || method === 'HEAD' ? undefined : request.body
  return new Request(url, { method, headers, body: body as BodyInit | undefined })
}

/**
 * An RFC 9110 token (`tchar`), the grammar of methods and field names alike.
 * Module-level regular expressions: compiled once, on first use.
 */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

/**
 * What `Headers` refuses in a value. It takes a value ending in CR LF (it
 * trims them); faasade refuses a line break anywhere, as an HTTP/1.1 parser
 * does, because in a value it is never the client's data. A code unit above
 * 0xFF (surrogates included) is no byte: see {@link badValue}.
 */
const BAD_VALUE = /[\0\n\r\u0100-\uffff]/

const HOST = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/

function checkMethod(method: string): string {
  // The token test comes before upper-casing: `toUpperCase` maps some
  // non-ASCII letters to ASCII ones (`ſ` to `S`), which would let a
  // non-token through as another method.
  if (!TOKEN.test(method)) throw refused(['method'], 'is not a valid token', 'The request method is not a valid HTTP method')
  const upper = method.toUpperCase()
  // Fetch forbids these (a tunnel, a trace of the request back to the
  // client). Nothing an app is given can serve them, and a retry would fail
  // the same way: 400, not 405, because a 405 must list the allowed methods
  // in `Allow`, and only the app knows them.
  if (upper === 'CONNECT' || upper === 'TRACE' || upper === 'TRACK') throw refused(['method'], 'is not one an HTTP app can be given', 'The request method is not one an HTTP app can be given')
  return upper
}

/**
 * A header value `Headers` cannot take. One above U+00FF is refused rather
 * than re-encoded: API Gateway hands the value decoded, and any bytes chosen
 * for it (UTF-8 read as Latin-1, as Node's own server would show it) would
 * reach the app as text the client never sent, silently. A 400 naming the
 * header tells the client what to fix.
 */
function badValue(name: string, value: string): ValidationError {
  const lineBreak = /[\0\n\r]/.test(value)
  const message = lineBreak ? 'holds a line break or NUL' : 'holds a character above U+00FF'
  const detail = lineBreak ? `The request header ${name} holds a line break or NUL character` : `The request header ${name} holds a character outside Latin-1 (above U+00FF)`
  return refused(['headers', name], message, detail)
}

/** The error for a field no `Request` can carry. Its texts name the field, never the value. */
function refused(path: readonly string[], message: string, detail: string): ValidationError {
  return new ValidationError(`Malformed HTTP request: ${path.join('.')} ${message}`, [{ message, path }], { detail })
}

/**
 * The URL with the host the client named, or `localhost`: a client chooses
 * its Host header, and one that makes no URL must not fail the request. The
 * pattern keeps out userinfo, paths and the like; `URL.canParse` the rest it
 * lets by (a port above 65535, `999.1.1.1`, `[:]`).
 */
function withHost(scheme: string, host: string | undefined, path: string): string {
  if (host !== undefined && HOST.test(host)) {
    const url = `${scheme}://${host}${path}`
    if (URL.canParse(url)) return url
  }
  return `${scheme}://localhost${path}`
}
