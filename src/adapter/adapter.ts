/**
 * What every invocation of one adapter entry shares: the service, the
 * logger and the options, checked and defaulted once when the function
 * module loads.
 */
import type { InvocationFacts } from '../context.js'
import { lazyChild } from '../lazy-logger.js'
import type { BatchOptions } from '../batch.js'
import type { Logger } from '../logger.js'
import type { Outcome } from '../outcome.js'
import { toService, type Service, type Target } from '../service.js'
import { DEFAULT_TIMEOUT_MARGIN_MS } from './deadline.js'
import type { Mapper } from './mapper.js'
import type { AdapterOptions, DropPolicy } from './options.js'

/** The platform an adapter puts a service on. */
export interface Platform<M extends Mapper = Mapper> {
  /** `ctx.provider.name` of every delivery: `'aws-lambda'`, `'my-queue'`. */
  readonly name: string
  /** The platform's triggers, tried after the user's mappers. @defaultValue `[]` */
  readonly mappers?: readonly M[]
  /** The logger when the options give none: lines as the platform's log pipeline files them. */
  readonly log: () => Logger
  /**
   * The batch runner of a platform with ordered sources (FIFO queues,
   * streams): the core's `runBatch`, which runs both kinds. Without one,
   * every batch runs unordered, and a platform without ordered sources
   * ships no ordered runner.
   */
  readonly runBatch?: BatchRunner
}

/** What runs a batch: the core's `runBatch` has this shape. */
export type BatchRunner = <T, R>(items: readonly T[], run: (item: T, index: number) => Promise<R> | R, options: BatchOptions<T>) => Promise<Outcome<R>[]>

/** One adapter entry's shared state (made by {@link createAdapter}). */
export interface Adapter<M extends Mapper = Mapper> {
  readonly provider: string
  readonly service: Service
  readonly log: Logger
  readonly onDrop: DropPolicy
  readonly concurrency: number | undefined
  readonly maxBodyBytes: number | undefined
  readonly timeoutMarginMs: number
  /** The user's mappers, then the platform's. */
  readonly mappers: readonly M[]
  readonly runBatch: BatchRunner | undefined
}

/**
 * The shared state of an adapter entry. Check the options first
 * (`checkAdapterOptions`): this only defaults them.
 *
 * @example
 * ```ts
 * const adapter = createAdapter(target, options, { name: 'my-queue', mappers: [message], log: () => createLogger() })
 * ```
 */
export function createAdapter<M extends Mapper>(target: Target, options: AdapterOptions<M>, platform: Platform<M>): Adapter<M> {
  const builtIn = platform.mappers ?? []
  return {
    provider: platform.name,
    service: toService(target),
    log: options.log ?? platform.log(),
    // Nothing lost by default: a dropped item takes the platform's dead-letter path.
    onDrop: options.onDrop ?? 'dead-letter',
    concurrency: options.concurrency,
    maxBodyBytes: options.maxBodyBytes,
    timeoutMarginMs: options.timeoutMarginMs ?? DEFAULT_TIMEOUT_MARGIN_MS,
    mappers: options.mappers ? [...options.mappers, ...builtIn] : builtIn,
    runBatch: platform.runBatch,
  }
}

// One instance, one cold start: the first invocation any adapter of this
// module copy serves.
let served = false

/**
 * The facts of one invocation: the platform's request id and whether it is
 * the instance's first. Call it once an invocation.
 *
 * @example
 * ```ts
 * const facts = invocationFacts(context.awsRequestId)   // { requestId, coldStart: true } the first time
 * ```
 */
export function invocationFacts(requestId: string | undefined, more: Omit<InvocationFacts, 'requestId' | 'coldStart'> = {}): InvocationFacts {
  const coldStart = !served
  served = true
  return { ...more, requestId, coldStart }
}

/**
 * The logger of one invocation: its lines carry the platform's request id
 * (made on the first line: most invocations log nothing).
 *
 * @example
 * ```ts
 * const log = invocationLog(adapter, context.awsRequestId)
 * ```
 */
export function invocationLog(adapter: Pick<Adapter, 'log'>, requestId: string | undefined): Logger {
  return requestId === undefined ? adapter.log : lazyChild(adapter.log, { requestId })
}
