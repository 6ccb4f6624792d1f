/**
 * What a Cloud Run delivery tells the kit's observer: its trigger, and
 * where its trace context travels. A Pub/Sub push carries the publisher's
 * context in the message's attributes (`googclient_traceparent` when
 * Google's client libraries trace, else a `traceparent` the publisher set);
 * every request carries `traceparent` (W3C) and `X-Cloud-Trace-Context`
 * (which Cloud Run sets on every request), read after the message's. Each
 * line of a delivery carries `logging.googleapis.com/trace` and `spanId`,
 * so that Cloud Logging files it under the delivery's trace.
 */
import type { DeliveryDescription, ObserverOptions, Trace } from '../../src/adapter/index.js'
import { fromCloudTraceContext, fromHeaders, fromPubSubAttributes } from '../../src/adapter/index.js'
import type { Context } from '../../src/context.js'
import { importOpenTelemetry } from '../../src/observability/import-api.js'
import type { CloudRunRequest } from './mapper.js'

/**
 * The observer options of a Cloud Run service (or function): the service
 * and revision Cloud Run sets in the environment, the project for the log
 * lines' trace field, and {@link describeCloudRunDelivery}.
 *
 * @example
 * ```ts
 * createAdapter(observed(target, cloudRunObserver(projectId)), options, platform)
 * ```
 */
export function cloudRunObserver(projectId: string | undefined, env: Readonly<Record<string, string | undefined>> = process.env): ObserverOptions {
  return {
    cloudProvider: 'gcp',
    cloudPlatform: 'gcp_cloud_run',
    functionName: env.K_SERVICE || undefined,
    attributes: env.K_REVISION ? { 'faas.version': env.K_REVISION } : undefined,
    openTelemetry: importOpenTelemetry,
    describe: describeCloudRunDelivery,
    logFields: projectId ? (trace) => cloudLoggingTrace(trace, projectId) : undefined,
  }
}

/**
 * The fields that file a line under its trace in Cloud Logging.
 *
 * @example
 * ```ts
 * cloudLoggingTrace(ctx.trace!, 'my-project')
 * // { 'logging.googleapis.com/trace': 'projects/my-project/traces/4bf9…', 'logging.googleapis.com/spanId': '00f0…', 'logging.googleapis.com/trace_sampled': true }
 * ```
 */
export function cloudLoggingTrace(trace: Pick<Trace, 'traceId' | 'spanId' | 'sampled' | 'parent' | 'recording'>, projectId: string): Record<string, string | boolean> {
  return {
    'logging.googleapis.com/trace': `projects/${projectId}/traces/${trace.traceId}`,
    // A span Cloud Trace has: the delivery's when an SDK records it, else the request's (Cloud Run records that one).
    'logging.googleapis.com/spanId': trace.recording ? trace.spanId : (trace.parent?.spanId ?? trace.spanId),
    'logging.googleapis.com/trace_sampled': trace.sampled,
  }
}

/**
 * One Cloud Run delivery: a Pub/Sub push, a Cloud Scheduler or Cloud Tasks
 * request, or a CloudEvent over HTTP (Eventarc's among them).
 *
 * @example
 * ```ts
 * describeCloudRunDelivery(ctx) // { trigger: 'pubsub', messagingSystem: 'gcp_pubsub', destination: 'orders-push', parent: … }
 * ```
 */
export function describeCloudRunDelivery(ctx: Pick<Context, 'provider'>): DeliveryDescription {
  const request = ctx.provider.raw as Partial<CloudRunRequest> | undefined
  const headers = request?.headers ?? {}
  const fromRequest = () => fromHeaders(headers) ?? fromCloudTraceContext(headers['x-cloud-trace-context'])
  if (headers['x-cloudscheduler'] === 'true') return { trigger: 'timer', parent: fromRequest() }
  if (headers['x-cloudtasks-taskname'] !== undefined) return { trigger: 'pubsub', messagingSystem: 'gcp_cloud_tasks', destination: headers['x-cloudtasks-queuename'], parent: fromRequest() }
  const push = pushEnvelope(request)
  if (push !== undefined) {
    const subscription = typeof push.subscription === 'string' ? push.subscription : undefined
    return { trigger: 'pubsub', messagingSystem: 'gcp_pubsub', destination: subscription?.slice(subscription.lastIndexOf('/') + 1), parent: fromPubSubAttributes(push.message?.attributes) ?? fromRequest() }
  }
  // CloudEvents over HTTP (Eventarc's among them), as on every adapter: a request served (the event's own context is read first, by the observer).
  return { trigger: 'http', parent: fromRequest() }
}

interface PushEnvelope {
  readonly subscription?: unknown
  readonly message?: { readonly attributes?: Readonly<Record<string, unknown>> }
}

/** A Pub/Sub push request's envelope (`{ message, subscription }`), parsed only when the body looks like one. */
function pushEnvelope(request: Partial<CloudRunRequest> | undefined): PushEnvelope | undefined {
  const body = request?.body
  if (!(body instanceof Uint8Array) || body.length === 0 || request?.headers?.['ce-type'] !== undefined) return undefined
  try {
    const text = new TextDecoder().decode(body)
    if (!text.includes('"subscription"')) return undefined
    const envelope = JSON.parse(text) as PushEnvelope
    return typeof envelope === 'object' && envelope !== null && typeof envelope.message === 'object' ? envelope : undefined
  } catch {
    return undefined
  }
}
