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
  type AzureCosmosDBOptions,
  type AzureEventHubsOptions,
  type AzureStorageBlobOptions,
  type GivenUpChange,
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
  serviceBusMetadataAt,
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
export { STORAGE_BLOB_TYPE, storageBlobSource, storageBlobToEvent, type StorageBlobEventType, type StorageBlobMetadata } from './blob.js'
export { COSMOS_DB_TYPE, cosmosDBSource, cosmosDBToEvent, type CosmosDBContainer, type CosmosDBEventType } from './cosmos-db.js'
export {
  receivedMessageToEvent,
  settlementOf,
  type ServiceBusMessageContextLike,
  type ServiceBusReceivedMessageLike,
  type ServiceBusSettlementActions,
  type Settlement,
} from './service-bus-settlement.js'
export { fromReply, fromResponse, parseSetCookie, toWebRequestFrom } from './http.js'
export { contextLogger } from './log.js'
export type { AzureHttpHandler, AzureRaw, AzureTimerHandler, AzureTriggerHandler } from './azure-types.js'
export type { DropPolicy } from '../../src/adapter/index.js'
export { azureObserver, describeAzureDelivery } from './observe.js'
