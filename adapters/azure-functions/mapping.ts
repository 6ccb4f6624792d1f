/**
 * Azure Functions triggers as CloudEvents, and outcomes as what the host is
 * told. This file holds every rule of the mapping; `to-azure.ts` only
 * calls it. (HTTP needs no mapping here: the core serves the request as it
 * is, `http.ts` converts it.)
 *
 * **A Storage queue message** whose body is not already a CloudEvent:
 *
 * | attribute         | value                                                          |
 * |-------------------|----------------------------------------------------------------|
 * | `id`              | `triggerMetadata.id` (the queue's message id)                  |
 * | `source`          | `//queue.storage.azure.com/<queueName>` (the trigger's `queueName`) |
 * | `type`            | `com.microsoft.azure.storage.queue.message`, or the `storageQueue.type` option |
 * | `time`            | `triggerMetadata.insertionTime`                                |
 * | `datacontenttype` | text: `text/plain`; bytes: `application/octet-stream`; any other JSON value: `application/json` |
 * | `data`            | the message as the host hands it: JSON text already parsed, other text as a string, bytes as a `Uint8Array` |
 *
 * `ctx.attempt` is `triggerMetadata.dequeueCount`. A message that is an
 * object with a `specversion` member is a structured CloudEvent in the
 * JSON format, read by the core's own reader (`fromJsonFormat`): it passes
 * through unchanged, and must be valid.
 *
 * **A Service Bus message** (queue or topic subscription) is read the same
 * way: `messageId` as `id`, `//servicebus.azure.com/<queueName>` (or
 * `<topicName>/subscriptions/<subscriptionName>`) as `source`,
 * `com.microsoft.azure.servicebus.message` or the `serviceBus.type` option
 * as `type`, `enqueuedTimeUtc` as `time`, the body as `data`, and
 * `deliveryCount` as `ctx.attempt`, `correlationId` and `sessionId` as
 * the `correlationid` and `sessionid` extensions; a structured CloudEvent
 * body passes through, and so does a CloudEvent in the AMQP binding's
 * binary mode (`cloudEvents_<attribute>` or `cloudEvents:<attribute>`
 * application properties, the body as its data). A batch (`cardinality:
 * 'many'`) reads each message's metadata from the `…Array` members.
 * Messages settled one by one (`sdkBinding`) are `service-bus-settlement.ts`'s.
 *
 * **A blob** is `blob.ts`'s, **a Cosmos DB change** `cosmos-db.ts`'s.
 *
 * **An Event Hubs event** (cardinality `one` or `many`): `<partitionId>/<sequenceNumber>`
 * as `id` (stable across redeliveries), `//eventhubs.azure.com/<eventHubName>`
 * as `source`, `com.microsoft.azure.eventhubs.event` or the `eventHubs.type`
 * option as `type`, `enqueuedTimeUtc` as `time`, the body as `data`; a
 * structured CloudEvent body passes through. A partition's events run in
 * order. Event Hubs does not redeliver what a function failed (the host
 * checkpoints after the invocation either way), so failures are retried
 * inside the invocation (see `to-azure.ts`); `ctx.attempt` counts those.
 *
 * **An Event Grid event**: the CloudEvents schema (it has `specversion`) is
 * read as it is; the Event Grid schema becomes `id`, `topic` → `source`,
 * `eventType` → `type`, `subject` (absent when empty), `eventTime` →
 * `time`, `data` (`application/json`), and a non-empty `dataVersion` as the
 * `dataversion` extension.
 *
 * **A timer tick:**
 *
 * | attribute         | value                                                          |
 * |-------------------|----------------------------------------------------------------|
 * | `id`              | `<functionName>@<scheduled time>`: a retry of a tick keeps its id |
 * | `source`          | `//functions.azure.com/timer/<functionName>`                   |
 * | `type`            | `com.microsoft.azure.functions.timer`, or the `timer.type` option |
 * | `time`            | the scheduled time: `scheduleStatus.next`, which during a run is the occurrence being run; without schedule monitoring (`useMonitor: false`, or a schedule under a minute) the invocation's start |
 * | `ispastdue`       | `isPastDue`                                                    |
 * | `schedulelast`, `schedulenext`, `scheduleupdated` | `scheduleStatus.last`, `.next`, `.lastUpdated`, when there is a status |
 * | `data`            | the timer object (`application/json`)                          |
 *
 * A `runOnStartup` run also reports the upcoming occurrence as `next`, so
 * it shares that occurrence's id: a deduplicating handler runs one of them.
 *
 * **Outcomes:**
 *
 * | outcome | Storage queue, Event Grid                                    | timer            |
 * |---------|--------------------------------------------------------------|------------------|
 * | ok      | return (Service Bus: the host completes the message)         | return           |
 * | retry   | throw: the host retries (a queue message comes back after `visibilityTimeout` until `maxDequeueCount`, then goes to `<queue>-poison`; a Service Bus message is abandoned and redelivered until the entity's max delivery count, then dead-lettered; Event Grid redelivers with its own backoff) | throw (the host's retry policy, if any; the next tick runs anyway) |
 * | drop    | `onDrop: 'dead-letter'`: throw, so the message reaches the poison queue (Event Grid: its dead-letter destination) after the retries; `'ack'`: logged, return | logged, return |
 */
import { createEvent, type CloudEvent } from '../../src/event.js'
import { fromJsonFormat } from '../../src/http/decode.js'
import type { Outcome } from '../../src/outcome.js'
import type { Timer } from './azure-types.js'

/** The `type` of a queue message that is not a CloudEvent, unless the `storageQueue.type` option says otherwise. */
export const STORAGE_QUEUE_TYPE = 'com.microsoft.azure.storage.queue.message'
/** The `type` of a Service Bus message that is not a CloudEvent, unless the `serviceBus.type` option says otherwise. */
export const SERVICE_BUS_TYPE = 'com.microsoft.azure.servicebus.message'
/** The `type` of an Event Hubs event that is not a CloudEvent, unless the `eventHubs.type` option says otherwise. */
export const EVENT_HUBS_TYPE = 'com.microsoft.azure.eventhubs.event'
/** The `type` of a timer tick, unless the `timer.type` option says otherwise. */
export const TIMER_TYPE = 'com.microsoft.azure.functions.timer'

/** What the host tells of a Storage queue message (`context.triggerMetadata`, camelCased by the library). */
export interface StorageQueueMetadata {
  readonly id?: string
  readonly dequeueCount?: number
  readonly insertionTime?: string
  readonly expirationTime?: string
  readonly nextVisibleTime?: string
  readonly popReceipt?: string
  readonly queueTrigger?: unknown
}

/** What the host tells of a Service Bus message (`context.triggerMetadata`, camelCased by the library; the members used here). */
export interface ServiceBusMetadata {
  readonly messageId?: string
  readonly deliveryCount?: number
  readonly enqueuedTimeUtc?: string
  readonly sequenceNumber?: number
  readonly contentType?: string
  readonly correlationId?: string
  readonly sessionId?: string
  /** The application properties, under the older extension's name. */
  readonly userProperties?: Readonly<Record<string, unknown>>
  /** The application properties, under the newer extension's name. */
  readonly applicationProperties?: Readonly<Record<string, unknown>>
}

/** The `type` a Service Bus message becomes: one for all, or chosen per message. */
export type ServiceBusEventType = string | ((message: unknown, metadata: ServiceBusMetadata, entity: string) => string)

/** Where one Event Hubs event sits in its hub: what a given-up event is logged and handed over with. */
export interface EventHubsPosition {
  readonly eventHub: string
  readonly partitionId: string | undefined
  readonly sequenceNumber: number | undefined
  readonly offset: string | undefined
  readonly enqueuedTimeUtc: string | undefined
}

/** The `type` an Event Hubs event becomes: one for all, or chosen per event. */
export type EventHubsEventType = string | ((body: unknown, position: EventHubsPosition) => string)

/** The `type` a queue message becomes: one for all, or chosen per message. */
export type StorageQueueEventType = string | ((message: unknown, metadata: StorageQueueMetadata, queueName: string) => string)
/** The `type` a timer tick becomes: one for all, or chosen per function. */
export type TimerEventType = string | ((timer: Timer, functionName: string) => string)

/** An Event Grid event in the Event Grid schema. */
export interface EventGridSchemaEvent {
  readonly id: string
  readonly topic: string
  readonly subject?: string
  readonly eventType: string
  readonly eventTime: string
  readonly data?: unknown
  readonly dataVersion?: string
  readonly metadataVersion?: string
}

/**
 * The `source` of a Storage queue's events: what a handler filters on to
 * take one queue's messages only.
 *
 * @example
 * ```ts
 * defineHandler({ source: storageQueueSource('orders'), handle: (event) => event.data })
 * ```
 */
export function storageQueueSource(queueName: string): string {
  return `//queue.storage.azure.com/${encodeURIComponent(queueName)}`
}

/**
 * The `source` of a Service Bus entity's events: a queue's name, or
 * `<topic>/subscriptions/<subscription>`.
 *
 * @example
 * ```ts
 * serviceBusSource('orders')                          // '//servicebus.azure.com/orders'
 * serviceBusSource('orders/subscriptions/billing')    // '//servicebus.azure.com/orders/subscriptions/billing'
 * ```
 */
export function serviceBusSource(entity: string): string {
  return `//servicebus.azure.com/${entity.split('/').map(encodeURIComponent).join('/')}`
}

/**
 * The `source` of an event hub's events.
 *
 * @example
 * ```ts
 * eventHubsSource('telemetry')   // '//eventhubs.azure.com/telemetry'
 * ```
 */
export function eventHubsSource(eventHub: string): string {
  return `//eventhubs.azure.com/${encodeURIComponent(eventHub)}`
}

/**
 * The position of each event of an Event Hubs invocation, from its trigger
 * metadata: `offset`, `sequenceNumber`, `enqueuedTimeUtc` for one event,
 * the `…Array` members for a batch (`many`), `partitionContext` for both.
 *
 * @example
 * ```ts
 * eventHubsPositions({ sequenceNumber: 47, offset: 3696, partitionContext: { partitionId: '0' } }, 1, false, 'telemetry')
 * // [{ eventHub: 'telemetry', partitionId: '0', sequenceNumber: 47, offset: '3696', enqueuedTimeUtc: undefined }]
 * ```
 */
export function eventHubsPositions(metadata: Readonly<Record<string, unknown>>, count: number, many: boolean, eventHub: string): EventHubsPosition[] {
  const partition = metadata.partitionContext as { partitionId?: unknown } | undefined
  const partitionId = partition?.partitionId === undefined || partition.partitionId === null ? undefined : String(partition.partitionId)
  const at = (name: string, i: number): unknown => (many ? (metadata[`${name}Array`] as unknown[] | undefined)?.[i] : metadata[name])
  const positions: EventHubsPosition[] = []
  for (let i = 0; i < count; i++) {
    const sequenceNumber = at('sequenceNumber', i)
    const offset = at('offset', i)
    const enqueued = at('enqueuedTimeUtc', i)
    positions.push({
      eventHub,
      partitionId,
      sequenceNumber: typeof sequenceNumber === 'number' ? sequenceNumber : undefined,
      // The library parses an offset sent as text into a number when it can.
      offset: typeof offset === 'number' || typeof offset === 'string' ? String(offset) : undefined,
      enqueuedTimeUtc: typeof enqueued === 'string' ? enqueued : undefined,
    })
  }
  return positions
}

/**
 * The CloudEvent of one Event Hubs event. Throws an `InvalidEventError` for
 * a structured CloudEvent body that is not valid, or an event whose position
 * the metadata does not give (a drop).
 *
 * @example
 * ```ts
 * eventHubsToEvent({ temp: 21 }, { eventHub: 'telemetry', partitionId: '0', sequenceNumber: 47, offset: '3696', enqueuedTimeUtc: '2026-12-07T09:00:00Z' })
 * // { id: '0/47', source: '//eventhubs.azure.com/telemetry', type: 'com.microsoft.azure.eventhubs.event', … }
 * ```
 */
export function eventHubsToEvent(body: unknown, position: EventHubsPosition, type: EventHubsEventType = EVENT_HUBS_TYPE): CloudEvent {
  const bytes = bytesOf(body)
  if (!bytes && isStructured(body)) return fromJsonFormat(body)
  const { partitionId, sequenceNumber } = position
  return createEvent({
    id: partitionId === undefined || sequenceNumber === undefined ? '' : `${partitionId}/${sequenceNumber}`,
    source: eventHubsSource(position.eventHub),
    type: typeof type === 'function' ? type(body, position) : type,
    time: validTime(position.enqueuedTimeUtc),
    datacontenttype: bytes ? 'application/octet-stream' : typeof body === 'string' ? 'text/plain' : 'application/json',
    data: bytes ?? body,
  })
}

/**
 * The `source` of a timer function's ticks.
 *
 * @example
 * ```ts
 * timerSource('nightly')   // '//functions.azure.com/timer/nightly'
 * ```
 */
export function timerSource(functionName: string): string {
  return `//functions.azure.com/timer/${encodeURIComponent(functionName)}`
}

/**
 * The CloudEvent a Storage queue message carries. Throws an
 * `InvalidEventError` for a structured CloudEvent body that is not valid, or
 * a message with no id (a drop: it never will be valid).
 *
 * @example
 * ```ts
 * queueMessageToEvent({ orderId: 'A1' }, { id: '814b…', dequeueCount: 1, insertionTime: '2026-12-07T10:00:00+00:00' }, 'orders')
 * // { id: '814b…', source: '//queue.storage.azure.com/orders', type: 'com.microsoft.azure.storage.queue.message', datacontenttype: 'application/json', … }
 * ```
 */
export function queueMessageToEvent(message: unknown, metadata: StorageQueueMetadata, queueName: string, type: StorageQueueEventType = STORAGE_QUEUE_TYPE): CloudEvent {
  return messageEvent(message, metadata.id, storageQueueSource(queueName), () => (typeof type === 'function' ? type(message, metadata, queueName) : type), metadata.insertionTime)
}

/**
 * The CloudEvent a Service Bus message carries. Throws an
 * `InvalidEventError` for a structured CloudEvent body that is not valid,
 * or a message with no id (a drop: it never will be valid).
 *
 * @example
 * ```ts
 * serviceBusMessageToEvent({ orderId: 'A1' }, { messageId: 'a11f…', deliveryCount: 1, enqueuedTimeUtc: '2026-12-07T09:00:00.000Z' }, 'orders')
 * // { id: 'a11f…', source: '//servicebus.azure.com/orders', type: 'com.microsoft.azure.servicebus.message', … }
 * ```
 */
export function serviceBusMessageToEvent(message: unknown, metadata: ServiceBusMetadata, entity: string, type: ServiceBusEventType = SERVICE_BUS_TYPE): CloudEvent {
  const carried = amqpCloudEvent(metadata.applicationProperties ?? metadata.userProperties, message, metadata.contentType)
  if (carried) return carried
  return messageEvent(message, metadata.messageId, serviceBusSource(entity), () => (typeof type === 'function' ? type(message, metadata, entity) : type), metadata.enqueuedTimeUtc, {
    correlationid: metadata.correlationId || undefined,
    sessionid: metadata.sessionId || undefined,
  })
}

/**
 * The Service Bus metadata of message `index` of a batch (`cardinality:
 * 'many'`): the host sends each member as an array, its name suffixed
 * `Array` (`messageIdArray`, `deliveryCountArray`, …).
 *
 * @example
 * ```ts
 * serviceBusMetadataAt({ messageIdArray: ['a', 'b'], deliveryCountArray: [1, 3] }, 1)
 * // { messageId: 'b', deliveryCount: 3, … }
 * ```
 */
export function serviceBusMetadataAt(metadata: Readonly<Record<string, unknown>>, index: number): ServiceBusMetadata {
  const at = (name: string): never => (metadata[`${name}Array`] as never[] | undefined)?.[index] as never
  return {
    messageId: at('messageId'),
    deliveryCount: at('deliveryCount'),
    enqueuedTimeUtc: at('enqueuedTimeUtc'),
    sequenceNumber: at('sequenceNumber'),
    contentType: at('contentType'),
    correlationId: at('correlationId'),
    sessionId: at('sessionId'),
    userProperties: at('userProperties'),
    applicationProperties: at('applicationProperties'),
  }
}

/**
 * A CloudEvent carried in binary mode by the CloudEvents AMQP binding: its
 * attributes are application properties named `cloudEvents_<name>` (or
 * `cloudEvents:<name>`), the message's content type is `datacontenttype`
 * and its body the data. `undefined` when no `specversion` property says
 * the message is one.
 */
export function amqpCloudEvent(properties: Readonly<Record<string, unknown>> | undefined, body: unknown, contentType: string | undefined): CloudEvent | undefined {
  if (!properties || (properties['cloudEvents_specversion'] === undefined && properties['cloudEvents:specversion'] === undefined)) return undefined
  const attributes: Record<string, unknown> = {}
  for (const key of Object.keys(properties)) {
    if (key.startsWith('cloudEvents_') || key.startsWith('cloudEvents:')) attributes[key.slice(12)] = properties[key]
  }
  return createEvent({ ...attributes, datacontenttype: contentType || undefined, data: bytesOf(body) ?? body } as Parameters<typeof createEvent>[0])
}

/**
 * A queue message's body as a CloudEvent, by the rules both queues share: a
 * structured CloudEvent passes through; bytes are `application/octet-stream`,
 * text `text/plain`, anything else the host parsed `application/json`.
 * `type` is asked only for a body that is not a CloudEvent.
 */
function messageEvent(message: unknown, id: string | undefined, source: string, type: () => string, time: string | Date | undefined, extensions?: Readonly<Record<string, string | undefined>>): CloudEvent {
  const bytes = bytesOf(message)
  if (!bytes && isStructured(message)) return fromJsonFormat(message)
  return createEvent({
    id: id ?? '',
    source,
    type: type(),
    time: validTime(time),
    datacontenttype: bytes ? 'application/octet-stream' : typeof message === 'string' ? 'text/plain' : 'application/json',
    data: bytes ?? message,
    ...extensions,
  })
}

/**
 * The CloudEvent an Event Grid event is, in either schema (told apart by
 * `specversion`). Throws an `InvalidEventError` for one that is not valid.
 *
 * @example
 * ```ts
 * eventGridToEvent({ id: '1', topic: '/subscriptions/…/topics/orders', eventType: 'Orders.Placed', subject: 'a1', eventTime: '2026-12-07T10:00:00Z', data: {}, dataVersion: '1.0' })
 * // { id: '1', source: '/subscriptions/…/topics/orders', type: 'Orders.Placed', subject: 'a1', time: …, dataversion: '1.0', … }
 * ```
 */
export function eventGridToEvent(input: unknown): CloudEvent {
  if (isStructured(input)) return fromJsonFormat(input)
  const event = (typeof input === 'object' && input !== null ? input : {}) as Partial<EventGridSchemaEvent>
  return createEvent({
    id: event.id as string,
    source: event.topic as string,
    type: event.eventType as string,
    subject: event.subject || undefined,
    time: event.eventTime,
    datacontenttype: 'application/json',
    data: event.data,
    dataversion: event.dataVersion || undefined,
  })
}

/**
 * The CloudEvent of a timer tick.
 *
 * @example
 * ```ts
 * timerToEvent({ schedule: { adjustForDST: true }, scheduleStatus: { last: '…', next: '2026-12-07T10:20:00+00:00', lastUpdated: '…' }, isPastDue: false }, 'nightly', Date.now()).id
 * // 'nightly@2026-12-07T10:20:00.000Z'
 * ```
 */
export function timerToEvent(timer: Timer, functionName: string, now: number, type: TimerEventType = TIMER_TYPE): CloudEvent {
  const status = timer?.scheduleStatus
  const scheduled = validTime(status?.next) ?? new Date(now)
  return createEvent({
    id: `${functionName}@${scheduled.toISOString()}`,
    source: timerSource(functionName),
    type: typeof type === 'function' ? type(timer, functionName) : type,
    time: scheduled,
    datacontenttype: 'application/json',
    data: timer,
    ispastdue: timer?.isPastDue === true,
    schedulelast: status?.last || undefined,
    schedulenext: status?.next || undefined,
    scheduleupdated: status?.lastUpdated || undefined,
  })
}

/**
 * Whether the invocation fails (the host retries, then its poison or
 * dead-letter path) for an outcome `deliver` returned: a retry, and a drop
 * under `onDrop: 'dead-letter'` (which `deliver` already reports as a retry).
 *
 * @example
 * ```ts
 * if (failsInvocation(outcome)) throw platformError(outcome.error)
 * ```
 */
export function failsInvocation(outcome: Outcome): outcome is Extract<Outcome, { kind: 'retry' }> {
  return outcome.kind === 'retry'
}

/** An object with a `specversion` member: a structured CloudEvent. */
function isStructured(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.hasOwn(value, 'specversion')
}

/** A body of bytes (a Node `Buffer`, any view, an `ArrayBuffer`) as a `Uint8Array`. */
export function bytesOf(body: unknown): Uint8Array | undefined {
  if (body instanceof ArrayBuffer) return new Uint8Array(body)
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength)
  return undefined
}

function validTime(value: string | Date | undefined): Date | undefined {
  if (value === undefined || value === '') return undefined
  const date = new Date(value)
  return Number.isNaN(date.getTime()) ? undefined : date
}
