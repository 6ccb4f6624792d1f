/**
 * One request through the kit, whichever door it came in by: read, map
 * (a trigger's events through `deliver`) or answer (`answerHttp`: CloudEvents
 * over HTTP, or the app), then write. The rules of the mapping are in
 * `mapping.ts`; this file is the I/O between Node's objects and the kit.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { answerHttp, appFailed, createAdapter, deadlineIn, deliver, invocationFacts, observed, toWebRequest, type Adapter, type HttpRequestParts } from '../../src/adapter/index.js'
import { runBatch } from '../../src/batch.js'
import type { Context } from '../../src/context.js'
import { describeError, UnexpectedError } from '../../src/errors.js'
import { problemReply } from '../../src/http/problem.js'
import { tooLarge } from '../../src/http/serve.js'
import { lazyChild } from '../../src/lazy-logger.js'
import type { Logger } from '../../src/logger.js'
import type { Target } from '../../src/service.js'
import { createCloudRunLogger, traceFields } from './log.js'
import type { CloudRunMapper, CloudRunRequest } from './mapper.js'
import { BUILT_IN_MAPPERS } from './mapping.js'
import { cloudRunObserver } from './observe.js'
import { ClientGoneError, readRequest, writeReply, writeResponse } from './node-http.js'
import { timeoutMs, type CloudRunOptions } from './options.js'

/** `ctx.provider.name` of every delivery from Cloud Run. */
export const PROVIDER_NAME = 'cloud-run'

/** 32 MiB: Cloud Run's limit for an HTTP/1 request. */
export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024

/** What every request of one door shares, made once when the module loads. */
export interface CloudRunEntry {
  readonly adapter: Adapter<CloudRunMapper>
  /** The mappers tried for a service with event handlers: the user's, then the built-in triggers. */
  readonly eventMappers: readonly CloudRunMapper[]
  /** The mappers tried for a service that is only an app: the user's. */
  readonly appMappers: readonly CloudRunMapper[]
  readonly timeoutMs: number
  readonly projectId: string | undefined
}

/** The shared state of a door; the options must have been checked. */
export function cloudRunEntry(target: Target, options: CloudRunOptions): CloudRunEntry {
  const { triggers = BUILT_IN_MAPPERS } = options
  const projectId = options.projectId ?? (process.env.GOOGLE_CLOUD_PROJECT || process.env.GCLOUD_PROJECT || undefined)
  const adapter = createAdapter<CloudRunMapper>(
    // Every delivery observed: trace context, log fields, summary line, spans with an SDK (observe.ts).
    observed(target, cloudRunObserver(projectId)),
    { ...options, onDrop: options.onDrop ?? 'dead-letter', maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, mappers: [...(options.mappers ?? []), ...triggers] },
    // A user's mapper may be of an ordered source: Cloud Run ships the core's ordered runner.
    { name: PROVIDER_NAME, log: () => createCloudRunLogger(), runBatch },
  )
  return {
    adapter,
    eventMappers: adapter.mappers,
    appMappers: options.mappers ?? [],
    timeoutMs: timeoutMs(options),
    projectId,
  }
}

/**
 * `ctx.provider.raw` of a delivery from Cloud Run, or `undefined` from
 * another provider: the request as read (method, URL, headers, body bytes,
 * and the Node request).
 *
 * @example
 * ```ts
 * const request = cloudRunRequest(ctx)
 * ctx.log.info('pushed', { userAgent: request?.headers['user-agent'] })
 * ```
 */
export function cloudRunRequest(ctx: Pick<Context, 'provider'>): CloudRunRequest | undefined {
  return ctx.provider.name === PROVIDER_NAME ? (ctx.provider.raw as CloudRunRequest) : undefined
}

/**
 * Serves one request and ends the response. Never rejects: a failure of
 * ours is logged and answered with a 503 problem (a sender retries it).
 * `body` is the body already read by someone else (Express's `rawBody`).
 */
export async function handleRequest(entry: CloudRunEntry, incoming: IncomingMessage, res: ServerResponse, body?: Uint8Array): Promise<void> {
  const { adapter } = entry
  const receivedAt = Date.now()
  const deadline = deadlineIn(entry.timeoutMs, adapter.timeoutMarginMs)
  const trace = traceFields(incoming.headers as Record<string, string | undefined>, entry.projectId)
  const log: Logger = Object.keys(trace).length > 0 ? lazyChild(adapter.log, trace) : adapter.log
  try {
    const limit = adapter.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
    const read = readRequest(incoming, limit, body)
    const request = read instanceof Promise ? await read : read
    if (request === undefined) {
      const reply = tooLarge(limit, log)
      // The rest of the body is not read: the connection cannot carry another request.
      reply.headers.connection = 'close'
      return writeReply(res, reply)
    }
    const { traceparent, tracestate } = request.headers
    // Without trace headers, no object to copy them from (most requests inside Cloud Run carry none).
    const invocation = traceparent === undefined ? invocationFacts(undefined) : invocationFacts(undefined, { traceparent, tracestate })
    const signal = disconnectSignal(res)
    const mappers = adapter.service.events.length > 0 ? entry.eventMappers : entry.appMappers
    const mapper = mappers.find((m) => m.match(request))
    if (mapper) {
      const items = mapper.toEvents(request, { receivedAt })
      const outcomes = await deliver<CloudRunRequest>(adapter, { trigger: mapper.name, items, deadline, ordered: mapper.ordered?.(request) === true, raw: () => request, log, invocation, signal })
      return writeReply(res, mapper.reply(outcomes, items, request))
    }
    const parts: HttpRequestParts = { method: request.method, url: request.url, headers: request.headers, body: request.body.length > 0 ? request.body : undefined }
    const answer = await answerHttp<CloudRunRequest>(
      adapter,
      parts,
      { trigger: 'http', raw: request, deadline, log, invocation, signal },
      (plain) => new Request(toWebRequest(plain), { signal: signal() }),
    )
    if ('reply' in answer) return writeReply(res, answer.reply)
    try {
      await writeResponse(res, answer.response)
    } catch (error) {
      if (!res.headersSent) writeReply(res, appFailed(log, 'http', error))
      else {
        log.error('HTTP app failed while its body was sent', { trigger: 'http', ...describeError(error) })
        res.destroy()
      }
    }
    // Before the response ends: with request-based billing Cloud Run throttles
    // the instance's CPU once the response is sent, and work after it may starve.
    await answer.work?.drainBy(deadline)
    if (!res.writableEnded) res.end()
  } catch (error) {
    if (error instanceof ClientGoneError) {
      // The sender's business (a timeout, a cancel): it retries or not; nothing ran.
      log.warn('client closed the connection before its request was read', { method: incoming.method })
      return void res.destroy()
    }
    // A mapper that throws: ours to log, the sender's to retry.
    log.error('request failed', { trigger: 'http', method: incoming.method, ...describeError(error) })
    if (!res.headersSent && !res.destroyed) writeReply(res, problemReply(new UnexpectedError('Internal error')))
    else res.destroy()
  }
}

/**
 * A signal that aborts when the client goes away before its response is
 * sent, made when first asked for (by a handler reading `ctx.signal`, or
 * for the app's request, `c.req.raw.signal` in Hono): most handlers never
 * read it, and a signal and its listener cost each request. The handlers'
 * contexts and the app follow it, so that work whose answer no one will
 * read can stop. A sender that hung up redelivers the event whatever the
 * handler does; the handler decides whether to stop.
 */
function disconnectSignal(res: ServerResponse): () => AbortSignal {
  let signal: AbortSignal | undefined
  return () => {
    if (signal) return signal
    const disconnected = new AbortController()
    const gone = () => {
      if (!res.writableFinished) disconnected.abort(new ClientGoneError('The client closed the connection before the response was sent'))
    }
    // Closed already: the client left before anyone asked.
    if (res.closed) gone()
    else res.once('close', gone)
    return (signal = disconnected.signal)
  }
}
