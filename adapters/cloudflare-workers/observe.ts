/**
 * Observability on Workers, opted into: `toWorker(observed(service))`.
 * Not by default, because every Worker would carry it (a few kilobytes of
 * the hello Worker's budget), used or not.
 *
 * A request carries its trace context in `traceparent`/`tracestate`
 * headers; a queue message in its body: a structured CloudEvent's
 * distributed-tracing extension, or `traceparent`/`tracestate` members of
 * a JSON object body a producer injected into (`ctx.trace.inject(body)`).
 */
import { fromHeaders, observed as observedBy, parseTraceparent, type DeliveryDescription, type ObserverOptions } from '../../src/adapter/index.js'
import type { Context } from '../../src/context.js'
import type { Service, Target } from '../../src/service.js'
import type { WorkersRaw } from './workers-types.js'

/**
 * `target` with every delivery observed, for `toWorker`: `ctx.trace`, log
 * lines with the event's and the trace's ids and a summary line each, and,
 * with `openTelemetry` (how to import the API the Worker bundles), spans
 * and metrics when an OpenTelemetry SDK is registered.
 *
 * @example
 * ```ts
 * import { observed, toWorker } from 'faasade/cloudflare-workers'
 * export default toWorker(observed(service))
 * // with an SDK registered in the Worker: toWorker(observed(service, { openTelemetry: () => import('@opentelemetry/api') }))
 * ```
 */
export function observed(target: Target, options: Omit<ObserverOptions, 'describe'> = {}): Service {
  return observedBy(target, { cloudProvider: 'cloudflare', cloudPlatform: 'cloudflare_workers', ...options, describe: describeWorkerDelivery })
}

/**
 * One Worker delivery: a request, a queue message or a cron run.
 *
 * @example
 * ```ts
 * describeWorkerDelivery(ctx) // { trigger: 'pubsub', messagingSystem: 'cloudflare_queues', destination: 'orders', batchSize: 10, parent: … }
 * ```
 */
export function describeWorkerDelivery(ctx: Pick<Context, 'provider'>): DeliveryDescription {
  const raw = ctx.provider.raw as Partial<WorkersRaw> | undefined
  if (raw?.request !== undefined) return { trigger: 'http', parent: fromHeaders(raw.request.headers) }
  if (raw?.controller !== undefined) return { trigger: 'timer' }
  const body = raw?.message?.body as { traceparent?: unknown; tracestate?: unknown } | null | undefined
  return {
    trigger: 'pubsub',
    messagingSystem: 'cloudflare_queues',
    destination: raw?.batch?.queue,
    batchSize: raw?.batch?.messages.length,
    parent: typeof body === 'object' && body !== null ? parseTraceparent(body.traceparent, body.tracestate) : undefined,
  }
}
