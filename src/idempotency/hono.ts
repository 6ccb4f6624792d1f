/**
 * `idempotency()`: Hono middleware for the `Idempotency-Key` request header
 * (IETF httpapi draft "The Idempotency-Key HTTP Header Field"). The first
 * request with a key runs and its response (status, headers, body) is
 * stored; a retry with the same key gets that response again, marked
 * `idempotent-replayed: true`.
 *
 * Only types come from `hono`: this file adds no byte of Hono to a bundle
 * that does not already have it.
 */
import type { Context as HonoContext, MiddlewareHandler } from 'hono'
import { ConfigurationError } from '../errors.js'
import { problemReply } from '../http/problem.js'
import { routeContext } from '../http/route-context.js'
import { createLogger, type Logger } from '../logger.js'
import { checkOptions } from '../middleware.js'
import { IdempotencyInProgressError, IdempotencyKeyMissingError, IdempotencyResultError, IdempotencyStoreError } from './errors.js'
import { createGuard } from './guard.js'
import { storeKey } from './key.js'
import { COMMON_OPTIONS, guardConfig, type CommonOptions } from './options.js'
import { fromBase64, toBase64 } from '../http/message.js'
import { canonicalJson } from './canonical-json.js'
import { sha256Bytes, utf8 } from './hash.js'

/** Options of {@link idempotency}. */
export interface IdempotencyOptions extends CommonOptions {
  /**
   * Refuse a request without the header (400 problem+json). Without it,
   * such a request runs as if the middleware were not there.
   * @defaultValue false
   */
  required?: boolean
  /**
   * Methods the header applies to; other requests pass through. GET, PUT
   * and DELETE are idempotent by definition.
   * @defaultValue ['POST', 'PATCH']
   */
  methods?: readonly string[]
  /**
   * Whose key it is: the caller your auth middleware verified (a user or
   * account id from `c.get(...)`), never a header the client sets freely.
   * Keys of different scopes never meet, so one caller cannot be handed
   * another's response by sending the same key. With a scope, one caller's
   * retry is recognised after its token was refreshed. Returning `undefined`
   * (no caller established) falls back to the credentials, as without it.
   * @defaultValue the credentials the request carries: a hash of its
   * `Authorization` and `Cookie` headers and of any in `credentialHeaders`
   */
  scope?: (c: HonoContext) => string | undefined | Promise<string | undefined>
  /**
   * Headers that identify the caller besides `Authorization` and `Cookie`
   * (an API key header, say), for the default scope. Requests without any
   * of them share keys with one another.
   * @defaultValue none
   */
  credentialHeaders?: readonly string[]
  /** Namespace of the keys in the store, when several apps share one. @defaultValue 'http' */
  name?: string
  /** Where store faults and unrecordable responses are logged. @defaultValue a JSON logger on standard output */
  log?: Logger
}

/** A response as stored, and replayed. */
interface StoredResponse {
  readonly status: number
  readonly headers: readonly (readonly [string, string])[]
  readonly body: string
  readonly encoding: 'utf8' | 'base64'
}

const KNOWN = [...COMMON_OPTIONS, 'required', 'methods', 'scope', 'credentialHeaders', 'name', 'log']
// What identifies a caller on nearly every API: the default scope.
const CREDENTIAL_HEADERS = ['authorization', 'cookie']
const MAX_KEY_LENGTH = 255
// Hop-by-hop and per-reply headers make no sense twice; a cookie is not
// replayed to whoever holds the key.
const NOT_REPLAYED = new Set([
  'connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'proxy-authenticate', 'proxy-authorization',
  'content-length', 'date', 'set-cookie',
])
// Statuses that invite the client to try again: the key is released, not spent on them.
const RETRY_STATUSES = new Set([408, 409, 425, 429])
const NULL_BODY = new Set([101, 204, 205, 304])
const TEXTUAL = /^(text\/|application\/([\w.+-]+\+)?(json|xml)\b|application\/(javascript|x-www-form-urlencoded)\b)/i

/**
 * Makes POST and PATCH routes safe to retry with an `Idempotency-Key`
 * header. Outcomes, every error body problem+json (RFC 9457):
 *
 * | request | reply |
 * |---|---|
 * | first with this key | runs; the response is stored unless the route threw or answered 408, 409, 425, 429 or 5xx |
 * | same key, same method, path and body | the stored response, with `idempotent-replayed: true` |
 * | same key while the first still runs | 409, `Retry-After` the rest of its lease |
 * | same key, different method, path or body | 422 |
 * | no key where `required` | 400 (a malformed key too) |
 * | the store is down | 503 (or, with `onStoreError: 'run'`, the route runs) |
 *
 * A response that cannot be stored (larger than the store takes) is still
 * sent; the key is released and the failure logged.
 *
 * A key is the caller's own: by default it is scoped by a hash of the
 * credentials the request carries (`Authorization`, `Cookie`, and the
 * headers in `credentialHeaders`), so that a caller who sends another's key
 * with other credentials runs the route rather than being handed the
 * other's response. Better, pass a `scope` that reads the caller your auth
 * middleware established, as below: then a retry with a refreshed token is
 * still recognised, and a cookie that changes between requests does not
 * defeat the key.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono'
 * import { idempotency } from 'faasade/idempotency'
 * import { redisStore } from 'faasade/idempotency/redis'
 *
 * const app = new Hono()
 * app.use('/payments/*', jwt({ secret, alg: 'HS256' }))            // from 'hono/jwt': verifies, sets jwtPayload
 * app.use('/payments/*', idempotency({
 *   store: redisStore(redis),
 *   required: true,
 *   scope: (c) => c.get('jwtPayload')?.sub,                        // the verified caller, not a header the client sets
 * }))
 * app.post('/payments', async (c) => c.json(await charge(await c.req.json()), 201))
 * ```
 */
export function idempotency(options: IdempotencyOptions = {}): MiddlewareHandler {
  checkOptions('idempotency', options, KNOWN)
  const config = guardConfig('idempotency', options)
  const required = options.required ?? false
  if (typeof required !== 'boolean') throw new ConfigurationError('idempotency: required must be a boolean')
  const methodList: unknown = options.methods ?? ['POST', 'PATCH']
  if (!Array.isArray(methodList) || methodList.length === 0 || !methodList.every((m) => typeof m === 'string')) {
    throw new ConfigurationError('idempotency: methods must be a non-empty list of HTTP methods')
  }
  const methods = new Set(methodList.map((m: string) => m.toUpperCase()))
  const scope = options.scope
  if (scope !== undefined && typeof scope !== 'function') throw new ConfigurationError('idempotency: scope must be a function of the Hono context')
  const extra: unknown = options.credentialHeaders ?? []
  if (!Array.isArray(extra) || !extra.every((h) => typeof h === 'string' && h !== '')) {
    throw new ConfigurationError('idempotency: credentialHeaders must be a list of header names')
  }
  const credentialHeaders = [...new Set([...CREDENTIAL_HEADERS, ...extra.map((h: string) => h.toLowerCase())])]
  const namespace = options.name ?? 'http'
  if (typeof namespace !== 'string' || namespace === '') throw new ConfigurationError('idempotency: name must be a non-empty string')
  let log = options.log
  const guard = createGuard(config)

  return async function idempotencyMiddleware(c, next) {
    if (!methods.has(c.req.method)) return next()
    const logger = (log ??= createLogger())
    const header = c.req.header('idempotency-key')
    if (header === undefined) {
      if (!required) return next()
      return problem(new IdempotencyKeyMissingError('This request needs an Idempotency-Key header', [{ message: 'is required', path: ['Idempotency-Key'] }]))
    }
    const clientKey = parseKey(header)
    if (clientKey === undefined) {
      return problem(
        new IdempotencyKeyMissingError('The Idempotency-Key header is malformed', [
          { message: `must be a string of 1 to ${MAX_KEY_LENGTH} visible ASCII characters`, path: ['Idempotency-Key'] },
        ]),
      )
    }
    const url = new URL(c.req.url)
    // A clone leaves the body for the route, however it reads it; if an
    // earlier middleware already read it through Hono, Hono kept a copy.
    const body = new Uint8Array(c.req.raw.bodyUsed ? await c.req.arrayBuffer() : await c.req.raw.clone().arrayBuffer())
    // Tagged, so that a scope can never spell the same as some credentials.
    const scoped = scope === undefined ? undefined : await scope(c)
    const owner = scoped === undefined || scoped === null ? ['credentials', ...credentialHeaders.map((h) => c.req.header(h) ?? null)] : ['scope', scoped]
    const [key, fingerprint] = await Promise.all([
      storeKey(namespace, canonicalJson([owner, clientKey])),
      sha256Bytes(concat(utf8(`${c.req.method} ${url.pathname}${url.search}\n`), body)),
    ])

    let entry
    try {
      // Never past the invocation's deadline (Infinity where no adapter bound one): a claim
      // outliving a killed invocation would hold off every retry for the whole lease.
      entry = await guard.begin(key, fingerprint, routeContext(c).deadline, logger)
    } catch (error) {
      return problem(error)
    }
    if (entry.kind === 'replay') return replay(entry.record.result, key, config.store.name, logger)
    const claim = entry.claim
    if (claim === undefined) return next()

    try {
      await next()
    } catch (error) {
      await guard.release(claim, logger)
      throw error
    }
    const res = c.res
    if (c.error !== undefined || res.status >= 500 || RETRY_STATUSES.has(res.status)) {
      await guard.release(claim, logger)
      return
    }
    try {
      await guard.complete(claim, JSON.stringify(await snapshot(res)), logger)
    } catch (error) {
      if (!(error instanceof IdempotencyResultError)) throw error
      // The work is done and the client should hear so: send the response, unrecorded.
      logger.error('idempotency: response not recorded, the key was released', { idempotencyKey: key, reason: error.reason, error: error.message })
    }
  }
}

/**
 * The key of an `Idempotency-Key` header: a Structured Field string
 * (`"…"`, as the draft specifies) or, leniently, the bare token many
 * clients send. `undefined` when it is neither.
 */
export function parseKey(header: string): string | undefined {
  const value = header.trim()
  let key: string
  if (value.startsWith('"')) {
    if (!/^"(?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\])*"$/.test(value)) return undefined
    key = value.slice(1, -1).replace(/\\(["\\])/g, '$1')
  } else {
    if (!/^[\x21-\x7e]+$/.test(value)) return undefined
    key = value
  }
  return key.length > 0 && key.length <= MAX_KEY_LENGTH ? key : undefined
}

function problem(error: unknown): Response {
  const reply = problemReply(error)
  // The draft's answer to a concurrent request is 409 Conflict; the error
  // keeps its retry hint as Retry-After.
  const status = error instanceof IdempotencyInProgressError ? 409 : reply.status
  const body = typeof reply.body === 'string' ? JSON.stringify({ ...(JSON.parse(reply.body) as object), status }) : reply.body
  return new Response(body as BodyInit, { status, headers: reply.headers })
}

async function snapshot(res: Response): Promise<StoredResponse> {
  const headers: [string, string][] = []
  res.headers.forEach((value, name) => {
    if (!NOT_REPLAYED.has(name)) headers.push([name, value])
  })
  const bytes = new Uint8Array(await res.clone().arrayBuffer())
  const type = res.headers.get('content-type') ?? ''
  if (TEXTUAL.test(type)) {
    try {
      return { status: res.status, headers, body: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf8' }
    } catch {
      // Not UTF-8 after all: keep the bytes.
    }
  }
  return { status: res.status, headers, body: toBase64(bytes), encoding: 'base64' }
}

function replay(stored: string | undefined, key: string, store: string, log: Logger): Response {
  let response: StoredResponse
  try {
    response = JSON.parse(stored ?? '') as StoredResponse
    if (typeof response.status !== 'number' || !Array.isArray(response.headers)) throw new TypeError('not a stored response')
  } catch (error) {
    log.error('idempotency: the stored response is unreadable', { idempotencyKey: key, error })
    return problem(new IdempotencyStoreError(store, 'get', key, { cause: error, detail: 'The stored response for this idempotency key is unreadable' }))
  }
  const headers = new Headers(response.headers as [string, string][])
  headers.set('idempotent-replayed', 'true')
  const body = NULL_BODY.has(response.status) ? null : response.encoding === 'base64' ? fromBase64(response.body) : response.body
  return new Response(body as BodyInit | null, { status: response.status, headers })
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length)
  out.set(a, 0)
  out.set(b, a.length)
  return out
}
