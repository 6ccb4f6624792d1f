/**
 * `faasade/azure-functions`: run a handler, a Hono app or a service on Azure
 * Functions v4 (the `app.*` programming model of `@azure/functions`). The
 * adapter imports only the package's types: register its handlers with
 * your own `app`.
 *
 * @example
 * ```ts
 * import { app } from '@azure/functions'
 * import { toAzureFunctions } from 'faasade/azure-functions'
 * import { service } from '../service.js'
 *
 * const azure = toAzureFunctions(service)
 * app.http('api', { methods: ['GET', 'POST'], authLevel: 'anonymous', route: '{*path}', handler: azure.http })
 * ```
 */
export { toAzureFunctions, azureRaw, PROVIDER_NAME, type AzureFunctions } from './to-azure.js'
export {
  DEFAULT_EVENT_HUBS_MAX_ATTEMPTS,
  DEFAULT_FUNCTION_TIMEOUT_MS,
  type AzureEventHubsOptions,
  type AzureFunctionsOptions,
  type AzureServiceBusOptions,
  type AzureStorageQueueOptions,
  type AzureTimerOptions,
  type GivenUpEvent,
} from './options.js'
export {
  EVENT_HUBS_TYPE,
  eventGridToEvent,
  eventHubsPositions,
  eventHubsSource,
  eventHubsToEvent,
  failsInvocation,
  queueMessageToEvent,
  SERVICE_BUS_TYPE,
  serviceBusMessageToEvent,
  serviceBusSource,
  STORAGE_QUEUE_TYPE,
  storageQueueSource,
  TIMER_TYPE,
  timerSource,
  timerToEvent,
  type EventGridSchemaEvent,
  type EventHubsEventType,
  type EventHubsPosition,
  type ServiceBusEventType,
  type ServiceBusMetadata,
  type StorageQueueEventType,
  type StorageQueueMetadata,
  type TimerEventType,
} from './mapping.js'
export { fromReply, fromResponse, parseSetCookie, toWebRequestFrom } from './http.js'
export { contextLogger } from './log.js'
export type { AzureHttpHandler, AzureRaw, AzureTimerHandler, AzureTriggerHandler } from './azure-types.js'
export type { DropPolicy } from '../../src/adapter/index.js'
export { azureObserver, describeAzureDelivery } from './observe.js'
