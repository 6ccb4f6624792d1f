/**
 * `ctx.trace`: one delivery's place in its distributed trace. Its ids are
 * made on first use: most deliveries neither log nor send anything on, and
 * a random id costs a `crypto.getRandomValues` call.
 */
import { childContext, inject, type TraceCarrier, type TraceContext } from './trace-context.js'

/**
 * A delivery's trace context and the way to pass it on. Its span id is the
 * delivery's own (the recording span's when an OpenTelemetry SDK is
 * registered, else a new one in the incoming trace), never the sender's;
 * without an incoming context it starts a new trace, not sampled.
 *
 * @example
 * ```ts
 * async handle(event, ctx) {
 *   ctx.log.info('charging')                                   // the line carries ctx.trace.traceId and spanId
 *   await queue.send(createEvent(ctx.trace!.inject({ id, source, type, data })))   // the receiver continues the trace
 * }
 * ```
 */
export interface Trace extends TraceContext {
  /** The context the delivery received (its sender's span), when it carried one. */
  readonly parent: TraceContext | undefined
  /**
   * Whether a span records this delivery (a registered OpenTelemetry SDK
   * sampled it). When none does, `spanId` names a span no backend will
   * show: a field that must point at a recorded span (Cloud Logging's
   * `spanId`) takes the parent's instead.
   */
  readonly recording: boolean
  /**
   * Writes this delivery's context into `carrier` as `traceparent` (and
   * `tracestate`) and returns it: a web `Headers`, a header record, a
   * CloudEvent's init (the distributed-tracing extension) or any record.
   */
  inject<C extends TraceCarrier>(carrier: C): C
}

/**
 * The trace of one delivery: `own` when a span made one (an SDK's; say
 * whether it `recording`), else a child of `parent` made on first read of an id.
 *
 * @example
 * ```ts
 * const trace = deliveryTrace(fromHeaders(request.headers))
 * trace.traceId   // the sender's trace id; trace.spanId is new
 * ```
 */
export function deliveryTrace(parent: TraceContext | undefined, own?: TraceContext, recording = false): Trace {
  return new DeliveryTrace(parent, own, recording)
}

class DeliveryTrace implements Trace {
  readonly parent: TraceContext | undefined
  readonly recording: boolean
  #own: TraceContext | undefined

  constructor(parent: TraceContext | undefined, own: TraceContext | undefined, recording: boolean) {
    this.parent = parent
    this.#own = own
    this.recording = recording
  }

  #context(): TraceContext {
    return (this.#own ??= childContext(this.parent))
  }

  get traceId(): string {
    // Known without a random draw when a parent came in.
    return this.#own?.traceId ?? this.parent?.traceId ?? this.#context().traceId
  }

  get spanId(): string {
    return this.#context().spanId
  }

  get sampled(): boolean {
    return this.#context().sampled
  }

  get traceparent(): string {
    return this.#context().traceparent
  }

  get tracestate(): string | undefined {
    return this.#context().tracestate
  }

  inject<C extends TraceCarrier>(carrier: C): C {
    return inject(carrier, this.#context())
  }

  // A serialised context shows the ids, not the accessors.
  toJSON(): Record<string, unknown> {
    return { traceId: this.traceId, spanId: this.spanId, sampled: this.sampled }
  }
}
