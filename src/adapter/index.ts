/**
 * `faasade/adapter`: the adapter kit. Every adapter, ours and anyone's, is a
 * mapping table (mappers: native input to CloudEvents or an HTTP request,
 * outcomes to the native reply) and a thin entry on this kit, which owns
 * what happens in between: one delivery path (`deliver`: contexts,
 * dispatch, batches, the deadline cut, `waitUntil`, failure logs, the drop
 * policy), one HTTP path (`answerHttp`), one set of options and their check.
 *
 * @example
 * ```ts
 * // A made-up queue platform: per-message ack/retry, a deadline.
 * import { checkAdapterOptions, createAdapter, deadlineIn, deliver, type AdapterOptions } from 'faasade/adapter'
 * import { createEvent, createLogger, type Target } from 'faasade'
 *
 * export function toMyQueue(target: Target, options: AdapterOptions = {}) {
 *   checkAdapterOptions('toMyQueue', options)
 *   const adapter = createAdapter(target, options, { name: 'my-queue', log: () => createLogger() })
 *   return async (batch: { messages: Message[]; remainingMs: number }) => {
 *     const items = batch.messages.map((m) => ({ event: createEvent({ id: m.id, source: '/my-queue', type: 'com.example.message', data: m.body }), id: m.id, record: m }))
 *     const outcomes = await deliver(adapter, { trigger: 'my-queue', items, deadline: deadlineIn(batch.remainingMs, adapter.timeoutMarginMs), raw: (item) => item.record })
 *     outcomes.forEach((o, i) => (o.kind === 'ok' ? batch.messages[i]!.ack() : batch.messages[i]!.retry()))
 *   }
 * }
 * ```
 */
export { createAdapter, invocationFacts, invocationLog, type Adapter, type BatchRunner, type Platform } from './adapter.js'
export { deadlineIn, DEFAULT_TIMEOUT_MARGIN_MS, UNFINISHED, untilDeadline } from './deadline.js'
export { deliver, type Delivery } from './delivery.js'
export { answerHttp, appFailed, type AppExecutionContext, type HttpAnswer, type HttpDelivery } from './http.js'
export { defineMapper, findMapper, isMapper, unknownInput, type EventMapper, type HttpMapper, type HttpReplyParts, type HttpRequestParts, type Mapper, type NativeItem } from './mapper.js'
export { ADAPTER_OPTIONS, checkAdapterOptions, type AdapterOptions, type DropPolicy } from './options.js'
export { observed, type DeliveryDescription, type ObserverOptions } from './observe.js'
export { platformError } from './platform-error.js'
export { waitUntilWork, type WaitUntilWork } from './wait-until.js'
export { toWebRequest, type PlainHttpRequest } from './web-request.js'
export {
  childContext,
  fromAzureTraceContext,
  fromCloudEvent,
  fromCloudTraceContext,
  fromHeaders,
  fromMessageAttributes,
  fromPubSubAttributes,
  fromServiceBusProperties,
  fromStructuredCloudEvent,
  fromXRayHeader,
  inject,
  parseTraceparent,
  toCloudTraceContext,
  toXRayHeader,
  type AzureTraceContext,
  type HeaderCarrier,
  type MessageAttribute,
  type TraceCarrier,
  type TraceContext,
} from '../observability/trace-context.js'
export { deliveryTrace, type Trace } from '../observability/trace.js'
export { DELIVERY_ATTRIBUTES, flushTelemetry, loadOpenTelemetry, type FaasTrigger } from '../observability/otel.js'
export { DELIVERY_METRICS, recordDelivery, type DeliveryMeasurement } from '../observability/metrics.js'
