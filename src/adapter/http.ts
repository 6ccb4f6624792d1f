/**
 * The one HTTP path of every adapter: a request is CloudEvents for the
 * event handlers (binary, structured or batch mode; no web `Request` is
 * built for them) or a request for the HTTP app, decided by `wantsEvents`.
 * The adapter maps its native request in and the answer back out.
 */
import { contextForEvent, type InvocationFacts } from '../context.js'
import { describeError, isFaasadeError, toFaasadeError } from '../errors.js'
import { notACloudEvent } from '../http/decode.js'
import { readBodyWithin, refused } from '../http/fetch.js'
import type { HttpReply } from '../http/message.js'
import { problemReply } from '../http/problem.js'
import { bindRouteContext } from '../http/route-context.js'
import { DEFAULT_MAX_BODY_BYTES, serveCloudEvents, tooLarge } from '../http/serve.js'
import type { Logger } from '../logger.js'
import { mayDeliver, pathOf, wantsEvents } from '../service.js'
import type { Adapter } from './adapter.js'
import type { HttpRequestParts } from './mapper.js'
import { waitUntilWork, type WaitUntilWork } from './wait-until.js'

/** What an HTTP app may use of its platform's execution context (Hono's `c.executionCtx`). */
export interface AppExecutionContext {
  /**
   * Hands over work that may finish after the response is sent. Where the
   * platform has no `waitUntil` of its own, the kit's collects the work and
   * the adapter awaits it, up to the deadline, before the invocation ends.
   */
  waitUntil(promise: Promise<unknown>): void
  /**
   * Workers' way of sending the request on to the origin if the app
   * throws. Elsewhere there is no origin, and the kit's context does nothing.
   */
  passThroughOnException?(): void
}

/** One HTTP request, as an adapter describes it to {@link answerHttp}. */
export interface HttpDelivery<Raw> {
  /** Names the trigger in log lines. */
  readonly trigger: string
  /** `ctx.provider.raw` of the event handlers; the app's `env` unless {@link appEnv} says otherwise. */
  readonly raw: Raw
  /** Epoch milliseconds at which handlers' time is up; `waitUntil` work is not awaited past it. */
  readonly deadline: number
  /** What the HTTP app gets as its `env` (a Worker's bindings). @defaultValue {@link raw} */
  readonly appEnv?: unknown
  /**
   * The platform's execution context (Workers). Without one the kit makes
   * one whose `waitUntil` work is awaited before the answer's `work` drains.
   */
  readonly executionContext?: AppExecutionContext
  /** The invocation's logger. @defaultValue the adapter's */
  readonly log?: Logger
  readonly invocation?: InvocationFacts
  readonly env?: Readonly<Record<string, unknown>>
  /** The platform's signal, which the event handlers' `ctx.signal` follows (a client that went away); asked for on first read. */
  readonly signal?: () => AbortSignal
}

/**
 * How a request was answered: a plain reply, or the app's `Response` (its
 * body unread, to buffer or stream) and the `waitUntil` work it left, to
 * drain with `work.drainBy(deadline)` once the reply is out.
 */
export type HttpAnswer = { readonly reply: HttpReply } | { readonly response: Response; readonly work: WaitUntilWork | undefined }

/**
 * Answers a request: a web `Request` (from a platform that hands those), or
 * a plain one (`HttpRequestParts`, from a platform that hands JSON) with
 * `toWebRequest`, which makes the `Request` the app gets (the kit's, which
 * refuses what no `Request` can carry with a 400). Apart, so that a
 * platform of web requests ships no request builder.
 *
 * @example
 * ```ts
 * import { answerHttp, toWebRequest } from 'faasade/adapter'
 * const answer = await answerHttp(adapter, mapper.toRequest(input), { trigger: mapper.name, raw: input, deadline }, toWebRequest)
 * if ('reply' in answer) return mapper.toReply(fromReply(answer.reply), input)
 * ```
 */
export function answerHttp<Raw>(adapter: Adapter, request: Request, delivery: HttpDelivery<Raw>): Promise<HttpAnswer>
export function answerHttp<Raw>(adapter: Adapter, request: HttpRequestParts, delivery: HttpDelivery<Raw>, toWebRequest: (request: HttpRequestParts) => Request): Promise<HttpAnswer>
export async function answerHttp<Raw>(adapter: Adapter, request: HttpRequestParts | Request, delivery: HttpDelivery<Raw>, toWebRequest?: (request: HttpRequestParts) => Request): Promise<HttpAnswer> {
  const { service } = adapter
  const log = delivery.log ?? adapter.log
  const web = isWebRequest(request)
  // Names come lower-cased from Headers (a repeated header as one value).
  const headers: Record<string, string> = web ? Object.fromEntries(request.headers as unknown as Iterable<[string, string]>) : (request.headers as Record<string, string>)
  const line = { method: request.method, path: pathOf(request.url), headers }
  const work = delivery.executionContext ? undefined : waitUntilWork()
  // The platform's execution context (Hono's `c.executionCtx`), or the kit's,
  // whose work is collected and awaited before the invocation ends.
  const executionContext = delivery.executionContext ?? {
    waitUntil: (promise: Promise<unknown>) => work!.add(promise.catch((error: unknown) => log.error('waitUntil task failed', { error }))),
    passThroughOnException: () => {},
    props: {},
  }
  if (wantsEvents(service, line)) {
    if (!(await mayDeliver(service, line))) return { reply: refused(log) }
    const limit = adapter.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
    // Refused before a byte is read when declared, else as soon as the count passes the limit.
    const body = !web ? request.body : Number(headers['content-length']) > limit ? undefined : await readBodyWithin(request, limit)
    if (web && body === undefined) return { reply: tooLarge(limit, log) }
    const provider = { name: adapter.provider, raw: delivery.raw, env: delivery.env }
    const reply = await serveCloudEvents(
      service,
      { method: request.method, headers, body },
      {
        log,
        maxBodyBytes: limit,
        concurrency: adapter.concurrency,
        // Called as a method: workerd's ExecutionContext methods need their receiver.
        context: (event) => contextForEvent(event, { provider, deadline: delivery.deadline, waitUntil: (promise) => executionContext.waitUntil(promise), log, invocation: delivery.invocation, signal: delivery.signal }),
      },
    )
    await work?.drainBy(delivery.deadline)
    return { reply }
  }
  if (service.http === undefined) return { reply: problemReply(notACloudEvent()) }
  let webRequest: Request
  try {
    webRequest = web ? request : toWebRequest!(request)
  } catch (error) {
    if (!isFaasadeError(error)) throw error
    // The client's fault (a method or header no web Request can carry): a 4xx, never a retry.
    log.warn('malformed HTTP request', { trigger: delivery.trigger, ...describeError(error) })
    return { reply: problemReply(error) }
  }
  // What `routeContext(c)` makes the route's handler context of.
  bindRouteContext(webRequest, adapter.provider, delivery, log, executionContext)
  try {
    return { response: await service.http.fetch(webRequest, delivery.appEnv ?? delivery.raw, executionContext), work }
  } catch (error) {
    await work?.drainBy(delivery.deadline)
    return { reply: appFailed(log, delivery.trigger, error) }
  }
}

/**
 * An app that threw (or whose `Response` body failed): logged in full,
 * answered with a problem that says nothing of it.
 *
 * @example
 * ```ts
 * parts = fromCoreReply(appFailed(log, 'apigateway-v2', error))
 * ```
 */
export function appFailed(log: Logger, trigger: string, error: unknown): HttpReply {
  log.error('HTTP app failed', { trigger, ...describeError(toFaasadeError(error)) })
  return problemReply(error)
}

// Not `instanceof Request`: a Request of another realm (workerd's, undici's) is one too.
function isWebRequest(request: HttpRequestParts | Request): request is Request {
  return typeof (request as Request).arrayBuffer === 'function'
}
