/**
 * OpenTelemetry without a heavy start: whether a tracer (or meter) provider
 * is registered is read from the API's own global, without importing
 * `@opentelemetry/api`; only then is the API loaded, once, by a dynamic
 * import. A deployment without OpenTelemetry pays a property read per
 * delivery and gets one shared no-op object: no import (the API's cold
 * import costs Node 20 some 20 to 36 ms), no allocation.
 *
 * `@opentelemetry/api` is an optional peer of faasade (`^1.3.0`): the API
 * of the user's provider is the one loaded, so spans land where the
 * user's SDK exports them.
 */
import type * as OtelApi from '@opentelemetry/api'
import { isValidSpanId, isValidTraceId, parseTracestate, type TraceContext } from './trace-context.js'

// @opentelemetry/api 1.x keeps its registrations on the global object under
// `Symbol.for('opentelemetry.js.api.' + major)`, as `{ version, trace?,
// metrics?, context?, propagation?, diag? }` (src/internal/global-utils.ts;
// every 1.x since 1.0). The peer range is ^1.x, so major 1 is the one read.
const GLOBAL_KEY = Symbol.for('opentelemetry.js.api.1')

interface ApiGlobal {
  readonly version?: unknown
  readonly trace?: unknown
  readonly metrics?: unknown
}

function apiGlobal(): ApiGlobal | undefined {
  const value = (globalThis as { [GLOBAL_KEY]?: unknown })[GLOBAL_KEY]
  return value !== null && typeof value === 'object' ? (value as ApiGlobal) : undefined
}

/**
 * Whether a tracer provider is registered with `@opentelemetry/api` 1.x
 * (an SDK's `register()` or `trace.setGlobalTracerProvider`), read from
 * the API's global without importing the API.
 *
 * @example
 * ```ts
 * if (tracerProviderRegistered()) await loadOpenTelemetry()
 * ```
 */
export function tracerProviderRegistered(): boolean {
  return apiGlobal()?.trace != null
}

/**
 * Whether a meter provider is registered with `@opentelemetry/api` 1.x, read without importing the API.
 *
 * @example
 * ```ts
 * if (meterProviderRegistered()) recordDelivery(measurement)
 * ```
 */
export function meterProviderRegistered(): boolean {
  return apiGlobal()?.metrics != null
}

type Api = typeof OtelApi

let api: Api | undefined
let loading: Promise<Api | undefined> | undefined
// The import failed: the package is not where faasade resolves it. Known
// once, so that each delivery then gets the no-op span synchronously.
let unavailable = false

/**
 * Loads `@opentelemetry/api`, once, when a tracer or meter provider is
 * registered; resolves to whether it is loaded. Without a provider it
 * imports nothing and resolves to `false` (and tries again next time: a
 * provider may be registered later). A failed import (the package not
 * installed where faasade can resolve it) resolves to `false` for good.
 * Never rejects.
 *
 * @example
 * ```ts
 * await loadOpenTelemetry() // at startup, so that the first delivery's span starts synchronously
 * ```
 */
export function loadOpenTelemetry(): Promise<boolean> {
  if (api !== undefined) return TRUE
  if (unavailable || importer === undefined) return FALSE
  if (loading === undefined && !tracerProviderRegistered() && !meterProviderRegistered()) return FALSE
  loading ??= importApi().then((module) => {
    if (module === undefined) unavailable = true
    return (api = module)
  })
  return loading.then((loaded) => loaded !== undefined)
}

/**
 * The loaded `@opentelemetry/api`, or `undefined` before {@link loadOpenTelemetry}
 * has loaded it. For this module's siblings (metrics); not re-exported.
 * @internal
 */
export function loadedApi(): Api | undefined {
  return api
}

/**
 * Whether `@opentelemetry/api` is loaded: until it is, nothing has been recorded, and there is nothing to flush.
 *
 * @example
 * ```ts
 * if (telemetryLoaded()) ctx.waitUntil(flushTelemetry(ctx.deadline))
 * ```
 */
export function telemetryLoaded(): boolean {
  return api !== undefined
}

// Pure-annotated: a bundle that never loads OpenTelemetry (a Worker) drops them.
const TRUE = /* @__PURE__ */ Promise.resolve(true)
const FALSE = /* @__PURE__ */ Promise.resolve(false)

// The API as the importer hands it. Some bundlers hand the ESM
// namespace's members on `default`; anything else (a failed import, a
// module without `trace`) is "not available".
async function importApi(): Promise<Api | undefined> {
  try {
    const module = (await importer!()) as (Api & { default?: Api }) | undefined
    if (module == null) return undefined
    return module.trace !== undefined ? module : module.default
  } catch {
    return undefined
  }
}

/**
 * Says how `@opentelemetry/api` is loaded when an SDK is registered: a
 * dynamic import the caller writes, so that the import lives in the code of
 * whoever can resolve it. Lambda, Azure Functions and Cloud Run pass
 * `importOpenTelemetry` (a plain `import('@opentelemetry/api')`); a Worker
 * passes its own (the opt-in `observed({ openTelemetry })`), because a
 * bundled Worker cannot keep an import of a package it does not bundle.
 * Without one, nothing of OpenTelemetry is loaded and every span is the
 * no-op one. The first importer given stays.
 *
 * @example
 * ```ts
 * openTelemetryFrom(() => import('@opentelemetry/api'))
 * ```
 */
export function openTelemetryFrom(load: () => Promise<unknown>): void {
  importer ??= load
}

let importer: (() => Promise<unknown>) | undefined

// ------------------------------------------------------------------ spans

/** `faas.trigger`'s values (OpenTelemetry semantic conventions for FaaS). */
export type FaasTrigger = 'http' | 'pubsub' | 'datasource' | 'timer' | 'other'

/** The CloudEvent attributes a delivery span records; any event object has them. */
export interface EventAttributes {
  readonly id?: unknown
  readonly source?: unknown
  readonly type?: unknown
  readonly specversion?: unknown
  readonly subject?: unknown
}

/** What {@link startDeliverySpan} records of a delivery. Every member but `trigger` is optional; what is missing is not recorded. */
export interface DeliveryFacts {
  /** `faas.trigger`: `http` for a request, `pubsub` for a queue or topic message, `datasource` for a stream or store change, `timer` for a schedule. */
  readonly trigger: FaasTrigger
  /**
   * The span kind. @defaultValue `'server'` for an `http` trigger, `'consumer'` for the others
   * (semantic conventions: SERVER for a request, CONSUMER for a message).
   */
  readonly kind?: 'server' | 'consumer'
  /** The span name. @defaultValue `process {destination}` for a consumer with a destination, else `functionName`, else `faasade {trigger}` */
  readonly spanName?: string
  /**
   * The incoming trace context, read by one of the carriers' readers
   * (`fromHeaders`, `fromMessageAttributes`, …): the span's parent, unless
   * a span is already active (an instrumentation's, around the handler),
   * which is then the parent, and this context a link.
   */
  readonly parent?: TraceContext
  /** Other contexts the delivery relates to (each message of a batch): span links. */
  readonly links?: readonly TraceContext[]
  /** `faas.invocation_id`: the platform's invocation or request id. */
  readonly invocationId?: string
  /** `faas.coldstart`: the instance's first invocation. */
  readonly coldStart?: boolean
  /** `faas.name`: the function's (or service's, worker's) name. */
  readonly functionName?: string
  /** `cloud.provider`: `aws`, `azure`, `gcp`, … */
  readonly cloudProvider?: string
  /** `cloud.platform`: `aws_lambda`, `azure.functions`, `gcp_cloud_run`, … */
  readonly cloudPlatform?: string
  /** `cloud.region`. */
  readonly cloudRegion?: string
  /** The delivered event: `cloudevents.event_id`, `event_source`, `event_type`, `event_spec_version`, `event_subject`. */
  readonly event?: EventAttributes
  /** `messaging.system`: `aws_sqs`, `aws.sns`, `gcp_pubsub`, `servicebus`, `eventhubs`, `kafka`, … */
  readonly messagingSystem?: string
  /** `messaging.destination.name`: the queue, topic or subscription. */
  readonly destination?: string
  /** `messaging.batch.message_count`: the number of messages the platform delivered together. */
  readonly batchSize?: number
  /** Epoch milliseconds at which the delivery started. @defaultValue now */
  readonly startTime?: number
  /** Further attributes, recorded as they are. */
  readonly attributes?: Readonly<Record<string, string | number | boolean>>
}

/** How a delivery ended, as the adapter kit's `Outcome` says it (any object of that shape). */
export type DeliveryOutcome =
  | { readonly kind: 'ok' }
  | { readonly kind: 'retry' | 'drop'; readonly error: unknown }

/** A delivery's span, or the shared no-op one when no tracer provider is registered. */
export interface DeliverySpan {
  /** Whether spans are recorded: false for the no-op span, and for a span the sampler dropped. */
  readonly recording: boolean
  /**
   * The span's own context, to pass on to the calls the delivery makes
   * (`inject(headers, span.traceContext)`); `undefined` for the no-op span.
   */
  readonly traceContext: TraceContext | undefined
  /** Records an error as a span event (`exception`), once an error: a later {@link DeliverySpan.end} with the same error does not record it again. */
  recordError(error: unknown): void
  /**
   * Ends the span, once (later calls do nothing). `ok` leaves the status
   * UNSET, as the conventions ask of a success; `retry` and `drop` set it to
   * ERROR with the error's message, record the error unless recorded
   * already, and set `error.type`. Every outcome sets `faasade.outcome`.
   * Without an outcome the span ends as it is.
   */
  end(outcome?: DeliveryOutcome, endTime?: number): void
  /**
   * Runs `work` with this span active (OpenTelemetry's `context.with`), so
   * that the spans the handler and its clients start are its children;
   * the no-op span just runs it. A promise `work` returns keeps the span
   * active through its continuations where the user's SDK registered an
   * async context manager (Node SDK: AsyncLocalStorage).
   *
   * @example
   * ```ts
   * const outcome = await span.run(() => settle(() => handler(event, ctx)))
   * ```
   */
  run<T>(work: () => T): T
}

const NOOP_SPAN: DeliverySpan = /* @__PURE__ */ Object.freeze({
  recording: false,
  traceContext: undefined,
  recordError() {},
  end() {},
  run<T>(work: () => T): T {
    return work()
  },
})

/**
 * The shared no-op {@link DeliverySpan}, for callers that need one without starting a span.
 *
 * @example
 * ```ts
 * const span = tracing ? await startDeliverySpan(facts) : noopDeliverySpan
 * ```
 */
export const noopDeliverySpan: DeliverySpan = NOOP_SPAN

/**
 * Starts the span of one delivery. Without a registered tracer provider it
 * returns the shared no-op span, synchronously, and imports nothing. With
 * one, it returns the span synchronously once `@opentelemetry/api` is
 * loaded, and a promise of it the first time (while the API loads; call
 * {@link loadOpenTelemetry} at startup to avoid even that). Never throws,
 * never rejects: a tracing failure gives the no-op span.
 *
 * @example
 * ```ts
 * const started = startDeliverySpan({ trigger: 'pubsub', parent: fromMessageAttributes(record.messageAttributes), event, messagingSystem: 'aws_sqs' })
 * const span = started instanceof Promise ? await started : started
 * try {
 *   const outcome = await settle(() => handler(event, ctx))
 *   span.end(outcome)
 * } catch (error) {
 *   span.recordError(error)
 *   throw error
 * }
 * ```
 */
export function startDeliverySpan(facts: DeliveryFacts): DeliverySpan | Promise<DeliverySpan> {
  const global = apiGlobal()
  if (global?.trace == null || unavailable || importer === undefined) return NOOP_SPAN
  if (api !== undefined) return startSpan(api, facts)
  return loadOpenTelemetry().then((loaded) => (loaded && api !== undefined ? startSpan(api, facts) : NOOP_SPAN))
}

const SPAN_KIND_SERVER = 1 // SpanKind.SERVER, a const enum's value in every 1.x
const SPAN_KIND_CONSUMER = 4 // SpanKind.CONSUMER
const STATUS_ERROR = 2 // SpanStatusCode.ERROR

let tracerOf: { provider: unknown; tracer: OtelApi.Tracer } | undefined

function tracer(otel: Api): OtelApi.Tracer {
  const provider = otel.trace.getTracerProvider()
  // One tracer a provider: tests (and some hosts) replace the provider.
  if (tracerOf?.provider !== provider) tracerOf = { provider, tracer: provider.getTracer('faasade') }
  return tracerOf.tracer
}

function startSpan(otel: Api, facts: DeliveryFacts): DeliverySpan {
  try {
    const active = otel.context.active()
    const incoming = facts.parent === undefined ? undefined : spanContextOf(otel, facts.parent)
    // An active span (an instrumentation's) stays the parent; the incoming
    // context then joins the links, as the conventions do for a batch.
    const parentIsActive = otel.trace.getSpan(active) !== undefined
    const parent = incoming !== undefined && !parentIsActive ? otel.trace.setSpanContext(active, incoming) : active
    const links: OtelApi.Link[] = []
    if (incoming !== undefined && parentIsActive) links.push({ context: incoming })
    for (const link of facts.links ?? []) {
      const context = spanContextOf(otel, link)
      if (context !== undefined) links.push({ context })
    }
    const kind = (facts.kind ?? (facts.trigger === 'http' ? 'server' : 'consumer')) === 'server' ? SPAN_KIND_SERVER : SPAN_KIND_CONSUMER
    const options: OtelApi.SpanOptions = { kind, attributes: attributesOf(facts, kind === SPAN_KIND_CONSUMER), links }
    if (facts.startTime !== undefined) options.startTime = facts.startTime
    return new RecordedSpan(otel, tracer(otel).startSpan(spanName(facts, kind === SPAN_KIND_CONSUMER), options, parent))
  } catch {
    // Tracing must never fail a delivery.
    return NOOP_SPAN
  }
}

function spanName(facts: DeliveryFacts, consumer: boolean): string {
  if (facts.spanName !== undefined) return facts.spanName
  if (consumer && facts.destination !== undefined) return `process ${facts.destination}`
  return facts.functionName ?? `faasade ${facts.trigger}`
}

function spanContextOf(otel: Api, ctx: TraceContext): OtelApi.SpanContext | undefined {
  // A TraceContext is valid by construction, but this is public input.
  if (!isValidTraceId(ctx.traceId) || !isValidSpanId(ctx.spanId)) return undefined
  const spanContext: OtelApi.SpanContext = { traceId: ctx.traceId, spanId: ctx.spanId, traceFlags: ctx.sampled ? 1 : 0, isRemote: true }
  if (ctx.tracestate !== undefined && typeof otel.createTraceState === 'function') spanContext.traceState = otel.createTraceState(ctx.tracestate)
  return spanContext
}

/** The attribute names a delivery span sets, by the OpenTelemetry semantic conventions (FaaS, cloud, CloudEvents, messaging). */
export const DELIVERY_ATTRIBUTES = /* @__PURE__ */ Object.freeze({
  trigger: 'faas.trigger',
  invocationId: 'faas.invocation_id',
  coldStart: 'faas.coldstart',
  functionName: 'faas.name',
  cloudProvider: 'cloud.provider',
  cloudPlatform: 'cloud.platform',
  cloudRegion: 'cloud.region',
  eventId: 'cloudevents.event_id',
  eventSource: 'cloudevents.event_source',
  eventType: 'cloudevents.event_type',
  eventSpecVersion: 'cloudevents.event_spec_version',
  eventSubject: 'cloudevents.event_subject',
  messagingSystem: 'messaging.system',
  messagingOperation: 'messaging.operation.type',
  destination: 'messaging.destination.name',
  batchSize: 'messaging.batch.message_count',
  errorType: 'error.type',
  outcome: 'faasade.outcome',
})

const A = DELIVERY_ATTRIBUTES

function attributesOf(facts: DeliveryFacts, consumer: boolean): OtelApi.Attributes {
  const attributes: OtelApi.Attributes = { ...facts.attributes, [A.trigger]: facts.trigger }
  const put = (name: string, value: unknown) => {
    if (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) attributes[name] = value
  }
  put(A.invocationId, facts.invocationId)
  put(A.coldStart, facts.coldStart)
  put(A.functionName, facts.functionName)
  put(A.cloudProvider, facts.cloudProvider)
  put(A.cloudPlatform, facts.cloudPlatform)
  put(A.cloudRegion, facts.cloudRegion)
  const event = facts.event
  if (event != null && typeof event === 'object') {
    put(A.eventId, event.id)
    put(A.eventSource, event.source)
    put(A.eventType, event.type)
    put(A.eventSpecVersion, event.specversion)
    put(A.eventSubject, event.subject)
  }
  put(A.messagingSystem, facts.messagingSystem)
  if (consumer && facts.messagingSystem !== undefined) attributes[A.messagingOperation] = 'process'
  put(A.destination, facts.destination)
  put(A.batchSize, facts.batchSize)
  return attributes
}

class RecordedSpan implements DeliverySpan {
  readonly recording: boolean
  readonly traceContext: TraceContext
  #otel: Api
  #span: OtelApi.Span
  #recorded: unknown[] = []
  #ended = false

  constructor(otel: Api, span: OtelApi.Span) {
    this.#otel = otel
    this.#span = span
    this.recording = span.isRecording()
    const { traceId, spanId, traceFlags, traceState } = span.spanContext()
    const sampled = (traceFlags & 1) === 1
    const tracestate = parseTracestate(traceState?.serialize())
    const traceparent = `00-${traceId}-${spanId}-${sampled ? '01' : '00'}`
    this.traceContext = tracestate === undefined ? { traceId, spanId, sampled, traceparent } : { traceId, spanId, sampled, traceparent, tracestate }
  }

  recordError(error: unknown): void {
    if (this.#ended || this.#seen(error)) return
    this.#recorded.push(error)
    try {
      this.#span.recordException(toException(error))
    } catch {
      // A tracing failure is not the delivery's.
    }
  }

  end(outcome?: DeliveryOutcome, endTime?: number): void {
    if (this.#ended) return
    try {
      if (outcome !== undefined) {
        this.#span.setAttribute(A.outcome, outcome.kind)
        if (outcome.kind !== 'ok') {
          const error = outcome.error
          this.recordError(error)
          this.#span.setAttribute(A.errorType, errorType(error))
          this.#span.setStatus({ code: STATUS_ERROR, message: errorMessage(error) })
        }
      }
      this.#ended = true
      this.#span.end(endTime)
    } catch {
      this.#ended = true
    }
  }

  run<T>(work: () => T): T {
    const { context, trace } = this.#otel
    return context.with(trace.setSpan(context.active(), this.#span), work)
  }

  // The outcome's error is the handler's own, or ours wrapping it (`cause`):
  // either way the same error, recorded once.
  #seen(error: unknown): boolean {
    const cause = error instanceof Error ? error.cause : undefined
    return this.#recorded.some((e) => e === error || (cause !== undefined && e === cause) || (e instanceof Error && e.cause !== undefined && e.cause === error))
  }
}

function toException(error: unknown): OtelApi.Exception {
  if (error instanceof Error) return error
  return { name: 'NonError', message: typeof error === 'string' ? error : safeString(error) }
}

function errorType(error: unknown): string {
  if (error instanceof Error) return error.name || error.constructor?.name || 'Error'
  return typeof error
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : safeString(error)
}

function safeString(value: unknown): string {
  try {
    return String(value)
  } catch {
    return Object.prototype.toString.call(value)
  }
}

// ------------------------------------------------------------------ flush

interface Flushable {
  forceFlush?(): Promise<unknown>
  getDelegate?(): unknown
}

/**
 * Exports what the user's SDK holds (spans in a batch processor, metrics
 * not yet read) before the platform freezes the instance: Lambda right
 * after the handler returns, Azure and Cloud Run once the reply is out.
 * Resolves when both flushes are done or at `deadline`, whichever is first;
 * does nothing (and loads nothing) before `@opentelemetry/api` is loaded,
 * since nothing can have been recorded then. Never rejects.
 *
 * @example
 * ```ts
 * const outcomes = await deliver(adapter, delivery)
 * await flushTelemetry(deadline)
 * ```
 */
export function flushTelemetry(deadline: number): Promise<void> {
  if (api === undefined) return DONE
  const flushes: Promise<unknown>[] = []
  try {
    const tracerProvider = api.trace.getTracerProvider() as Flushable
    // The API hands a proxy; the SDK's provider (which flushes) is its delegate.
    const sdk = (typeof tracerProvider.getDelegate === 'function' ? tracerProvider.getDelegate() : tracerProvider) as Flushable
    if (typeof sdk?.forceFlush === 'function') flushes.push(sdk.forceFlush())
    const meterProvider = api.metrics.getMeterProvider() as Flushable
    if (typeof meterProvider?.forceFlush === 'function') flushes.push(meterProvider.forceFlush())
  } catch {
    // A flush failure is the exporter's, never the delivery's.
  }
  if (flushes.length === 0) return DONE
  const all = Promise.allSettled(flushes).then(() => undefined)
  const wait = deadline - Date.now()
  if (!(wait <= 2 ** 31 - 1)) return all
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, Math.max(0, wait))
    void all.then(() => {
      clearTimeout(timer)
      resolve()
    })
  })
}

const DONE = /* @__PURE__ */ Promise.resolve()
