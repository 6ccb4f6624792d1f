/**
 * The one delivery path of every adapter: native items to events, a context
 * each, dispatch, the batch (ordered or not, within the concurrency), the
 * deadline cut, the `waitUntil` work drained, failures logged once in one
 * wording, and the drop policy. An adapter maps its input to items before
 * and the outcomes to its native reply after; nothing in between is its own.
 */
import { runConcurrently, SkippedError, type BatchOptions } from '../batch.js'
import { contextForEvent, type InvocationFacts } from '../context.js'
import { describeError, isFaasadeError } from '../errors.js'
import type { CloudEvent } from '../event.js'
import type { Logger } from '../logger.js'
import { settle, type Outcome } from '../outcome.js'
import { dispatch } from '../service.js'
import type { Adapter } from './adapter.js'
import { UNFINISHED, untilDeadline } from './deadline.js'
import type { NativeItem } from './mapper.js'
import { waitUntilWork } from './wait-until.js'

/** One delivery of items, as an adapter describes it to {@link deliver}. */
export interface Delivery<Raw> {
  /** Names the trigger in log lines (the mapper's name). */
  readonly trigger: string
  readonly items: readonly NativeItem[]
  /** Epoch milliseconds at which handlers' time is up (`deadlineIn`); `Infinity` for none. */
  readonly deadline: number
  /** The items come from an ordered source: one at a time, and none after a failure. @defaultValue false */
  readonly ordered?: boolean
  /** `ctx.provider.raw` of an item's handler. */
  raw(item: NativeItem, index: number): Raw
  /**
   * The platform's own `waitUntil` (Workers). Without one, the work handlers
   * hand over is awaited before {@link deliver} returns, within the deadline.
   */
  readonly waitUntil?: (promise: Promise<unknown>) => void
  /**
   * Whether the adapter's drop policy applies: true for queues and streams,
   * false where a drop has no dead-letter path (a timer: it is logged, and
   * the adapter's reply says "do not retry").
   * @defaultValue true
   */
  readonly dropPolicy?: boolean
  /** The invocation's logger (`invocationLog`). @defaultValue the adapter's */
  readonly log?: Logger
  /** The invocation's facts (`invocationFacts`), on every context. */
  readonly invocation?: InvocationFacts
  /** The platform's environment bindings, on every context's `provider.env`. */
  readonly env?: Readonly<Record<string, unknown>>
  /** The platform's signal, which every context's `signal` follows (an HTTP sender that went away); asked for on first read. */
  readonly signal?: () => AbortSignal
}

/**
 * Delivers the items and returns one outcome an item, in order, as the
 * platform must be told: with the `'dead-letter'` drop policy a drop comes
 * back as a retry (so the item takes the platform's dead-letter path), and
 * an item still running at the deadline as a retry too. Never rejects.
 *
 * @example
 * ```ts
 * const items = messages.map((m) => ({ event: toEvent(m), id: m.id, attempt: m.attempts, record: m }))
 * const outcomes = await deliver(adapter, { trigger: 'my-queue', items, deadline, raw: (item) => item.record })
 * outcomes.forEach((o, i) => (o.kind === 'ok' ? messages[i].ack() : messages[i].retry()))
 * ```
 */
export async function deliver<Raw>(adapter: Adapter, delivery: Delivery<Raw>): Promise<Outcome[]> {
  const { items, deadline, trigger } = delivery
  const log = delivery.log ?? adapter.log
  const deadLetter = delivery.dropPolicy !== false && adapter.onDrop === 'dead-letter'
  // Every item would be refused, on every delivery: say why, once.
  if (deadline <= Date.now()) log.warn('no time left for handlers: the deadline passed before the delivery started', { trigger, timeoutMarginMs: adapter.timeoutMarginMs })
  const work = delivery.waitUntil ? undefined : waitUntilWork()
  const waitUntil = delivery.waitUntil ?? work!.add
  const done: Outcome[] = new Array(items.length)
  // Each item's own promise, for the line of those that settle after the reply.
  const running: Promise<unknown>[] = []
  const copyOf = delivery.ordered ? undefined : copies(items)
  const batch = (adapter.runBatch ?? runUnordered)(
    items,
    (item, i) => {
      if (isFaasadeError(item.event)) throw item.event
      // A second copy of an event in one batch (at-least-once delivery) shares the first's run and outcome.
      const first = copyOf?.[i]
      if (first !== undefined) return running[first]!
      const ctx = contextForEvent(item.event, {
        provider: { name: adapter.provider, raw: delivery.raw(item, i), env: delivery.env },
        deadline,
        attempt: item.attempt,
        waitUntil,
        log,
        invocation: delivery.invocation,
        signal: delivery.signal,
      })
      return (running[i] = dispatch(adapter.service, item.event, ctx))
    },
    { ordered: delivery.ordered === true, keyOf, concurrency: adapter.concurrency, stopOn: deadLetter ? 'any' : 'retry', settled: done },
  )
  await untilDeadline(work ? batch.then(work.drain) : batch, deadline)
  // A copy: items cut at the deadline may still settle into `done` after the reply.
  let cut = 0
  const outcomes = Array.from(done, (outcome) => outcome ?? (cut++, UNFINISHED))
  logFailures(log, trigger, outcomes, items, deadLetter)
  if (cut > 0) logCut(log, trigger, cut, items, done, running)
  return deadLetter ? outcomes.map(reportDrop) : outcomes
}

/**
 * A batch with no order to keep: each outcome written to `settled` as it
 * comes, for the deadline cut. (The ordered runner is the platform's.)
 */
function runUnordered<T, R>(items: readonly T[], run: (item: T, index: number) => Promise<R> | R, options: BatchOptions<T>): Promise<unknown> {
  const settled = options.settled!
  return runConcurrently(items, (item, i) => settle(() => run(item, i)).then((outcome) => void (settled[i] = outcome)), options.concurrency)
}

/**
 * For each item that repeats an earlier one of the batch (the same `source`,
 * `id` and `subject`: the same event, delivered twice), the index of that earlier
 * one. Run side by side, two copies would race: one hits a unique index,
 * or, under `idempotent()`, is told to come back after the whole lease.
 */
function copies(items: readonly NativeItem[]): number[] | undefined {
  let copyOf: number[] | undefined
  // Keyed by the id alone, which is already a flat string: a key joined from
  // three attributes was built, flattened and hashed for every item, about a
  // tenth of a batch's delivery time, to find copies that are rare.
  const seen = new Map<string, number>()
  items.forEach(({ event }, i) => {
    if (isFaasadeError(event)) return
    const first = seen.get(event.id)
    if (first === undefined) return void seen.set(event.id, i)
    // The same id: a copy only with the same source and subject too (a
    // mapper that derives ids, S3's from its request ids, may give two
    // objects one id). An item that failed to map has no id.
    for (let j = first; j < i; j++) {
      const other = items[j]!.event as CloudEvent
      if (other.id === event.id && other.source === event.source && other.subject === event.subject) return void ((copyOf ??= [])[i] = j)
    }
  })
  return copyOf
}

/** An item's ordering key: items of one key keep their order, other keys run beside them. */
const keyOf = (item: NativeItem) => item.key

/** With the `'dead-letter'` policy, a dropped item is reported like one to redeliver, so it reaches the dead-letter path. */
function reportDrop(outcome: Outcome): Outcome {
  return outcome.kind === 'drop' ? { kind: 'retry', error: outcome.error, retryAfterMs: undefined } : outcome
}

/**
 * One line a failed item (what happens to it next is in the fields), one
 * for the items an ordered batch did not run. Items cut at the deadline
 * are {@link logCut}'s.
 */
function logFailures(log: Logger, trigger: string, outcomes: readonly Outcome[], items: readonly NativeItem[], deadLetter: boolean): void {
  let skipped = 0
  for (let i = 0; i < outcomes.length; i++) {
    const outcome = outcomes[i]!
    if (outcome.kind === 'ok' || outcome === UNFINISHED) continue
    if (outcome.error instanceof SkippedError) {
      skipped++
      continue
    }
    const item = items[i]
    const event = item && !isFaasadeError(item.event) ? item.event : undefined
    const fields = { trigger, deliveryId: item?.id, eventId: event?.id, eventType: event?.type, attempt: item?.attempt, outcome: outcome.kind, ...describeError(outcome.error) }
    if (outcome.kind === 'retry') log.error('event failed, will be retried', fields)
    else if (deadLetter) log.error('event failed permanently, reported failed for the dead-letter path', fields)
    else log.warn('event dropped, will not be retried', fields)
  }
  if (skipped > 0) log.warn('ordered batch stopped at a failure: later items not run, reported for retry', { trigger, skipped })
}

/**
 * Items cut at the deadline: one line now, whatever their number (the reply
 * must leave before the platform's timeout: no line, no allocation an item),
 * and, for each that was running (at most the concurrency), one line when
 * it settles, for whoever wonders why it ran twice. After the reply, that
 * may be when the platform thaws the instance for a later invocation.
 */
function logCut(log: Logger, trigger: string, cut: number, items: readonly NativeItem[], done: readonly (Outcome | undefined)[], running: readonly Promise<unknown>[]): void {
  const ids: string[] = []
  let started = 0
  for (let i = 0; i < items.length; i++) {
    if (done[i] !== undefined) continue
    if (ids.length < 10) ids.push(items[i]?.id ?? String(i))
    const record = running[i]
    if (record === undefined) continue
    started++
    const deliveryId = items[i]?.id
    settle(() => record)
      .then((outcome) => log.warn('item settled after its batch replied; it was reported for redelivery', { trigger, deliveryId, outcome: outcome.kind, ...(outcome.kind === 'ok' ? {} : describeError(outcome.error)) }))
      .catch(() => {})
  }
  log.warn('items unfinished at the deadline, reported for redelivery', { trigger, unfinished: cut, running: started, firstDeliveryIds: ids })
}
