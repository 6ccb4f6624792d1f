/**
 * Serves CloudEvents that arrive over HTTP: decode, route, run, and say the
 * outcome in HTTP (the "CloudEvents over HTTP" row of the outcome table, docs/architecture.md).
 * Every adapter with an HTTP trigger calls this; none decides statuses itself.
 */
import { runConcurrently } from '../batch.js'
import type { Context } from '../context.js'
import { describeError, InvalidEventError, PayloadTooLargeError, toFaasadeError, UnexpectedError } from '../errors.js'
import { createEvent, isCloudEvent, type CloudEvent } from '../event.js'
import type { Logger } from '../logger.js'
import type { Outcome } from '../outcome.js'
import { dispatch, type Service } from '../service.js'
import { cloudEventMode, decodeCloudEvents } from './decode.js'
import { encodeBinary, toJsonFormat } from './encode.js'
import { bodySize, toBase64, type HttpReply, type HttpRequest } from './message.js'
import { problemReply, retryAfterSeconds } from './problem.js'

/** 6 MB: AWS Lambda's limit for a synchronous request. */
export const DEFAULT_MAX_BODY_BYTES = 6 * 1024 * 1024

/**
 * What {@link serveCloudEvents} needs beside the service and the request:
 * how to make each event's context, where to log, and the body and
 * concurrency limits. An adapter's HTTP trigger fills it from the platform.
 */
export interface ServeOptions {
  /** Makes the context of the invocation for one event (one a batch item). */
  context: (event: CloudEvent, index: number) => Context
  /** Where decode failures are logged (no event, so no context, exists yet). */
  log: Logger
  /** Larger bodies get a 413. @defaultValue 6 MB */
  maxBodyBytes?: number
  /** Items of a batch-mode request in flight at once. @defaultValue 10 */
  concurrency?: number
}

/** Handles a request already known to carry CloudEvents (see `cloudEventMode`). */
export async function serveCloudEvents(service: Service, request: HttpRequest, options: ServeOptions): Promise<HttpReply> {
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
  if (bodySize(request.body) > limit) return tooLarge(limit, options.log)
  let events: CloudEvent[]
  try {
    events = decodeCloudEvents(request)
  } catch (error) {
    options.log.warn('malformed CloudEvent', { error: toFaasadeError(error).message })
    return problemReply(error)
  }
  const batch = cloudEventMode(request.headers) === 'batch'
  const outcomes = await runConcurrently(events, (event, i) => dispatch(service, event, options.context(event, i)), options.concurrency)
  outcomes.forEach((outcome, i) => {
    if (outcome.kind === 'ok') return
    const retry = outcome.kind === 'retry'
    options.log[retry ? 'error' : 'warn'](retry ? 'event failed, will be retried' : 'event dropped, will not be retried', {
      eventId: events[i]!.id,
      eventType: events[i]!.type,
      outcome: outcome.kind,
      ...describeError(outcome.error),
    })
  })
  try {
    const [outcome] = outcomes as [Outcome]
    return batch ? batchReply(events, outcomes) : outcome.kind === 'ok' ? resultReply(outcome.result) : problemReply(outcome.error)
  } catch (error) {
    // The handlers ran, but a result cannot go on the wire (a BigInt, a cycle,
    // an invalid event, a throwing toJSON): whatever the error, a 503 the
    // sender retries, logged with the error.
    options.log.error('reply could not be encoded', { error })
    return problemReply(new UnexpectedError('Internal error'))
  }
}

/** The 413 for a body over `limit`, logged. @internal */
export function tooLarge(limit: number, log: Logger): HttpReply {
  const message = `The body exceeds the limit of ${limit} bytes`
  const error = new PayloadTooLargeError(message, { detail: message })
  log.warn('request rejected', { status: 413, error: error.message })
  return problemReply(error)
}

/** One event: its result, or its problem. */
export function singleReply(outcome: Outcome): HttpReply {
  if (outcome.kind !== 'ok') return problemReply(outcome.error)
  return resultReply(outcome.result)
}

/**
 * A handler's result as a 2xx reply. A returned CloudEvent goes back in
 * binary mode. Throws a `TypeError` for a result that cannot be encoded: JSON
 * refuses it, or it looks like a CloudEvent but is not a valid one.
 */
export function resultReply(result: unknown): HttpReply {
  if (result === undefined) return { status: 204, headers: {} }
  if (isCloudEvent(result)) return { status: 200, ...encodeBinary(validEvent(result)) }
  const bytes = result instanceof Uint8Array
  return { status: 200, headers: { 'content-type': bytes ? 'application/octet-stream' : 'application/json' }, body: bytes ? result : JSON.stringify(result) }
}

/**
 * A batch: one entry an event, in order, with the item's `result` (a
 * returned CloudEvent in the JSON format; bytes as `result_base64`) or its
 * `problem`. HTTP has one status for the whole request, so it says what the
 * sender should do with it: 503 if any item asks for a retry (redelivered
 * duplicates of the good ones are what idempotency is for), 429 when every
 * such item says when, else the first dropped item's 4xx, else 200. Throws
 * a `TypeError` for a result that cannot be encoded, as {@link resultReply}.
 */
export function batchReply(events: readonly CloudEvent[], outcomes: readonly Outcome[]): HttpReply {
  const items = outcomes.map((outcome, i) => {
    const { id, source } = events[i]!
    const item: Record<string, unknown> = { id, source, outcome: outcome.kind }
    if (outcome.kind !== 'ok') item.problem = outcome.error.toProblem()
    else if (outcome.result instanceof Uint8Array) item.result_base64 = toBase64(outcome.result)
    else item.result = isCloudEvent(outcome.result) ? toJsonFormat(validEvent(outcome.result)) : outcome.result
    return item
  })
  const retries = outcomes.filter((o): o is Extract<Outcome, { kind: 'retry' }> => o.kind === 'retry')
  const drop = outcomes.find((o) => o.kind === 'drop')
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  let status = retries.length > 0 ? 503 : (drop?.error.status ?? 200)
  if (retries.length > 0 && retries.every((o) => o.retryAfterMs !== undefined)) {
    status = 429
    // A loop, not Math.max(...): batchReply is public, and a spread of a long array overflows the stack.
    let seconds = 0
    for (const o of retries) seconds = Math.max(seconds, retryAfterSeconds(o.retryAfterMs!))
    headers['retry-after'] = String(seconds)
  }
  return { status, headers, body: JSON.stringify(items) }
}

/** A returned event as `createEvent` makes it (nulls dropped, a `Date` time written out), or a `TypeError`. */
function validEvent(event: CloudEvent): CloudEvent {
  try {
    return createEvent(event)
  } catch (error) {
    throw new TypeError(`The handler returned an invalid CloudEvent: ${error instanceof InvalidEventError ? error.detail : String(error)}`)
  }
}
