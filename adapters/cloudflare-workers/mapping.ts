/**
 * Workers triggers as CloudEvents, and outcomes as Workers settlements. This
 * file holds every rule of the mapping; `to-worker.ts` only does the I/O.
 * (`fetch` needs no mapping: the core serves the request as it is.)
 *
 * **A queue message** whose body is not already a CloudEvent:
 *
 * | attribute         | value                                                                  |
 * |-------------------|------------------------------------------------------------------------|
 * | `id`              | `message.id`                                                           |
 * | `source`          | `//queue.cloudflare.com/<batch.queue>`                                 |
 * | `type`            | `com.cloudflare.queue.message`, or the `queue.type` option             |
 * | `time`            | `message.timestamp`                                                    |
 * | `datacontenttype` | a string: `text/plain`; bytes: `application/octet-stream`; any other JSON value (`null` too): `application/json`; a structured-clone value without a JSON form (a `Date`, a `Map`): absent |
 * | `data`            | `message.body` (an `ArrayBuffer` or typed array as a `Uint8Array`)   |
 *
 * A body that is an object with a `specversion` member is a structured
 * CloudEvent in the JSON format, read by the core's own reader
 * (`fromJsonFormat`), exactly as one over HTTP is (`null` attributes absent,
 * `data_base64` decoded to bytes). It passes through unchanged, and must be valid.
 *
 * **A cron trigger:**
 *
 * | attribute         | value                                                |
 * |-------------------|------------------------------------------------------|
 * | `id`              | `<cron>@<scheduledTime>`: a retry keeps the same id  |
 * | `source`          | `//scheduled.cloudflare.com`                         |
 * | `type`            | `com.cloudflare.scheduled`, or the `scheduled.type` option |
 * | `subject`         | `controller.cron` (absent when empty)                |
 * | `time`            | `controller.scheduledTime`                           |
 * | `datacontenttype` | `application/json`                                   |
 * | `data`            | `{ cron, scheduledTime }` (`scheduledTime` in RFC 3339) |
 *
 * **Outcomes** (the Workers rows of the outcome table, docs/architecture.md):
 *
 * | outcome | queue message                                                    | cron                |
 * |---------|------------------------------------------------------------------|---------------------|
 * | ok      | `ack()`                                                          | return              |
 * | retry   | `retry({ delaySeconds: ceil(retryAfterMs / 1000) })`; `retry()` (the queue's `retry_delay`) without `retryAfterMs` | throw |
 * | drop    | `retry()`: redelivered up to `max_retries`, then the dead-letter queue; with `onDrop: 'ack'`, logged and `ack()` | `noRetry()`, throw |
 */
import { createEvent, type CloudEvent } from '../../src/event.js'
import { fromJsonFormat } from '../../src/http/decode.js'
import type { DropPolicy } from '../../src/adapter/index.js'
import type { Outcome } from '../../src/outcome.js'
import type { QueueMessage, ScheduledController } from './workers-types.js'

/** The `type` of a queue message that is not a CloudEvent, unless the `queue.type` option says otherwise. */
export const QUEUE_MESSAGE_TYPE = 'com.cloudflare.queue.message'
/** The `type` of a cron trigger's event, unless the `scheduled.type` option says otherwise. */
export const SCHEDULED_TYPE = 'com.cloudflare.scheduled'
/** The `source` of every cron trigger's event. */
export const SCHEDULED_SOURCE = '//scheduled.cloudflare.com'
/** Cloudflare's largest `delaySeconds`: 12 hours. */
export const MAX_DELAY_SECONDS = 43_200

/** The `type` a queue message becomes: one for all, or chosen per message. */
export type QueueEventType = string | ((message: QueueMessage, queue: string) => string)
/** The `type` a cron trigger becomes: one for all, or chosen per cron expression. */
export type ScheduledEventType = string | ((controller: ScheduledController) => string)

/** How one queue message is settled. */
export type QueueSettlement = { readonly action: 'ack' } | { readonly action: 'retry'; readonly delaySeconds: number | undefined }

/** How a cron invocation ends: return, throw (the runtime retries), or `noRetry()` and throw. */
export type ScheduledSettlement = 'return' | 'throw' | 'noRetry'

/**
 * The `source` of a queue's events: what a handler filters on to take one
 * queue's messages only.
 *
 * @example
 * ```ts
 * defineHandler({ source: queueSource('orders'), handle: (event) => event.data })
 * ```
 */
export function queueSource(queue: string): string {
  return `//queue.cloudflare.com/${encodeURIComponent(queue)}`
}

/**
 * The CloudEvent a queue message carries. Throws an `InvalidEventError` for
 * a structured CloudEvent body that is not valid (a drop: it never will be).
 *
 * @example
 * ```ts
 * messageToEvent(message, 'orders', 'com.example.order.placed')
 * // { specversion: '1.0', id: message.id, source: '//queue.cloudflare.com/orders', type: 'com.example.order.placed', … }
 * ```
 */
export function messageToEvent(message: QueueMessage, queue: string, type: QueueEventType = QUEUE_MESSAGE_TYPE): CloudEvent {
  const { body } = message
  const bytes = bytesOf(body)
  // An object with a specversion member is a structured CloudEvent.
  if (!bytes && typeof body === 'object' && body !== null && !Array.isArray(body) && Object.hasOwn(body, 'specversion')) return fromJsonFormat(body)
  return createEvent({
    id: message.id,
    source: queueSource(queue),
    type: typeof type === 'function' ? type(message, queue) : type,
    time: validDate(message.timestamp),
    datacontenttype: bytes ? 'application/octet-stream' : contentTypeOf(body),
    data: bytes ?? body,
  })
}

/**
 * The CloudEvent a cron trigger becomes.
 *
 * @example
 * ```ts
 * controllerToEvent({ cron: '0 * * * *', scheduledTime: Date.parse('2026-11-24T08:00:00Z'), noRetry() {} }).id
 * // '0 * * * *@2026-11-24T08:00:00.000Z'
 * ```
 */
export function controllerToEvent(controller: ScheduledController, type: ScheduledEventType = SCHEDULED_TYPE): CloudEvent {
  const time = validDate(new Date(controller.scheduledTime))?.toISOString()
  return createEvent({
    id: `${controller.cron}@${time ?? controller.scheduledTime}`,
    source: SCHEDULED_SOURCE,
    type: typeof type === 'function' ? type(controller) : type,
    subject: controller.cron || undefined,
    time,
    datacontenttype: 'application/json',
    data: { cron: controller.cron, scheduledTime: time ?? null },
  })
}

/**
 * What a queue message's outcome means for it.
 *
 * @example
 * ```ts
 * queueSettlement(await settle(() => handler.run(event, ctx)))   // { action: 'retry', delaySeconds: 3 }
 * ```
 */
export function queueSettlement(outcome: Outcome, onDrop: DropPolicy = 'ack'): QueueSettlement {
  if (outcome.kind === 'retry') return { action: 'retry', delaySeconds: outcome.retryAfterMs === undefined ? undefined : delaySeconds(outcome.retryAfterMs) }
  return outcome.kind === 'drop' && onDrop === 'dead-letter' ? { action: 'retry', delaySeconds: undefined } : { action: 'ack' }
}

/**
 * What a cron invocation's outcome means for it.
 *
 * @example
 * ```ts
 * scheduledSettlement({ kind: 'drop', error })   // 'noRetry'
 * ```
 */
export function scheduledSettlement(outcome: Outcome): ScheduledSettlement {
  // `noRetry()` only matters when the handler fails, so a drop still throws:
  // the invocation shows as failed, and is not run again.
  return outcome.kind === 'ok' ? 'return' : outcome.kind === 'retry' ? 'throw' : 'noRetry'
}

/**
 * `retryAfterMs` as Workers' `delaySeconds`: rounded up, within 0 to 12 hours.
 *
 * @example
 * ```ts
 * delaySeconds(2_500)   // 3
 * ```
 */
export function delaySeconds(retryAfterMs: number): number {
  if (!(retryAfterMs > 0)) return 0
  // At least 1 for any positive wait: ceil(5e-324 / 1000) underflows to 0.
  return Math.min(MAX_DELAY_SECONDS, Math.max(1, Math.ceil(retryAfterMs / 1000)))
}

/** The media type of a body that is not bytes. */
function contentTypeOf(body: unknown): string | undefined {
  if (typeof body === 'string') return 'text/plain'
  if (body === null || typeof body === 'number' || typeof body === 'boolean' || Array.isArray(body)) return 'application/json'
  // A Date, Map or other structured-clone value (the `v8` content type) has no JSON form to name.
  const proto = typeof body === 'object' ? Object.getPrototypeOf(body) : undefined
  return proto === Object.prototype || proto === null ? 'application/json' : undefined
}

/** A body of bytes (an `ArrayBuffer` or a view of one) as a `Uint8Array`. */
function bytesOf(body: unknown): Uint8Array | undefined {
  if (body instanceof ArrayBuffer) return new Uint8Array(body)
  if (ArrayBuffer.isView(body)) return body instanceof Uint8Array ? body : new Uint8Array(body.buffer, body.byteOffset, body.byteLength)
  return undefined
}

function validDate(date: Date | undefined): Date | undefined {
  return date instanceof Date && !Number.isNaN(date.getTime()) ? date : undefined
}
