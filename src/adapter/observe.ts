/**
 * Observability of every delivery, the same way on every platform: the
 * incoming trace context read from wherever the platform carries it, the
 * delivery's own trace on `ctx.trace`, log lines that carry the event's
 * and the trace's ids, one summary line a delivery, and, when (and only
 * when) an OpenTelemetry SDK is registered, a span and metrics for each.
 *
 * It wraps the service an adapter serves, not the kit's delivery path: each
 * handler's `run` (the one call every path, queue item or CloudEvent over
 * HTTP, makes for an event) and the app's `fetch`. So a Worker that does
 * not opt in carries none of it, not even a branch.
 */
import { extendContext, type Context, type InvocationFacts } from '../context.js'
import type { CloudEvent } from '../event.js'
import type { Handler } from '../handler.js'
// Fields made on the first line: a delivery that logs nothing draws no span id.
import { lazyLogger } from '../lazy-logger.js'
import type { LogFields, Logger } from '../logger.js'
import { outcomeOf, type Outcome } from '../outcome.js'
import { toService, type Service, type Target } from '../service.js'
import { recordDelivery } from '../observability/metrics.js'
import { flushTelemetry, openTelemetryFrom, startDeliverySpan, telemetryLoaded, type DeliveryOutcome, type FaasTrigger } from '../observability/otel.js'
import { deliveryTrace, type Trace } from '../observability/trace.js'
import { fromCloudEvent, fromHeaders, parseTraceparent, type TraceContext } from '../observability/trace-context.js'

/** What a platform tells of one delivery, read from its context (`ctx.provider.raw`): its trigger, and what it carries beside the event. */
export interface DeliveryDescription {
  /** `faas.trigger`: `http` for a request, `pubsub` for a queue or topic message, `datasource` for a stream or store change, `timer` for a schedule. */
  readonly trigger: FaasTrigger
  /**
   * The trace context the platform carries for this delivery beside the
   * event (SQS message attributes or `AWSTraceHeader`, Pub/Sub attributes,
   * Service Bus properties, request headers). The event's own
   * distributed-tracing extension comes first, the invocation's
   * (`ctx.invocation.traceparent`) last.
   */
  readonly parent?: TraceContext
  /** `messaging.system` (`aws_sqs`, `gcp_pubsub`, `servicebus`), for a messaging trigger. */
  readonly messagingSystem?: string
  /** `messaging.destination.name`: the queue, topic or subscription. */
  readonly destination?: string
  /** How many messages the platform delivered together (`messaging.batch.message_count`). */
  readonly batchSize?: number
  /** `faas.name`, when the platform names the function per invocation (Azure). */
  readonly functionName?: string
}

/** What a platform tells its observer: how to describe a delivery, and the facts every span records. */
export interface ObserverOptions {
  /** `cloud.provider` of every span: `aws`, `azure`, `gcp`, `cloudflare`. */
  readonly cloudProvider?: string
  /** `cloud.platform`: `aws_lambda`, `azure.functions`, `gcp_cloud_run`, … */
  readonly cloudPlatform?: string
  /** `cloud.region`. */
  readonly cloudRegion?: string
  /** `faas.name`: the function's, service's or Worker's name. */
  readonly functionName?: string
  /** Further attributes of every span and metric (`faas.max_memory`, `faas.version`). Keep them few: each combination is a time series. */
  readonly attributes?: Readonly<Record<string, string | number | boolean>>
  /**
   * Describes one delivery from its context. Never throws (a description
   * that fails is a delivery without one).
   * @defaultValue a `pubsub` trigger with nothing beside the event
   */
  readonly describe?: (ctx: Context, event: CloudEvent) => DeliveryDescription
  /** Fields by which the platform's log pipeline files a line under its trace (Cloud Logging's `logging.googleapis.com/trace`). */
  readonly logFields?: (trace: Trace) => LogFields
  /**
   * How to load `@opentelemetry/api` once an SDK is registered (a dynamic
   * import: `() => import('@opentelemetry/api')`). Without one, no span or
   * metric is made, whatever is registered.
   */
  readonly openTelemetry?: () => Promise<unknown>
}

const OBSERVED = Symbol.for('faasade.observed')

/**
 * `target` as a service whose every delivery is observed: each handler run
 * gets `ctx.trace` (the incoming context read from the event, then the
 * platform's carrier, then the invocation), a logger whose lines carry the
 * event's id, type and source, the request id, the trace and span ids and
 * `coldStart` on the instance's first invocation, and one summary line
 * (`delivery finished`: outcome, duration, attempt, retryable). With a
 * registered OpenTelemetry SDK, each is a span (SERVER for a request,
 * CONSUMER for a message) with the FaaS, cloud, CloudEvents and messaging
 * attributes, its outcome as the status, and counted in the delivery
 * metrics; the SDK is flushed, through `waitUntil`, before the delivery
 * replies. The app's requests get a SERVER span too. Observing an observed
 * service again returns it as it is.
 *
 * Lambda, Azure Functions and Cloud Run observe every service they serve;
 * on Workers, opt in with `observed` from `faasade/cloudflare-workers`.
 *
 * @example
 * ```ts
 * const adapter = createAdapter(observed(target, { cloudProvider: 'acme', describe: (ctx) => ({ trigger: 'pubsub', parent: fromHeaders(rawOf(ctx).headers) }) }), options, platform)
 * ```
 */
export function observed(target: Target, options: ObserverOptions = {}): Service {
  const service = toService(target)
  if ((service as { [OBSERVED]?: true })[OBSERVED]) return service
  if (options.openTelemetry !== undefined) openTelemetryFrom(options.openTelemetry)
  const observer = new Observer(options)
  const handlers = new WeakMap<Handler<unknown, unknown>, Handler<unknown, unknown>>()
  const observe = (handler: Handler<unknown, unknown>): Handler<unknown, unknown> => {
    let wrapped = handlers.get(handler)
    if (wrapped === undefined) {
      wrapped = Object.freeze({ ...handler, run: (event: CloudEvent, ctx: Context) => observer.run(event, ctx, handler) })
      handlers.set(handler, wrapped)
    }
    return wrapped
  }
  const app = service.http
  return Object.freeze({
    ...service,
    [OBSERVED]: true,
    route: (event: Pick<CloudEvent, 'type' | 'source'>) => {
      const handler = service.route(event)
      return handler && observe(handler)
    },
    http: app && { fetch: (request: Request, env?: unknown, executionContext?: unknown) => observer.request(request, () => app.fetch(request, env, executionContext)) },
  })
}

class Observer {
  #options: ObserverOptions
  #shared: Readonly<Record<string, string | number | boolean>>
  #flushing = false

  constructor(options: ObserverOptions) {
    this.#options = options
    const shared: Record<string, string | number | boolean> = { ...options.attributes }
    if (options.functionName !== undefined) shared['faas.name'] = options.functionName
    if (options.cloudProvider !== undefined) shared['cloud.provider'] = options.cloudProvider
    if (options.cloudPlatform !== undefined) shared['cloud.platform'] = options.cloudPlatform
    if (options.cloudRegion !== undefined) shared['cloud.region'] = options.cloudRegion
    this.#shared = shared
  }

  async run(event: CloudEvent, ctx: Context, handler: Handler<unknown, unknown>): Promise<unknown> {
    const facts = ctx.invocation
    const described = this.#describe(ctx, event)
    // The event's own context first: it travels with the event across every hop and cloud.
    const parent = fromCloudEvent(event) ?? described.parent ?? parseTraceparent(facts.traceparent, facts.tracestate)
    const started = Date.now()
    const batchSize = described.batchSize !== undefined && described.batchSize > 1 ? described.batchSize : undefined
    const attributes = described.functionName === undefined ? this.#shared : { ...this.#shared, 'faas.name': described.functionName }
    const starting = startDeliverySpan({
      trigger: described.trigger,
      kind: described.trigger === 'http' ? 'server' : 'consumer',
      parent,
      invocationId: facts.requestId,
      coldStart: facts.coldStart,
      event,
      messagingSystem: described.messagingSystem,
      destination: described.destination,
      batchSize,
      startTime: started,
      attributes,
      })
    // A promise only while the API loads, on the first delivery with an SDK.
    const span = starting instanceof Promise ? await starting : starting
    const trace = deliveryTrace(parent, span.traceContext, span.recording)
    const { logFields } = this.#options
    // The logger before extendContext replaces it: the child's parent.
    const log = ctx.log
    extendContext(ctx, { trace, log: lazyLogger(() => log.child(lineFields(event, facts, trace, logFields))) })
    let outcome: Outcome = OK
    try {
      return await span.run(() => handler.run(event, ctx))
    } catch (error) {
      outcome = outcomeOf(error)
      throw error
    } finally {
      const durationMs = Date.now() - started
      // The error itself is on the kit's failure line: logged once.
      ctx.log.info('delivery finished', { trigger: described.trigger, outcome: outcome.kind, durationMs, attempt: ctx.attempt, retryable: outcome.kind === 'retry' })
      span.end(outcome)
      recordDelivery({ trigger: described.trigger, outcome: outcome.kind, durationMs, coldStart: facts.coldStart, batchSize, attributes })
      this.#flush(ctx)
    }
  }

  /** One request to the app: a SERVER span (when an SDK is registered), its outcome by the response's status. */
  async request(request: Request, fetch: () => Response | Promise<Response>): Promise<Response> {
    const starting = startDeliverySpan({ trigger: 'http', kind: 'server', parent: fromHeaders(request.headers), spanName: request.method, attributes: this.#shared })
    // No SDK: the app runs as it would unobserved, not even a microtask later.
    if (!(starting instanceof Promise) && !starting.recording) return fetch()
    const span = starting instanceof Promise ? await starting : starting
    let outcome: DeliveryOutcome = OK
    try {
      const response = await span.run(fetch)
      if (response.status >= 500) outcome = { kind: 'retry', error: new Error(`HTTP ${response.status}`) }
      return response
    } catch (error) {
      outcome = { kind: 'retry', error }
      throw error
    } finally {
      span.end(outcome)
    }
  }

  #describe(ctx: Context, event: CloudEvent): DeliveryDescription {
    try {
      return this.#options.describe?.(ctx, event) ?? PUBSUB
    } catch {
      return PUBSUB
    }
  }

  /**
   * Exports what the user's OpenTelemetry SDK holds before the platform may
   * freeze the instance, as `waitUntil` work: on Workers the platform's; on
   * Lambda, Azure and Cloud Run the kit's, which the delivery awaits (up to
   * its deadline) before it replies. One flush for the items that end in
   * the same turn; none before an SDK has made a span or metric.
   */
  #flush(ctx: Context): void {
    if (!telemetryLoaded() || this.#flushing) return
    this.#flushing = true
    ctx.waitUntil(
      Promise.resolve().then(() => {
        this.#flushing = false
        return flushTelemetry(ctx.deadline)
      }),
    )
  }
}

// Pure-annotated, as every module-level call of the kit's chunk: a Worker that observes nothing drops them.
const OK: Outcome = /* @__PURE__ */ Object.freeze({ kind: 'ok', result: undefined })
const PUBSUB: DeliveryDescription = /* @__PURE__ */ Object.freeze({ trigger: 'pubsub' })

/**
 * What every line of a delivery carries besides the event's id and type
 * (the kit's context adds those): its source, the request id, the trace
 * and span ids, `coldStart` on the instance's first invocation, and the
 * platform's own trace fields.
 */
function lineFields(event: CloudEvent, facts: InvocationFacts, trace: Trace, extra: ObserverOptions['logFields']): LogFields {
  const fields: LogFields = { eventSource: event.source }
  if (facts.requestId !== undefined) fields.requestId = facts.requestId
  fields.traceId = trace.traceId
  fields.spanId = trace.spanId
  if (facts.coldStart === true) fields.coldStart = true
  return extra === undefined ? fields : { ...fields, ...extra(trace) }
}
