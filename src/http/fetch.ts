/**
 * The web-standard door: `(request, env, ctx) => Response`. Workers, the dev
 * server and any fetch-based host use it. CloudEvents go to the event
 * handlers; every other request goes to the HTTP app.
 */
import { contextForEvent, type ContextInit } from '../context.js'
import { UnauthorizedError } from '../errors.js'
import type { CloudEvent } from '../event.js'
import { createLogger, type Logger } from '../logger.js'
import { mayDeliver, pathOf, toService, wantsEvents, type Target } from '../service.js'
import { notACloudEvent } from './decode.js'
import type { HttpReply } from './message.js'
import { problemReply } from './problem.js'
import { DEFAULT_MAX_BODY_BYTES, serveCloudEvents, tooLarge } from './serve.js'

/**
 * How {@link createFetchHandler} serves: the provider name handlers see,
 * the context facts of each request, the body limit and the logger.
 *
 * @example
 * ```ts
 * import { createFetchHandler } from 'faasade'
 * const fetch = createFetchHandler(service, {
 *   provider: 'my-host',
 *   context: () => ({ deadline: Date.now() + 30_000 }),
 *   maxBodyBytes: 1024 * 1024,
 * })
 * ```
 */
export interface FetchHandlerOptions {
  /** The provider name handlers see in `ctx.provider.name`. @defaultValue `'http'` */
  provider?: string
  /** Context facts per request: deadline, attempt, `waitUntil`. */
  context?: (request: Request, env: unknown, executionContext: unknown) => Partial<Omit<ContextInit, 'provider'>>
  /** Larger bodies of CloudEvents requests get a 413 before they are read further. @defaultValue 6 MB */
  maxBodyBytes?: number
  /** Where refused and malformed requests are logged, and handlers' `ctx.log` unless `context` gives one. @defaultValue a JSON logger */
  log?: Logger
}

/**
 * A web-standard `fetch` function, as {@link createFetchHandler} returns it:
 * a request in, a response out. `env` and `executionContext` are whatever the
 * host passes (a Worker's bindings and context) and reach handlers in
 * `ctx.provider.raw`.
 */
export type FetchHandler = (request: Request, env?: unknown, executionContext?: unknown) => Promise<Response>

/**
 * A `fetch` function serving `target`.
 *
 * @example
 * ```ts
 * import { createFetchHandler } from 'faasade'
 * export default { fetch: createFetchHandler(service) }
 * ```
 */
export function createFetchHandler(target: Target, options: FetchHandlerOptions = {}): FetchHandler {
  const service = toService(target)
  const provider = options.provider ?? 'http'
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
  const log = options.log ?? createLogger()
  return async (request, env, executionContext) => {
    // Names come lower-cased from Headers (a repeated header as one value).
    const headers: Record<string, string> = Object.fromEntries(request.headers as unknown as Iterable<[string, string]>)
    const line = { method: request.method, path: pathOf(request.url), headers }
    // (A service always has an app or a handler: defineService refuses neither.)
    if (!wantsEvents(service, line)) {
      if (service.http) return service.http.fetch(request, env, executionContext)
      return toResponse(problemReply(notACloudEvent()))
    }
    if (!(await mayDeliver(service, line))) return toResponse(refused(log))
    // Refused before a byte is read when declared, else as soon as the count passes the limit.
    const body = Number(headers['content-length']) > limit ? undefined : await readBodyWithin(request, limit)
    if (body === undefined) return toResponse(tooLarge(limit, log))
    const facts = options.context?.(request, env, executionContext) ?? {}
    const reply = await serveCloudEvents(
      service,
      { method: request.method, headers, body },
      {
        log,
        maxBodyBytes: limit,
        context: (event: CloudEvent) => contextForEvent(event, { ...facts, provider: { name: provider, raw: { request, env, executionContext } }, log: facts.log ?? log }),
      },
    )
    return toResponse(reply)
  }
}

/**
 * The body, or `undefined` once it passes `limit` (a chunked body declares
 * no length): read chunk by chunk, so a large body costs no more memory
 * than the limit.
 *
 * @example
 * ```ts
 * const body = await readBodyWithin(request, 6 * 1024 * 1024)   // undefined: answer 413
 * ```
 */
export async function readBodyWithin(request: Request, limit: number): Promise<Uint8Array | undefined> {
  if (request.body === null) return new Uint8Array(0)
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    size += read.value.byteLength
    if (size > limit) {
      reader.cancel().catch(() => {})
      return undefined
    }
    chunks.push(read.value)
  }
  return chunks.length === 1 ? chunks[0] : new Uint8Array(await new Blob(chunks as Uint8Array<ArrayBuffer>[]).arrayBuffer())
}

/** The 401 for a delivery the service's `cloudEvents.authorize` refused, logged. @internal */
export function refused(log: Logger): HttpReply {
  log.warn('CloudEvents delivery refused by cloudEvents.authorize', { status: 401 })
  return problemReply(new UnauthorizedError('The sender may not deliver events here', { detail: 'Not allowed to deliver events' }))
}

/** A plain reply as a web `Response`. */
export function toResponse(reply: HttpReply): Response {
  // The reply is its own init: `status` and `headers` are read, `body` is not a member.
  return new Response((reply.body ?? null) as BodyInit | null, reply)
}
