/**
 * `faasade/cloudflare-workers`: run a handler, a Hono app or a service as a
 * module Worker (`fetch`, `queue`, `scheduled`). Needs no `nodejs_compat`.
 *
 * @example
 * ```ts
 * import { toWorker } from 'faasade/cloudflare-workers'
 * import { service } from './service.js'
 * export default toWorker(service)
 * ```
 */
export { toWorker, PROVIDER_NAME } from './to-worker.js'
export { workerEnv, workerRaw, type BindingsOf, type EnvOf, type FetchApp, type NonEmptyBindings, type WithoutEmpty } from './env.js'
export { wholeBatch, type WholeBatchDefinition, type WholeBatchOptions } from './whole-batch.js'
export type { WorkerOptions, WorkerQueueOptions, WorkerScheduledOptions } from './options.js'
export type { DropPolicy } from '../../src/adapter/index.js'
export {
  controllerToEvent,
  delaySeconds,
  MAX_DELAY_SECONDS,
  messageToEvent,
  QUEUE_MESSAGE_TYPE,
  queueSettlement,
  queueSource,
  SCHEDULED_SOURCE,
  SCHEDULED_TYPE,
  scheduledSettlement,
  type QueueEventType,
  type QueueSettlement,
  type ScheduledEventType,
  type ScheduledSettlement,
} from './mapping.js'
export type { MessageBatch, QueueMessage, QueueRetryOptions, ScheduledController, WorkerEntrypoint, WorkersExecutionContext, WorkersRaw } from './workers-types.js'
export { describeWorkerDelivery, observed } from './observe.js'
