/**
 * Service Bus messages settled one by one, for a trigger registered with
 * `sdkBinding: true` and `autoCompleteMessages: false`: the handler then
 * receives `@azure/functions-extensions-servicebus`' message context (the
 * received messages and the actions that settle them) instead of a body,
 * and the host settles nothing itself. Each message gets what its own
 * outcome calls for, as SQS and Workers queues do:
 *
 * | outcome | settlement |
 * |---------|------------|
 * | ok      | `complete`: removed from the entity |
 * | retry (also cut at the deadline) | `abandon`: redelivered until the entity's max delivery count, then dead-lettered by Service Bus |
 * | drop, `onDrop: 'dead-letter'` | `deadletter` at once, with the error's name as the reason and its message as the description |
 * | drop, `onDrop: 'ack'` | `complete` (the drop is logged) |
 *
 * The extension package is not imported (the user's app imports it to
 * register its factory with the library); its documented shapes are
 * modelled here structurally, only the members the adapter uses.
 */
import type { CloudEvent } from '../../src/event.js'
import type { FaasadeError } from '../../src/errors.js'
import type { Outcome } from '../../src/outcome.js'
import { amqpCloudEvent, bytesOf, serviceBusSource, SERVICE_BUS_TYPE, type ServiceBusEventType, type ServiceBusMetadata } from './mapping.js'
import { createEvent } from '../../src/event.js'
import { fromJsonFormat } from '../../src/http/decode.js'

/**
 * A received message as `@azure/functions-extensions-servicebus` hands it
 * (the `ServiceBusReceivedMessage` of `@azure/service-bus`, decoded from
 * the AMQP message the host passes): the members the adapter reads.
 */
export interface ServiceBusReceivedMessageLike {
  /** The AMQP body: the bytes a producer sent, or a value an AMQP producer encoded. */
  readonly body: unknown
  readonly messageId?: string | number | Uint8Array
  readonly contentType?: string
  readonly correlationId?: string | number | Uint8Array
  readonly sessionId?: string
  readonly subject?: string
  readonly applicationProperties?: Readonly<Record<string, unknown>>
  readonly deliveryCount?: number
  readonly enqueuedTimeUtc?: Date
  readonly sequenceNumber?: unknown
  readonly lockToken?: string
}

/**
 * The settlement actions of `@azure/functions-extensions-servicebus`
 * (`ServiceBusMessageActions`): each call settles one message by its lock
 * token, through the host.
 */
export interface ServiceBusSettlementActions {
  complete(message: ServiceBusReceivedMessageLike): Promise<void>
  abandon(message: ServiceBusReceivedMessageLike, propertiesToModify?: Uint8Array): Promise<void>
  deadletter(message: ServiceBusReceivedMessageLike, propertiesToModify?: Uint8Array, deadletterReason?: string, deadletterErrorDescription?: string): Promise<void>
}

/**
 * What a Service Bus trigger with `sdkBinding: true` hands the handler
 * (`ServiceBusMessageContext`): the messages (one, or the batch under
 * `cardinality: 'many'`) and the actions. The extension's first previews
 * named the actions `serviceBusMessageActions` and gave one message
 * unwrapped; both are read.
 */
export interface ServiceBusMessageContextLike {
  readonly messages: ServiceBusReceivedMessageLike | readonly ServiceBusReceivedMessageLike[]
  readonly actions?: ServiceBusSettlementActions
  readonly serviceBusMessageActions?: ServiceBusSettlementActions
}

/** Whether a Service Bus trigger's input is the SDK binding's message context rather than a body. */
export function isServiceBusMessageContext(input: unknown): input is ServiceBusMessageContextLike {
  if (typeof input !== 'object' || input === null || !('messages' in input)) return false
  const actions = (input as ServiceBusMessageContextLike).actions ?? (input as ServiceBusMessageContextLike).serviceBusMessageActions
  return typeof actions?.complete === 'function' && typeof actions.abandon === 'function' && typeof actions.deadletter === 'function'
}

/** The messages and actions of a message context. */
export function messagesOf(input: ServiceBusMessageContextLike): { messages: readonly ServiceBusReceivedMessageLike[]; actions: ServiceBusSettlementActions } {
  const messages = Array.isArray(input.messages) ? (input.messages as readonly ServiceBusReceivedMessageLike[]) : [input.messages as ServiceBusReceivedMessageLike]
  return { messages, actions: (input.actions ?? input.serviceBusMessageActions)! }
}

/**
 * The metadata a received message carries, under the names the host's
 * trigger metadata uses, for the `serviceBus.type` option and the mapping.
 */
export function receivedMetadata(message: ServiceBusReceivedMessageLike): ServiceBusMetadata {
  return {
    messageId: textOf(message.messageId),
    deliveryCount: attemptOf(message.deliveryCount),
    enqueuedTimeUtc: message.enqueuedTimeUtc instanceof Date && !Number.isNaN(message.enqueuedTimeUtc.getTime()) ? message.enqueuedTimeUtc.toISOString() : undefined,
    sequenceNumber: message.sequenceNumber === undefined || message.sequenceNumber === null ? undefined : Number(message.sequenceNumber),
    contentType: message.contentType,
    correlationId: textOf(message.correlationId),
    sessionId: message.sessionId,
    applicationProperties: message.applicationProperties,
  }
}

/**
 * The CloudEvent of a received message, by the rules of the host's
 * messages (`serviceBusMessageToEvent`), but for the body: the extension
 * hands the AMQP body undecoded, so bytes whose content type is JSON (or
 * none) and that parse as JSON are that value, text content types a
 * string, and any other content type stays bytes.
 *
 * @example
 * ```ts
 * receivedMessageToEvent({ body: Buffer.from('{"orderId":"A1"}'), messageId: 'm1', contentType: 'application/json', deliveryCount: 1 }, 'orders')
 * // { id: 'm1', source: '//servicebus.azure.com/orders', datacontenttype: 'application/json', data: { orderId: 'A1' }, … }
 * ```
 */
export function receivedMessageToEvent(message: ServiceBusReceivedMessageLike, entity: string, type: ServiceBusEventType = SERVICE_BUS_TYPE): CloudEvent {
  const metadata = receivedMetadata(message)
  const body = decodedBody(message.body, message.contentType)
  const carried = amqpCloudEvent(message.applicationProperties, body, message.contentType)
  if (carried) return carried
  if (isStructured(body)) return fromJsonFormat(body)
  const bytes = bytesOf(body)
  return createEvent({
    id: metadata.messageId ?? '',
    source: serviceBusSource(entity),
    type: typeof type === 'function' ? type(body, metadata, entity) : type,
    time: metadata.enqueuedTimeUtc,
    datacontenttype: bytes ? message.contentType || 'application/octet-stream' : typeof body === 'string' ? 'text/plain' : 'application/json',
    data: bytes ?? body,
    correlationid: metadata.correlationId || undefined,
    sessionid: metadata.sessionId || undefined,
  })
}

/** What the adapter did with one message, for its log line. */
export type Settlement = 'complete' | 'abandon' | 'deadletter'

/**
 * The settlement an outcome calls for (outcomes as `deliver` returns them
 * without the drop policy applied: a drop is still a drop).
 *
 * @example
 * ```ts
 * settlementOf({ kind: 'drop', error }, 'dead-letter')   // 'deadletter'
 * ```
 */
export function settlementOf(outcome: Outcome, onDrop: 'dead-letter' | 'ack'): Settlement {
  if (outcome.kind === 'ok') return 'complete'
  if (outcome.kind === 'retry') return 'abandon'
  return onDrop === 'dead-letter' ? 'deadletter' : 'complete'
}

/** Settles one message as `settlement` says; a dead-lettered one carries the error's name and message. */
export function settle(actions: ServiceBusSettlementActions, message: ServiceBusReceivedMessageLike, settlement: Settlement, error: FaasadeError | undefined): Promise<void> {
  if (settlement === 'complete') return actions.complete(message)
  if (settlement === 'abandon') return actions.abandon(message)
  // Service Bus caps each at 4096 characters; a longer one fails the call, and the message with it.
  return actions.deadletter(message, undefined, error?.name.slice(0, 4096), error?.message.slice(0, 4096))
}

/**
 * `ctx.attempt` from a received message's delivery count. The extension
 * reads it from the AMQP header, which counts earlier deliveries on some
 * paths: a first delivery reads 0 there, and is attempt 1.
 */
function attemptOf(count: number | undefined): number | undefined {
  return Number.isInteger(count) ? Math.max(1, count!) : undefined
}

function textOf(value: string | number | Uint8Array | undefined): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value === 'string') return value
  if (typeof value === 'number') return String(value)
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')
}

const decoder = new TextDecoder('utf-8', { fatal: true })

function decodedBody(body: unknown, contentType: string | undefined): unknown {
  const bytes = bytesOf(body)
  if (!bytes) return body
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase()
  const json = type === '' || type === 'application/json' || type.endsWith('+json')
  if (!json && !type.startsWith('text/')) return body
  let text: string
  try {
    text = decoder.decode(bytes)
  } catch {
    return body
  }
  if (!json) return text
  try {
    return JSON.parse(text)
  } catch {
    // Text that is not JSON, as the host's own conversion keeps it.
    return type === '' ? text : body
  }
}

function isStructured(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value) && Object.hasOwn(value, 'specversion')
}
