/**
 * Runs a handler over the items of a batch and returns one outcome an item,
 * in input order. Adapters turn the outcomes into their provider's
 * partial-failure reply. State lives in the call, never on an instance, so
 * concurrent invocations cannot see each other's failures.
 */
import { ConfigurationError, RetryableError } from './errors.js'
import { outcomeOf, settle, toPromise, type Outcome } from './outcome.js'

/**
 * How {@link runBatch} runs a batch: concurrently, or in order for a source
 * that must keep it, and, for an ordered source, which failures hold back
 * which later items. Adapters fill it from the trigger they serve.
 */
export interface BatchOptions<T = unknown> {
  /**
   * The source is ordered (SQS FIFO, Kinesis, DynamoDB Streams): items run one
   * at a time, and after the first failure the rest are not run and are
   * reported as needing a retry, so that none overtakes the failed one.
   * @defaultValue false
   */
  ordered?: boolean
  /**
   * Items in flight at once for an unordered source (ordered ones always run
   * one at a time): a whole number from 1, or `Infinity` for every item at
   * once. Anything else (`NaN` from an unset environment variable, 0, a
   * fraction) is a {@link ConfigurationError}, never a batch that runs nothing.
   * @defaultValue 10
   */
  concurrency?: number
  /**
   * Which outcomes stop an ordered batch. A dropped item is settled (it will
   * not come back), so by default only a retry stops it; an adapter that sends
   * dropped items to a dead-letter queue by failing them passes `'any'`.
   * @defaultValue 'retry'
   */
  stopOn?: 'retry' | 'any'
  /**
   * The ordering key of an item of an ordered batch (a Kinesis partition
   * key, a DynamoDB item's key, an SQS FIFO message group): items of one key
   * run one at a time and in order, and after one fails the later items of
   * that key are not run; items of different keys run concurrently, up to
   * `concurrency`. Without it (or where it gives `undefined`) the whole
   * batch is one key.
   */
  keyOf?: (item: T, index: number) => string | undefined
  /**
   * An array the outcome of each item is written to as soon as it settles,
   * for a caller that may stop waiting (at a deadline) and must know which
   * items settled and how.
   */
  settled?: Outcome[]
}

/** The error of an item that was not run because an earlier one in an ordered batch failed. */
export class SkippedError extends RetryableError {
  static override readonly errorName: string = 'SkippedError'

  protected override title(): string {
    return 'Not run: an earlier item of the ordered batch failed'
  }
}

/**
 * Runs `run` over `items` and returns their outcomes, one an item, in order.
 * An item's failure is its outcome, never a rejection; bad options reject
 * with a {@link ConfigurationError} naming the option, before any item runs.
 *
 * @example
 * ```ts
 * const outcomes = await runBatch(records, (r) => dispatch(service, toEvent(r), ctxFor(r)), { concurrency: 5 })
 * const failed = outcomes.flatMap((o, i) => (o.kind === 'retry' ? [records[i]!.messageId] : []))
 * ```
 */
export async function runBatch<T, R>(
  items: readonly T[],
  run: (item: T, index: number) => Promise<R> | R,
  options: BatchOptions<T> = {},
): Promise<Outcome<R>[]> {
  const limit = limitOf(options.concurrency)
  if (options.stopOn !== undefined && options.stopOn !== 'retry' && options.stopOn !== 'any') throw new ConfigurationError('runBatch: `stopOn` must be "retry" or "any"')
  const sink = options.settled as Outcome<R>[] | undefined
  if (options.ordered) {
    const outcomes: Outcome<R>[] = sink ?? new Array(items.length)
    const stops = options.stopOn === 'any' ? (o: Outcome<R>) => o.kind !== 'ok' : (o: Outcome<R>) => o.kind === 'retry'
    // One lane a key, in order within it; the lanes share the concurrency.
    const runKey = async (indices: readonly number[]) => {
      let failedAt = -1
      let skipped: Outcome<R> | undefined
      for (const i of indices) {
        if (failedAt >= 0) {
          // One error for every item the failure holds back: a long batch cut here allocates nothing more.
          outcomes[i] = skipped ??= { kind: 'retry', error: new SkippedError(`Not run: item ${failedAt} of this ordered batch (same key) failed first`), retryAfterMs: undefined }
          continue
        }
        const outcome = await settle(() => run(items[i]!, i))
        outcomes[i] = outcome
        if (stops(outcome)) failedAt = i
      }
    }
    const keys = keysOf(items, options.keyOf)
    await runConcurrently(keys, runKey, limit)
    return outcomes
  }
  // A batch within the limit (the usual Lambda batch of ten) starts every
  // item at once, as the lanes of runConcurrently would, without their loop
  // and its promise turns: about 1.3 µs a batch of ten. Here rather than in
  // runConcurrently, which every Worker carries and whose bytes it counts.
  if (items.length <= limit) {
    return Promise.all(items.map((item, i) => (sink ? settleInto(sink, i, () => run(item, i)) : settle(() => run(item, i)))))
  }
  if (!sink) return runConcurrently(items, run, limit)
  // Each outcome noted (settleInto), then passed on as it was: a result, or the error it already holds.
  return runConcurrently(
    items,
    (item, i) =>
      settleInto(sink, i, () => run(item, i)).then((outcome) => {
        if (outcome.kind === 'ok') return outcome.result
        throw outcome.error
      }),
    limit,
  )
}

/** {@link settle}, writing the outcome to `sink[i]` in the same promise turn. */
function settleInto<R>(sink: Outcome<R>[], i: number, work: () => Promise<R> | R): Promise<Outcome<R>> {
  return toPromise(work).then(
    (result) => (sink[i] = { kind: 'ok', result }),
    (error: unknown) => (sink[i] = outcomeOf(error)),
  )
}

/**
 * The unordered half of {@link runBatch}: up to `concurrency` items in
 * flight (default 10; `Infinity`: all), outcomes in input order, one an
 * item. A `concurrency` that is not a whole number from 1 or `Infinity`
 * rejects with a {@link ConfigurationError}. Apart so that a path that
 * never runs an ordered batch (HTTP, a Workers queue) does not ship the
 * ordered one.
 *
 * @example
 * ```ts
 * const outcomes = await runConcurrently(messages, (m) => dispatch(service, toEvent(m), ctxFor(m)), 5)
 * ```
 */
export async function runConcurrently<T, R>(
  items: readonly T[],
  run: (item: T, index: number) => Promise<R> | R,
  concurrency?: number,
): Promise<Outcome<R>[]> {
  const limit = limitOf(concurrency)
  const outcomes: Outcome<R>[] = new Array(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      outcomes[i] = await settle(() => run(items[i]!, i))
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return outcomes
}

/** The indices of each key's items, in input order, keys in order of first appearance. */
function keysOf<T>(items: readonly T[], keyOf: ((item: T, index: number) => string | undefined) | undefined): number[][] {
  const all = Array.from(items, (_item, i) => i)
  if (keyOf === undefined) return [all]
  const byKey = new Map<string | undefined, number[]>()
  for (const i of all) {
    const key = keyOf(items[i]!, i)
    const indices = byKey.get(key)
    if (indices) indices.push(i)
    else byKey.set(key, [i])
  }
  return [...byKey.values()]
}

/**
 * The `concurrency` option, checked. It used to be clamped with `Math.max(1,
 * Math.floor(…))`, which lets NaN through: the batch then started no lane,
 * ran nothing and returned holes instead of outcomes.
 */
function limitOf(concurrency: number | undefined): number {
  if (concurrency === undefined) return 10
  if (concurrency === Infinity || (Number.isInteger(concurrency) && concurrency >= 1)) return concurrency
  throw new ConfigurationError('`concurrency` must be a whole number from 1, or Infinity')
}
