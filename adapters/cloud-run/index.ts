/**
 * `faasade/cloud-run`: run a handler, a Hono app or a service on Google
 * Cloud Run (or any container platform), behind every trigger that reaches
 * a service over HTTP: CloudEvents (binary, structured, batch), Eventarc,
 * Pub/Sub push, Cloud Scheduler and Cloud Tasks. Two doors on one request
 * path: `serve` (a plain node:http server, no Google package) and
 * `toHttpFunction` (an HTTP function for the functions framework, which it
 * does not import either).
 *
 * @example
 * ```ts
 * // server.ts: the container runs `node server.js`
 * import { serve } from 'faasade/cloud-run'
 * import { service } from './service.js'
 *
 * serve(service)
 * ```
 */
export { createServer, serve, type CloudRunServer } from './server.js'
export { toHttpFunction, type FrameworkHttpFunction, type FrameworkRequest } from './functions.js'
export { cloudRunRequest, DEFAULT_MAX_BODY_BYTES, PROVIDER_NAME } from './handle.js'
export type { CloudRunOptions, CloudRunServeOptions, FunctionOptions, HealthPaths, ShutdownHook } from './options.js'
export { defineMapper, type CloudRunFacts, type CloudRunMapper, type CloudRunRequest, type NativeItem } from './mapper.js'
export {
  BUILT_IN_MAPPERS,
  cloudSchedulerMapper,
  cloudTasksMapper,
  eventarcPubSubMapper,
  extensionName,
  jsonBody,
  LEGACY_PUBSUB_TYPE,
  outcomeReply,
  PUBSUB_TYPE,
  pubSubPushMapper,
  SCHEDULER_TYPE,
  TASKS_TYPE,
  type PubSubMessage,
  type TriggerType,
} from './mapping.js'
export { cloudRunLine, cloudRunSink, createCloudRunLogger, traceFields } from './log.js'
export type { DropPolicy } from '../../src/adapter/index.js'
export { cloudLoggingTrace, cloudRunObserver, describeCloudRunDelivery } from './observe.js'
