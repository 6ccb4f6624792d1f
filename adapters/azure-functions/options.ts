/**
 * The options of `toAzureFunctions`: the kit's, under the kit's names, and
 * Azure's own; checked when the function app loads, so that a typo fails
 * the first cold start, not the first message.
 */
import { checkAdapterOptions, type AdapterOptions } from '../../src/adapter/index.js'
import type { CloudEvent } from '../../src/event.js'
import type { FaasadeError } from '../../src/errors.js'
import type { InvocationContext } from './azure-types.js'
import type { EventHubsEventType, EventHubsPosition, ServiceBusEventType, StorageQueueEventType, TimerEventType } from './mapping.js'
import type { StorageBlobEventType } from './blob.js'
import type { CosmosDBContainer, CosmosDBEventType } from './cosmos-db.js'

/** The Consumption plan's default `functionTimeout`: 5 minutes. */
export const DEFAULT_FUNCTION_TIMEOUT_MS = 300_000

/**
 * `toAzureFunctions`' options: those of every adapter (`faasade/adapter`),
 * and Azure's own. On Azure Functions:
 * - `onDrop: 'dead-letter'` fails the invocation of a dropped queue message
 *   (or Event Grid event), so the host retries it until `maxDequeueCount`
 *   (host.json, default 5) and then moves it to `<queue>-poison` (Event
 *   Grid: its dead-letter destination, if one is set); `'ack'` logs it and
 *   completes the invocation. A timer tick has no such path: a drop is
 *   logged and completes under either policy.
 * - `log` defaults to the invocation's own `context.log`/`warn`/`error`/
 *   `debug`, so lines land in Application Insights under the invocation.
 * - `mappers` are not used: each Azure function has one trigger, and its
 *   handler is the one made for it.
 */
export interface AzureFunctionsOptions extends Omit<AdapterOptions, 'mappers'> {
  /**
   * The app's `functionTimeout` (host.json) in milliseconds: `ctx.deadline`
   * is this long after the invocation starts, less `timeoutMarginMs`. The
   * host tells a function nothing of its time left, so set it to what
   * host.json says.
   * @defaultValue 300000 (5 minutes, the Consumption plan's default)
   */
  functionTimeoutMs?: number
  /**
   * Set it when the app calls `app.setup({ enableHttpStream: true })`: the
   * HTTP handler then passes the request body on as a stream (the app reads
   * it as it arrives) and returns the app's response body as a stream (sent
   * as the app writes it). The adapter cannot see `app.setup` (it does not
   * load `@azure/functions`); either setting alone still works, buffered.
   * @defaultValue false
   */
  enableHttpStream?: boolean
  /** How Storage queue messages are read. */
  storageQueue?: AzureStorageQueueOptions
  /** How Service Bus messages are read. */
  serviceBus?: AzureServiceBusOptions
  /** How Event Hubs events are read, retried and given up. */
  eventHubs?: AzureEventHubsOptions
  /** How timer ticks are read. */
  timer?: AzureTimerOptions
  /** How written blobs are read. */
  storageBlob?: AzureStorageBlobOptions
  /** How Cosmos DB changes are read, retried and given up. */
  cosmosDB?: AzureCosmosDBOptions
}

export interface AzureStorageBlobOptions {
  /**
   * The CloudEvent `type` of a written blob: a string, or a function of its
   * metadata and container.
   * @defaultValue 'com.microsoft.azure.storage.blob.written'
   */
  type?: StorageBlobEventType
}

export interface AzureCosmosDBOptions {
  /**
   * The CloudEvent `type` of a changed document: a string, or a function of
   * the change feed item and the container.
   * @defaultValue 'com.microsoft.azure.cosmosdb.document.changed'
   */
  type?: CosmosDBEventType
  /**
   * How many times a change is run within one invocation before it is given
   * up (the host moves the change feed's lease past it either way). Waits
   * as for Event Hubs.
   * @defaultValue 3
   */
  maxAttempts?: number
  /**
   * Takes the changes given up (still failing after `maxAttempts`, held
   * back behind one, or dropped under `onDrop: 'dead-letter'`), to store
   * for a replay. When it resolves the invocation completes; without it,
   * or when it throws, the invocation fails (so a `retry` policy on the
   * function, if set, runs the batch again).
   */
  onGiveUp?: (changes: readonly GivenUpChange[], context: InvocationContext) => void | Promise<void>
}

/** A Cosmos DB change the adapter gave up on, and why (as {@link GivenUpEvent}'s `reason`). */
export interface GivenUpChange {
  readonly container: CosmosDBContainer
  readonly reason: 'retries-exhausted' | 'held-back' | 'dropped'
  readonly error: FaasadeError
  /** The CloudEvent, when the item made one. */
  readonly event: CloudEvent | undefined
  /** The change feed item as the host handed it. */
  readonly document: unknown
  /** How many times its handler ran within the invocation. */
  readonly attempts: number
}

/** The default `eventHubs.maxAttempts`. */
export const DEFAULT_EVENT_HUBS_MAX_ATTEMPTS = 3

export interface AzureEventHubsOptions {
  /**
   * The CloudEvent `type` of events that are not CloudEvents themselves: a
   * string, or a function of the body and its position.
   * @defaultValue 'com.microsoft.azure.eventhubs.event'
   */
  type?: EventHubsEventType
  /**
   * How many times an event is run within one invocation before it is given
   * up (Event Hubs never redelivers it: the host checkpoints past it). Waits
   * between runs: the handler's `retryAfterMs`, else 200 ms doubling, up to
   * 5 s, never past the deadline.
   * @defaultValue 3
   */
  maxAttempts?: number
  /**
   * Takes the events given up: those still failing after `maxAttempts`, and
   * drops under `onDrop: 'dead-letter'` (Event Hubs has no dead-letter
   * queue: this is it). Store them somewhere to replay. When it resolves,
   * the invocation completes; without it, or when it throws, the invocation
   * fails (each event was already logged with its partition, sequence
   * number and offset).
   */
  onGiveUp?: (events: readonly GivenUpEvent[], context: InvocationContext) => void | Promise<void>
}

/**
 * An Event Hubs event the adapter gave up on: where it sits in the hub, what
 * it carried, and why: `'retries-exhausted'` (it failed `maxAttempts`
 * times), `'held-back'` (it never ran, or not every time: an earlier event
 * of its partition kept failing, and order holds), `'dropped'` (its handler
 * said it never will succeed, under `onDrop: 'dead-letter'`).
 */
export interface GivenUpEvent extends EventHubsPosition {
  readonly reason: 'retries-exhausted' | 'held-back' | 'dropped'
  readonly error: FaasadeError
  /** The CloudEvent, when the body made one. */
  readonly event: CloudEvent | undefined
  /** The body as the host handed it. */
  readonly body: unknown
  /** How many times its handler ran within the invocation (0 for one always held back). */
  readonly attempts: number
}

export interface AzureServiceBusOptions {
  /**
   * The CloudEvent `type` of messages that are not CloudEvents themselves: a
   * string, or a function of the message, its metadata and the entity (a
   * queue's name, or `<topic>/subscriptions/<subscription>`).
   * @defaultValue 'com.microsoft.azure.servicebus.message'
   */
  type?: ServiceBusEventType
}

export interface AzureStorageQueueOptions {
  /**
   * The CloudEvent `type` of messages that are not CloudEvents themselves,
   * to route them to a handler: a string, or a function of the message,
   * its metadata and the queue's name.
   * @defaultValue 'com.microsoft.azure.storage.queue.message'
   */
  type?: StorageQueueEventType
}

export interface AzureTimerOptions {
  /**
   * The CloudEvent `type` of a tick: a string, or a function of the timer
   * and the function's name (to route each timer function to its handler).
   * @defaultValue 'com.microsoft.azure.functions.timer'
   */
  type?: TimerEventType
}

/** Throws a `ConfigurationError` naming the first bad option. */
export function checkAzureOptions(options: AzureFunctionsOptions): void {
  checkAdapterOptions('toAzureFunctions', options, {
    enableHttpStream: (value) => (typeof value === 'boolean' ? undefined : 'must be a boolean'),
    functionTimeoutMs: (value) => (typeof value === 'number' && value > 0 ? undefined : 'must be a number above 0 (Infinity for none)'),
    storageQueue: (value) => typeOption(value),
    serviceBus: (value) => typeOption(value),
    eventHubs: (value) => eventHubsOption(value),
    timer: (value) => typeOption(value),
    storageBlob: (value) => typeOption(value),
    cosmosDB: (value) => eventHubsOption(value),
  })
}

/** An object whose only member is `type`: a non-empty string or a function. */
function typeOption(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'must be an object'
  for (const key in value) if (key !== 'type') return `has an unknown member "${key}"; known: type`
  const type = (value as { type?: unknown }).type
  return type === undefined || typeof type === 'function' || (typeof type === 'string' && type !== '') ? undefined : 'type must be a non-empty string or a function'
}

function eventHubsOption(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'must be an object'
  const known = ['type', 'maxAttempts', 'onGiveUp']
  for (const key in value) if (!known.includes(key)) return `has an unknown member "${key}"; known: ${known.join(', ')}`
  const { type, maxAttempts, onGiveUp } = value as AzureEventHubsOptions
  const typeProblem = typeOption({ type })
  if (typeProblem) return typeProblem
  if (maxAttempts !== undefined && !(Number.isInteger(maxAttempts) && maxAttempts >= 1)) return 'maxAttempts must be an integer of at least 1'
  if (onGiveUp !== undefined && typeof onGiveUp !== 'function') return 'onGiveUp must be a function'
  return undefined
}
