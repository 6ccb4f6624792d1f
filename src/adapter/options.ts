/**
 * The options every adapter takes, under one name each, and their check:
 * made when the function module loads, so that a typo fails the first cold
 * start (or the deploy) loudly instead of changing a semantic.
 */
import { ConfigurationError } from '../errors.js'
import type { Logger } from '../logger.js'
import { isMapper, type Mapper } from './mapper.js'

/**
 * What a dropped delivery (a `PermanentError`, a `ValidationError`, an item
 * that cannot be read) does on a queue or stream. A fault of the deployment
 * (`DeploymentError`, `NoHandlerError`) is no drop: it is retried.
 * - `'dead-letter'`: it is reported failed, so the platform's own
 *   dead-letter path takes it (an SQS redrive policy, a Workers
 *   `dead_letter_queue`, an Azure poison queue), after the platform's own
 *   count of deliveries. On an ordered source it then also holds back the
 *   items after it.
 * - `'ack'`: it is logged and acknowledged: gone.
 */
export type DropPolicy = 'dead-letter' | 'ack'

/** What every adapter's options hold; an adapter adds its platform's own. */
export interface AdapterOptions<M extends Mapper = Mapper> {
  /**
   * Mappers for triggers faasade does not know (see `defineMapper`). They are
   * tried before the built-in ones, in order, so one can also take over a
   * trigger faasade knows.
   * @defaultValue `[]`
   */
  mappers?: readonly M[]
  /**
   * What a dropped queue or stream item does: see {@link DropPolicy}.
   * Nothing is lost by default: acknowledging and logging is the opt-in.
   * @defaultValue `'dead-letter'`
   */
  onDrop?: DropPolicy
  /**
   * Items of an unordered batch handled at once. Ordered sources (FIFO
   * queues, streams) run one at a time.
   * @defaultValue 10
   */
  concurrency?: number
  /**
   * CloudEvents over HTTP with a larger body get a 413.
   * @defaultValue 6 MB
   */
  maxBodyBytes?: number
  /**
   * Milliseconds before the platform's timeout at which handlers' time is
   * up: `ctx.deadline` and `ctx.signal` are this much earlier, and a batch
   * stops waiting then. Items still running are reported failed (for
   * redelivery) and the reply carrying every other item's outcome goes out,
   * where a timeout would have redelivered the whole batch. No reply waits
   * for `waitUntil` work past it.
   * @defaultValue 100
   */
  timeoutMarginMs?: number
  /** @defaultValue the platform's own logger: JSON lines as its log pipeline files them */
  log?: Logger
}

/** The option names of {@link AdapterOptions}. */
export const ADAPTER_OPTIONS = ['mappers', 'onDrop', 'concurrency', 'maxBodyBytes', 'timeoutMarginMs', 'log'] as const

/**
 * Checks `options` against the kit's options and `extra` ones of the
 * platform (each a name and a check returning an error message, or
 * `undefined` when the value is good). Throws a `ConfigurationError` that
 * starts with `who`, naming the first bad option.
 *
 * @example
 * ```ts
 * checkAdapterOptions('toMyQueue', options, { queueUrl: (v) => (typeof v === 'string' ? undefined : 'must be a string') })
 * ```
 */
export function checkAdapterOptions(who: string, options: unknown, extra: Readonly<Record<string, (value: unknown) => string | undefined>> = {}): void {
  const fail = (message: string): never => {
    throw new ConfigurationError(`${who}: ${message}`)
  }
  if (typeof options !== 'object' || options === null) fail('options must be an object')
  const known = [...ADAPTER_OPTIONS, ...Object.keys(extra)]
  const given = options as Record<string, unknown>
  for (const key in given) {
    const value = given[key]
    if (!known.includes(key)) fail(`unknown option "${key}"; known: ${known.join(', ')}`)
    if (value === undefined) continue
    const problem = Object.hasOwn(extra, key) ? extra[key]!(value) : CHECKS[key as keyof typeof CHECKS](value)
    if (problem !== undefined) fail(`${key} ${problem}`)
  }
}

const CHECKS: Record<(typeof ADAPTER_OPTIONS)[number], (value: unknown) => string | undefined> = {
  mappers: (value) => {
    if (!Array.isArray(value)) return 'must be an array'
    const bad = value.findIndex((m: unknown) => !isMapper(m))
    return bad < 0 ? undefined : `[${bad}] is not a mapper (see defineMapper)`
  },
  onDrop: (value) => (value === 'dead-letter' || value === 'ack' ? undefined : "must be 'dead-letter' or 'ack'"),
  concurrency: (value) => (Number.isInteger(value) && (value as number) >= 1 ? undefined : 'must be an integer of at least 1'),
  maxBodyBytes: (value) => (typeof value === 'number' && value >= 0 ? undefined : 'must be a number of at least 0'),
  timeoutMarginMs: (value) => (typeof value === 'number' && value >= 0 && Number.isFinite(value) ? undefined : 'must be a finite number of at least 0'),
  log: (value) => (typeof (value as Logger | null)?.child === 'function' ? undefined : 'must be a Logger'),
}
