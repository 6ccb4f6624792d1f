/**
 * The options of `toWorker`, checked when the Worker module loads so that a
 * typo fails the deploy, not the first message.
 */
import { ConfigurationError } from '../../src/errors.js'
import type { Logger } from '../../src/logger.js'
import { checkOptions } from '../../src/middleware.js'
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
  /** @defaultValue a JSON logger writing to `console.log` (Workers Logs) */
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

const TOP = ['queue', 'scheduled', 'timeoutMs', 'maxBodyBytes', 'log']
const QUEUE = ['dropPermanent', 'type', 'concurrency']
const SCHEDULED = ['type']

/** Throws a `ConfigurationError` naming the first bad option. */
export function checkWorkerOptions(options: WorkerOptions): void {
  checkOptions('toWorker', options, TOP)
  const { queue, scheduled, timeoutMs, maxBodyBytes, log } = options
  checkOptions('toWorker: queue', queue, QUEUE)
  checkOptions('toWorker: scheduled', scheduled, SCHEDULED)
  if (queue?.dropPermanent !== undefined && queue.dropPermanent !== 'ack' && queue.dropPermanent !== 'retry') {
    fail(`queue.dropPermanent must be 'ack' or 'retry', got ${JSON.stringify(queue.dropPermanent)}`)
  }
  checkType('queue.type', queue?.type)
  checkType('scheduled.type', scheduled?.type)
  if (queue?.concurrency !== undefined && !(Number.isInteger(queue.concurrency) && queue.concurrency >= 1)) {
    fail('queue.concurrency must be an integer of at least 1')
  }
  if (timeoutMs !== undefined && (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs))) fail('timeoutMs must be a number of milliseconds')
  if (maxBodyBytes !== undefined && !(Number.isInteger(maxBodyBytes) && maxBodyBytes >= 0)) fail('maxBodyBytes must be a whole number of bytes')
  if (log !== undefined && typeof log?.child !== 'function') fail('log must be a Logger (createLogger)')
}

function checkType(name: string, type: unknown): void {
  if (type === undefined || typeof type === 'function') return
  if (typeof type !== 'string' || type.length === 0) fail(`${name} must be a non-empty string or a function`)
}

function fail(message: string): never {
  throw new ConfigurationError(`toWorker: ${message}`)
}
