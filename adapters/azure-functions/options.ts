/**
 * The options of `toAzureFunctions`: the kit's, under the kit's names, and
 * Azure's own; checked when the function app loads, so that a typo fails
 * the first cold start, not the first message.
 */
import { checkAdapterOptions, type AdapterOptions } from '../../src/adapter/index.js'
import type { ServiceBusEventType, StorageQueueEventType, TimerEventType } from './mapping.js'

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
  /** How Storage queue messages are read. */
  storageQueue?: AzureStorageQueueOptions
  /** How Service Bus messages are read. */
  serviceBus?: AzureServiceBusOptions
  /** How timer ticks are read. */
  timer?: AzureTimerOptions
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
    functionTimeoutMs: (value) => (typeof value === 'number' && value > 0 ? undefined : 'must be a number above 0 (Infinity for none)'),
    storageQueue: (value) => typeOption(value),
    serviceBus: (value) => typeOption(value),
    timer: (value) => typeOption(value),
  })
}

/** An object whose only member is `type`: a non-empty string or a function. */
function typeOption(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'must be an object'
  for (const key in value) if (key !== 'type') return `has an unknown member "${key}"; known: type`
  const type = (value as { type?: unknown }).type
  return type === undefined || typeof type === 'function' || (typeof type === 'string' && type !== '') ? undefined : 'type must be a non-empty string or a function'
}
