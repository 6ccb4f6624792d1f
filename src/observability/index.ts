/**
 * Observability's building blocks: W3C trace context and the providers'
 * carriers of it, delivery spans and delivery metrics through
 * OpenTelemetry when (and only when) the user registered a provider.
 * The adapter kit's delivery path calls these; nothing here reads a
 * provider's SDK.
 */
export {
  childContext,
  formatTraceparent,
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
  isValidSpanId,
  isValidTraceId,
  newSpanId,
  newTraceId,
  parseTraceparent,
  parseTracestate,
  toCloudTraceContext,
  toXRayHeader,
  traceContext,
  type AzureTraceContext,
  type HeaderCarrier,
  type MessageAttribute,
  type TraceCarrier,
  type TraceContext,
  type TraceContextInit,
} from './trace-context.js'
export {
  DELIVERY_ATTRIBUTES,
  loadOpenTelemetry,
  meterProviderRegistered,
  noopDeliverySpan,
  openTelemetryFrom,
  startDeliverySpan,
  tracerProviderRegistered,
  type DeliveryFacts,
  type DeliveryOutcome,
  type DeliverySpan,
  type EventAttributes,
  type FaasTrigger,
} from './otel.js'
export { DELIVERY_METRICS, recordDelivery, type DeliveryMeasurement } from './metrics.js'
export { importOpenTelemetry } from './import-api.js'
export { deliveryTrace, type Trace } from './trace.js'
