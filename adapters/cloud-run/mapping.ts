/**
 * Google's triggers of a Cloud Run service as CloudEvents, and outcomes as
 * the HTTP replies those triggers act on. Every rule of the mapping is in
 * this file; `handle.ts` only does the I/O. A request no mapper here matches
 * (and every request, for a service with no event handlers) goes to the
 * kit's HTTP path: CloudEvents over HTTP, or the Hono app.
 *
 * **Pub/Sub push** (a JSON body `{ message, subscription, deliveryAttempt? }`):
 *
 * | attribute         | value                                                                  |
 * |-------------------|------------------------------------------------------------------------|
 * | `id`              | `message.messageId` (or `message_id`)                                  |
 * | `source`          | `//pubsub.googleapis.com/<subscription>`                               |
 * | `type`            | `google.cloud.pubsub.topic.v1.messagePublished`                        |
 * | `time`            | `message.publishTime`                                                  |
 * | `datacontenttype` | `application/json` when the decoded data parses as JSON, else `application/octet-stream` (absent with no data) |
 * | `data`            | `message.data` base64-decoded, then JSON-parsed when it parses, else the bytes |
 * | extensions        | `messageid`, `publishtime`, `orderingkey`, `subscription`, and each of `message.attributes` (see {@link extensionName}) |
 * | `ctx.attempt`     | `deliveryAttempt` (sent only when the subscription has a dead-letter topic) |
 *
 * Data that decodes to a structured CloudEvent (a JSON object with
 * `specversion`) is that event, unwrapped and unchanged.
 *
 * **Eventarc, Pub/Sub source** (a CloudEvent of type
 * `google.cloud.pubsub.topic.v1.messagePublished`, or the older
 * `com.google.cloud.pubsub.topic.publish`, binary or structured mode): the event as sent, but with `data` and `datacontenttype` as for a
 * push (the message's data decoded), and the same extensions, where the
 * event has none of those names already.
 *
 * **Cloud Scheduler, HTTP target** (`X-CloudScheduler: true`):
 *
 * | attribute | value                                                                  |
 * |-----------|------------------------------------------------------------------------|
 * | `id`      | `<job>@<schedule time>`: a retry of one run keeps its id               |
 * | `source`  | `//cloudscheduler.googleapis.com/jobs/<job>`                           |
 * | `type`    | `com.google.cloud.scheduler.job.executed`                              |
 * | `subject` | the job name (`X-CloudScheduler-JobName`)                              |
 * | `time`    | `X-CloudScheduler-ScheduleTime`                                        |
 * | `data`    | the body: JSON-parsed for a JSON content type, text for `text/*`, else bytes; absent when empty |
 *
 * **Cloud Tasks, HTTP target** (`X-CloudTasks-QueueName`): a body that is a
 * CloudEvent (binary, structured or batch mode) is that event; any other
 * body becomes:
 *
 * | attribute | value                                                                  |
 * |-----------|------------------------------------------------------------------------|
 * | `id`      | `X-CloudTasks-TaskName`                                                |
 * | `source`  | `//cloudtasks.googleapis.com/queues/<queue>`                           |
 * | `type`    | `com.google.cloud.tasks.task.dispatched`                               |
 * | `subject` | the request's path (a task's URL names what to do)                     |
 * | `time`    | `X-CloudTasks-TaskETA` (seconds since the epoch)                       |
 * | `data`    | the body, as for Cloud Scheduler                                       |
 * | `ctx.attempt` | `X-CloudTasks-TaskRetryCount` + 1                                  |
 *
 * **Outcomes** (the outcome table's Pub/Sub, Eventarc, Cloud Tasks and Cloud
 * Scheduler rows; every one of these triggers takes any 2xx as done):
 *
 * | outcome | reply                                                                              |
 * |---------|------------------------------------------------------------------------------------|
 * | ok      | 204                                                                                |
 * | retry   | 503 problem; 429 problem + `Retry-After` with `retryAfterMs` (Pub/Sub ignores it and uses the subscription's backoff) |
 * | drop    | the error's 4xx problem (400 unreadable, 422 permanent): redelivered with backoff until the dead-letter topic or the task's retry limit; with `onDrop: 'ack'`, logged and 204 |
 *
 * None of these headers prove who sent the request: a public service takes
 * them from anyone. Deploy with `--no-allow-unauthenticated` and give the
 * push subscription, job or queue a service account with `roles/run.invoker`.
 */
import { InvalidEventError, ValidationError, isFaasadeError, toFaasadeError, type FaasadeError } from '../../src/errors.js'
import { createEvent, isExtensionName, type CloudEvent } from '../../src/event.js'
import { cloudEventMode, decodeCloudEvents, fromJsonFormat } from '../../src/http/decode.js'
import { fromBase64, isJsonMediaType, mediaType, type HttpReply } from '../../src/http/message.js'
import { problemReply } from '../../src/http/problem.js'
import type { Outcome } from '../../src/outcome.js'
import { formatTimestamp } from '../../src/time.js'
import type { CloudRunMapper, CloudRunRequest, NativeItem } from './mapper.js'

/** The `type` of a Pub/Sub message, pushed or through Eventarc: Google's own. */
export const PUBSUB_TYPE = 'google.cloud.pubsub.topic.v1.messagePublished'
/** The `type` older Eventarc triggers give a Pub/Sub message: mapped the same way, and kept. */
export const LEGACY_PUBSUB_TYPE = 'com.google.cloud.pubsub.topic.publish'
/** The `type` of a Cloud Scheduler run that reaches the service over HTTP. */
export const SCHEDULER_TYPE = 'com.google.cloud.scheduler.job.executed'
/** The `type` of a Cloud Tasks task whose body is not a CloudEvent. */
export const TASKS_TYPE = 'com.google.cloud.tasks.task.dispatched'

/** The extensions every Pub/Sub event carries besides the message's attributes. */
const MESSAGE_EXTENSIONS = ['messageid', 'publishtime', 'orderingkey', 'subscription']
/** Attribute names an extension can never take: the spec's own, and the JSON format's data members. */
const RESERVED = new Set(['specversion', 'id', 'source', 'type', 'subject', 'time', 'datacontenttype', 'dataschema', 'data', 'data_base64', ...MESSAGE_EXTENSIONS])

/**
 * The reply for the outcomes of one request's events: 204 when every one is
 * done (handled, or dropped under `onDrop: 'ack'`), else the problem of the
 * first still to redeliver. Under the default `onDrop: 'dead-letter'` the
 * kit reports a drop as a redelivery of its own (non-retryable) error, so
 * the problem is that error's 4xx, which these triggers redeliver until
 * their dead-letter path.
 *
 * @example
 * ```ts
 * outcomeReply([{ kind: 'retry', error: new RetryableError('busy', { retryAfterMs: 2_000 }), retryAfterMs: 2_000 }])
 * // { status: 429, headers: { 'content-type': 'application/problem+json', 'retry-after': '2' }, body: '{…}' }
 * ```
 */
export function outcomeReply(outcomes: readonly Outcome[]): HttpReply {
  const failed = outcomes.find((o): o is Extract<Outcome, { kind: 'retry' }> => o.kind === 'retry')
  return failed ? problemReply(failed.error) : { status: 204, headers: {} }
}

/** A Pub/Sub message as a push request carries it. */
export interface PubSubMessage {
  /** Base64. */
  readonly data?: string
  readonly attributes?: Readonly<Record<string, string>>
  readonly messageId?: string
  readonly publishTime?: string
  readonly orderingKey?: string
}

/** The `type` a trigger's event gets: one for all, or chosen per delivery. */
export type TriggerType<Args extends unknown[]> = string | ((...args: Args) => string)

/**
 * The Pub/Sub push mapper, with the `type` of messages that are not
 * CloudEvents themselves (to route them to a handler); the built-in one is
 * `pubSubPushMapper()`.
 *
 * @example
 * ```ts
 * serve(service, { mappers: [pubSubPushMapper({ type: 'com.example.order.placed' })] })
 * ```
 */
export function pubSubPushMapper(options: { type?: TriggerType<[message: PubSubMessage, subscription: string]> } = {}): CloudRunMapper {
  const { type = PUBSUB_TYPE } = options
  return {
    kind: 'events',
    name: 'pubsub-push',
    match: (input): input is CloudRunRequest => {
      const request = input as CloudRunRequest
      if (request.method !== 'POST' || cloudEventMode(request.headers) !== undefined) return false
      const envelope = jsonBody(request) as { message?: Record<string, unknown>; subscription?: unknown } | undefined
      const message = envelope?.message
      return typeof envelope?.subscription === 'string' && isRecord(message) && (typeof message.messageId === 'string' || typeof message.message_id === 'string')
    },
    toEvents: (request) => {
      const envelope = jsonBody(request) as { message: Record<string, unknown>; subscription: string; deliveryAttempt?: unknown }
      const { message, subscription } = envelope
      const id = (typeof message.messageId === 'string' ? message.messageId : message.message_id) as string
      const attempt = typeof envelope.deliveryAttempt === 'number' && Number.isInteger(envelope.deliveryAttempt) && envelope.deliveryAttempt >= 1 ? envelope.deliveryAttempt : undefined
      const event = eventOf(() => {
        const payload = messagePayload(message)
        if (payload.event) return payload.event
        const publishTime = typeof message.publishTime === 'string' ? message.publishTime : message.publish_time
        return createEvent({
          ...messageExtensions(message, subscription, {}),
          id,
          source: `//pubsub.googleapis.com/${subscription}`,
          type: typeof type === 'function' ? type(message as PubSubMessage, subscription) : type,
          time: typeof publishTime === 'string' ? formatTimestamp(Date.parse(publishTime)) : undefined,
          datacontenttype: payload.datacontenttype,
          data: payload.data,
        })
      })
      return [{ event, id, attempt, record: envelope }]
    },
    reply: (outcomes) => outcomeReply(outcomes),
  }
}

/**
 * Eventarc triggers with a Pub/Sub source (and Pub/Sub messages Eventarc
 * routes from other sources): the message's data decoded into `data`.
 *
 * @example
 * ```ts
 * defineHandler({ type: PUBSUB_TYPE, handle: (event) => event.data })   // the message's JSON, not its envelope
 * ```
 */
export const eventarcPubSubMapper: CloudRunMapper = {
  kind: 'events',
  name: 'eventarc-pubsub',
  match: (input): input is CloudRunRequest => {
    const request = input as CloudRunRequest
    const mode = cloudEventMode(request.headers)
    if (mode === 'binary') return isPubSubType(request.headers['ce-type'])
    return mode === 'structured' && isPubSubType((jsonBody(request) as { type?: unknown } | undefined)?.type)
  },
  toEvents: (request) => {
    const event = eventOf(() => {
      const [sent] = decodeCloudEvents({ method: request.method, headers: request.headers, body: request.body }) as [CloudEvent]
      const envelope = sent.data as { message?: unknown; subscription?: unknown } | undefined
      if (!isRecord(envelope) || !isRecord(envelope.message)) {
        throw new InvalidEventError('Malformed Pub/Sub event', [{ message: 'must be an object with a message object', path: ['data'] }])
      }
      const payload = messagePayload(envelope.message)
      if (payload.event) return payload.event
      const { data: _data, data_base64: _base64, datacontenttype: _type, ...attributes } = sent
      const subscription = typeof envelope.subscription === 'string' ? envelope.subscription : undefined
      return createEvent({ ...messageExtensions(envelope.message, subscription, attributes), ...attributes, datacontenttype: payload.datacontenttype, data: payload.data })
    })
    return [{ event, id: isFaasadeError(event) ? request.headers['ce-id'] : event.id }]
  },
  reply: (outcomes) => outcomeReply(outcomes),
}

/**
 * The Cloud Scheduler mapper, with the `type` of its events (one per job, say);
 * the built-in one is `cloudSchedulerMapper()`.
 *
 * @example
 * ```ts
 * serve(service, { mappers: [cloudSchedulerMapper({ type: (job) => `com.example.job.${job}` })] })
 * defineHandler({ type: 'com.example.job.nightly-sweep', handle: sweep })
 * ```
 */
export function cloudSchedulerMapper(options: { type?: TriggerType<[job: string | undefined, request: CloudRunRequest]> } = {}): CloudRunMapper {
  const { type = SCHEDULER_TYPE } = options
  return {
    kind: 'events',
    name: 'cloud-scheduler',
    match: (input): input is CloudRunRequest => {
      const { headers } = input as CloudRunRequest
      return headers['x-cloudscheduler'] !== undefined && cloudEventMode(headers) === undefined
    },
    toEvents: (request, facts) => {
      const { headers } = request
      const job = headers['x-cloudscheduler-jobname']
      const scheduled = formatTimestamp(Date.parse(headers['x-cloudscheduler-scheduletime'] ?? ''))
      const event = eventOf(() =>
        createEvent({
          id: `${job ?? 'job'}@${scheduled ?? formatTimestamp(facts.receivedAt)}`,
          source: job === undefined ? '//cloudscheduler.googleapis.com' : `//cloudscheduler.googleapis.com/jobs/${encodeURIComponent(job)}`,
          type: typeof type === 'function' ? type(job, request) : type,
          subject: job,
          time: scheduled,
          ...bodyData(request),
        }),
      )
      return [{ event, id: job }]
    },
    reply: (outcomes) => outcomeReply(outcomes),
  }
}

/**
 * The Cloud Tasks mapper, with the `type` of tasks whose body is not a
 * CloudEvent; the built-in one is `cloudTasksMapper()`.
 *
 * @example
 * ```ts
 * // A task created with url https://…/tasks/resize: routed on its subject.
 * defineHandler({ type: TASKS_TYPE, handle: (event, ctx) => (event.subject === '/tasks/resize' ? resize(event.data, ctx.attempt) : undefined) })
 * ```
 */
export function cloudTasksMapper(options: { type?: TriggerType<[queue: string, request: CloudRunRequest]> } = {}): CloudRunMapper {
  const { type = TASKS_TYPE } = options
  return {
    kind: 'events',
    name: 'cloud-tasks',
    match: (input): input is CloudRunRequest => (input as CloudRunRequest).headers['x-cloudtasks-queuename'] !== undefined,
    toEvents: (request) => {
      const { headers } = request
      const queue = headers['x-cloudtasks-queuename']!
      const task = headers['x-cloudtasks-taskname']
      const retries = Number(headers['x-cloudtasks-taskretrycount'])
      const attempt = Number.isInteger(retries) && retries >= 0 && headers['x-cloudtasks-taskretrycount'] !== '' ? retries + 1 : undefined
      if (cloudEventMode(headers) !== undefined) {
        let events: CloudEvent[]
        try {
          events = decodeCloudEvents({ method: request.method, headers, body: request.body })
        } catch (error) {
          return [{ event: toFaasadeError(error), id: task, attempt }]
        }
        return events.map((event) => ({ event, id: task, attempt }))
      }
      const eta = Number(headers['x-cloudtasks-tasketa'])
      const event = eventOf(() => {
        if (task === undefined || task === '') throw new ValidationError('Malformed Cloud Tasks request: no task name', [{ message: 'is required', path: ['headers', 'x-cloudtasks-taskname'] }])
        return createEvent({
          id: task,
          source: `//cloudtasks.googleapis.com/queues/${encodeURIComponent(queue)}`,
          type: typeof type === 'function' ? type(queue, request) : type,
          subject: request.url.split('?')[0],
          time: Number.isFinite(eta) && headers['x-cloudtasks-tasketa'] !== '' ? formatTimestamp(eta * 1000) : undefined,
          ...bodyData(request),
        })
      })
      return [{ event, id: task, attempt }]
    },
    reply: (outcomes) => outcomeReply(outcomes),
  }
}

/**
 * The built-in triggers, in the order they are tried (after `options.mappers`).
 * Their shape tests exclude each other: a Pub/Sub push is no CloudEvent, an
 * Eventarc event is one, and Scheduler and Tasks requests carry their own
 * headers.
 */
export const BUILT_IN_MAPPERS: readonly CloudRunMapper[] = Object.freeze([eventarcPubSubMapper, pubSubPushMapper(), cloudTasksMapper(), cloudSchedulerMapper()])

/**
 * The extension name a Pub/Sub attribute becomes: lower-cased, with every
 * character but `a-z` and `0-9` removed (`Content-Type` is `contenttype`).
 * `undefined` when nothing is left, or when that name is one of the
 * CloudEvents attributes or of the extensions every message carries: such
 * an attribute is not copied (it stays in `ctx.provider.raw`).
 *
 * @example
 * ```ts
 * extensionName('Order-Id')   // 'orderid'
 * extensionName('id')         // undefined
 * ```
 */
export function extensionName(attribute: string): string | undefined {
  const name = attribute.toLowerCase().replace(/[^a-z0-9]/g, '')
  return name === '' || RESERVED.has(name) || !isExtensionName(name) ? undefined : name
}

/**
 * The body of a request as JSON, parsed once a request (mappers' `match`
 * and `toEvents` both read it); `undefined` when it is not a JSON object or
 * array.
 *
 * @example
 * ```ts
 * (jsonBody(request) as { subscription?: string } | undefined)?.subscription
 * ```
 */
export function jsonBody(request: CloudRunRequest): unknown {
  if (parsed.has(request)) return parsed.get(request)
  let value: unknown
  const { body } = request
  let i = 0
  while (i < body.length && (body[i] === 0x20 || body[i] === 0x0a || body[i] === 0x0d || body[i] === 0x09)) i++
  // Only an object or array: a body that opens otherwise is no envelope, and is not parsed at all.
  if (body[i] === 0x7b || body[i] === 0x5b) {
    try {
      value = JSON.parse(utf8.decode(body))
    } catch {
      value = undefined
    }
  }
  parsed.set(request, value)
  return value
}

const parsed = new WeakMap<CloudRunRequest, unknown>()
// Made on first use: a TextDecoder costs a cold start about 0.08 ms, and a service may never see a trigger.
let decoder: TextDecoder | undefined
const utf8 = { decode: (bytes: Uint8Array) => (decoder ??= new TextDecoder('utf-8', { fatal: true })).decode(bytes) }

/** A message's data: the event it wraps, or the data and its media type. */
function messagePayload(message: Record<string, unknown>): { event?: CloudEvent; data?: unknown; datacontenttype?: string } {
  const { data } = message
  if (data === undefined || data === null || data === '') return {}
  if (typeof data !== 'string') throw new InvalidEventError('Malformed Pub/Sub message', [{ message: 'must be a base64 string', path: ['message', 'data'] }])
  let bytes: Uint8Array
  try {
    bytes = fromBase64(data)
  } catch {
    throw new InvalidEventError('Malformed Pub/Sub message', [{ message: 'is not valid base64', path: ['message', 'data'] }])
  }
  let json: unknown
  try {
    json = JSON.parse(utf8.decode(bytes))
  } catch {
    return { data: bytes, datacontenttype: 'application/octet-stream' }
  }
  if (isRecord(json) && Object.hasOwn(json, 'specversion')) return { event: fromJsonFormat(json, ['message', 'data']) }
  return { data: json, datacontenttype: 'application/json' }
}

/** The extensions of a Pub/Sub message that `existing` does not already name. */
function messageExtensions(message: Record<string, unknown>, subscription: string | undefined, existing: Readonly<Record<string, unknown>>): Record<string, string> {
  const extensions: Record<string, string> = {}
  const add = (name: string | undefined, value: unknown) => {
    if (name !== undefined && typeof value === 'string' && value !== '' && !Object.hasOwn(existing, name) && !Object.hasOwn(extensions, name)) extensions[name] = value
  }
  if (isRecord(message.attributes)) for (const key of Object.keys(message.attributes)) add(extensionName(key), message.attributes[key])
  add('messageid', message.messageId ?? message.message_id)
  add('publishtime', message.publishTime ?? message.publish_time)
  add('orderingkey', message.orderingKey)
  add('subscription', subscription)
  return extensions
}

/** A plain body as `data` and `datacontenttype`: JSON parsed, text decoded, else bytes. Throws a 400 for JSON that does not parse. */
function bodyData(request: CloudRunRequest): { data?: unknown; datacontenttype?: string } {
  const { body, headers } = request
  if (body.length === 0) return {}
  const type = headers['content-type']
  if (isJsonMediaType(type)) {
    try {
      return { data: JSON.parse(utf8.decode(body)), datacontenttype: type }
    } catch {
      throw new ValidationError('Malformed request body: not JSON', [{ message: 'is not valid JSON', path: ['body'] }], { detail: 'The body is not valid JSON, as its Content-Type says' })
    }
  }
  if (mediaType(type)?.startsWith('text/')) {
    try {
      return { data: utf8.decode(body), datacontenttype: type }
    } catch {
      // Not UTF-8 after all: the bytes, as sent.
    }
  }
  return { data: body, datacontenttype: type ?? 'application/octet-stream' }
}

/** The event `read` makes, or the error that keeps the request from being one (a drop: it never will be). */
function eventOf(read: () => CloudEvent): CloudEvent | FaasadeError {
  try {
    return read()
  } catch (error) {
    return toFaasadeError(error)
  }
}

function isPubSubType(type: unknown): boolean {
  return type === PUBSUB_TYPE || type === LEGACY_PUBSUB_TYPE
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export type { NativeItem }
