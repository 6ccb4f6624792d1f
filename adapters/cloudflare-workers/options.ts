/**
 * The options of `toWorker`: the kit's, under the kit's names, and the
 * Worker's own; checked when the Worker module loads so that a typo fails
 * the deploy, not the first message.
 */
import { checkAdapterOptions, type AdapterOptions } from '../../src/adapter/index.js'
import type { QueueEventType, ScheduledEventType } from './mapping.js'

/**
 * `toWorker`'s options: those of every adapter (`faasade/adapter`), and the
 * Worker's own. On Workers:
 * - `onDrop: 'dead-letter'` (the default) retries a dropped queue message with no delay,
 *   so that it reaches the consumer's `dead_letter_queue` after
 *   `max_retries` deliveries (each one runs the handler again); `'ack'`
 *   logs and acknowledges it.
 * - `concurrency` is the number of a batch's messages handled at once.
 * - `log` defaults to a JSON logger writing each line as an object through
 *   `console[level]`, as Workers Logs indexes and files them.
 * - `mappers` are not used: a Worker's three entries each have one input shape.
 */
export interface WorkerOptions extends Omit<AdapterOptions, 'mappers'> {
  /** How queue messages are read. */
  queue?: WorkerQueueOptions
  /** How cron triggers are read. */
  scheduled?: WorkerScheduledOptions
  /**
   * Milliseconds an invocation may run, from its start: `ctx.deadline` and
   * `ctx.signal` are `timeoutMarginMs` (default 0 here) before it. Workers
   * do not tell a Worker how long it has left, so set this below your
   * limits (CPU time, and wall time for queue and cron invocations) when
   * handlers should stop in time. A value of 0 or less means the deadline
   * has already passed (for tests).
   * @defaultValue `Infinity` (no deadline)
   */
  timeoutMs?: number
}

/** How `toWorker` reads queue messages into CloudEvents (the `queue` option). */
export interface WorkerQueueOptions {
  /**
   * The CloudEvent `type` of messages that are not CloudEvents themselves,
   * to route them to a handler: a string, or a function of the message and
   * the queue's name.
   * @defaultValue 'com.cloudflare.queue.message'
   */
  type?: QueueEventType
}

/** How `toWorker` turns a cron trigger into a CloudEvent (the `scheduled` option). */
export interface WorkerScheduledOptions {
  /**
   * The CloudEvent `type` of a cron trigger: a string, or a function of the
   * controller (to route each cron expression to its own handler).
   * @defaultValue 'com.cloudflare.scheduled'
   */
  type?: ScheduledEventType
}

/** Throws a `ConfigurationError` naming the first bad option. */
export function checkWorkerOptions(options: WorkerOptions): void {
  checkAdapterOptions('toWorker', options, WORKER_CHECKS)
}

/** The checks of the Worker's own options, for `toWorker` and `wholeBatch`. */
export const WORKER_CHECKS: Readonly<Record<string, (value: unknown) => string | undefined>> = {
  queue: (value) => members(value, 'type', eventType),
  scheduled: (value) => members(value, 'type', eventType),
  timeoutMs: (value) => (typeof value === 'number' && !Number.isNaN(value) ? undefined : 'must be a number'),
}

/** An object whose only member is `name`, checked by `check`. */
function members(value: unknown, name: string, check: (member: unknown) => string | undefined): string | undefined {
  if (typeof value !== 'object' || value === null) return 'must be an object'
  for (const key in value) if (key !== name) return `has an unknown member "${key}"; known: ${name}`
  const problem = check((value as Record<string, unknown>)[name])
  return problem && `${name} ${problem}`
}

function eventType(type: unknown): string | undefined {
  return type === undefined || typeof type === 'function' || (typeof type === 'string' && type !== '') ? undefined : 'must be a non-empty string or a function'
}
