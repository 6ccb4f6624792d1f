/**
 * The options of `toWorker`, checked when the Worker module loads so that a
 * typo fails the deploy, not the first message.
 */
import { ConfigurationError } from '../../src/errors.js'
import type { Logger } from '../../src/logger.js'
import type { DropPolicy, QueueEventType, ScheduledEventType } from './mapping.js'

export interface WorkerOptions {
  /** How queue messages are read and settled. */
  queue?: WorkerQueueOptions
  /** How cron triggers are read. */
  scheduled?: WorkerScheduledOptions
  /**
   * Milliseconds an invocation may run, from its start: sets `ctx.deadline`
   * and `ctx.signal`. Workers do not tell a Worker how long it has left, so
   * set this below your limits (CPU time, and wall time for queue and cron
   * invocations) when handlers should stop in time. A value of 0 or less
   * means the deadline has already passed (for tests).
   * @defaultValue `Infinity` (no deadline)
   */
  timeoutMs?: number
  /**
   * CloudEvents over HTTP with a larger body get a 413.
   * @defaultValue 6 MB
   */
  maxBodyBytes?: number
  /** @defaultValue a JSON logger writing each line as an object through `console[level]`, as Workers Logs indexes them */
  log?: Logger
}

export interface WorkerQueueOptions {
  /**
   * What a permanent failure (`PermanentError`, `ValidationError`, a body
   * that is a malformed CloudEvent) does with its message. `'ack'`: logged
   * and acknowledged; the message is gone. `'retry'`: `retry()`, so that it
   * reaches the consumer's `dead_letter_queue` after `max_retries`
   * deliveries (each one runs the handler again).
   * @defaultValue 'ack'
   */
  dropPermanent?: DropPolicy
  /**
   * The CloudEvent `type` of messages that are not CloudEvents themselves,
   * to route them to a handler: a string, or a function of the message and
   * the queue's name.
   * @defaultValue 'com.cloudflare.queue.message'
   */
  type?: QueueEventType
  /**
   * Messages of a batch handled at once.
   * @defaultValue 10
   */
  concurrency?: number
}

export interface WorkerScheduledOptions {
  /**
   * The CloudEvent `type` of a cron trigger: a string, or a function of the
   * controller (to route each cron expression to its own handler).
   * @defaultValue 'com.cloudflare.scheduled'
   */
  type?: ScheduledEventType
}

/**
 * Throws a `ConfigurationError` naming the first bad option. Hand-rolled
 * rather than the core's `checkOptions`: its "did you mean" hints cost a
 * Worker 0.3 KB gzipped, and Workers pay for every byte at cold start.
 */
export function checkWorkerOptions(options: WorkerOptions): void {
  known('', options, ['queue', 'scheduled', 'timeoutMs', 'maxBodyBytes', 'log'])
  const { queue, scheduled, timeoutMs } = options
  known('queue', queue, ['dropPermanent', 'type', 'concurrency'])
  known('scheduled', scheduled, ['type'])
  if (queue?.dropPermanent !== undefined && queue.dropPermanent !== 'ack' && queue.dropPermanent !== 'retry') fail("queue.dropPermanent must be 'ack' or 'retry'")
  checkType('queue.type', queue?.type)
  checkType('scheduled.type', scheduled?.type)
  if (queue?.concurrency !== undefined && !(Number.isInteger(queue.concurrency) && queue.concurrency >= 1)) fail('queue.concurrency must be an integer of at least 1')
  if (timeoutMs !== undefined && (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs))) fail('timeoutMs must be a number')
}

/** `name` is the option's own name (`''` for the options themselves), `keys` the members it knows. */
function known(name: string, options: object | undefined, keys: readonly string[]): void {
  if (options === undefined) return
  if (typeof options !== 'object' || options === null) fail(`${name || 'options'} must be an object`)
  for (const key in options) {
    if (!keys.includes(key)) fail(`unknown option "${name && `${name}.`}${key}"; known: ${keys.join(', ')}`)
  }
}

function checkType(name: string, type: unknown): void {
  if (type !== undefined && typeof type !== 'function' && (typeof type !== 'string' || type === '')) fail(`${name} must be a non-empty string or a function`)
}

function fail(message: string): never {
  throw new ConfigurationError(`toWorker: ${message}`)
}
