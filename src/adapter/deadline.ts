/**
 * The end of an invocation: when handlers' time is up, and waiting for work
 * no longer than that, because past the platform's timeout no reply goes
 * out (a Lambda batch comes back whole, an HTTP client gets a gateway error).
 */
import { TimeoutError } from '../errors.js'
import type { Outcome } from '../outcome.js'

/**
 * When handlers' time is up: `marginMs` before the end of the time the
 * platform says is left; `Infinity` when it says nothing.
 *
 * @example
 * ```ts
 * deadlineIn(context.getRemainingTimeInMillis(), 100)   // Date.now() + remaining - 100
 * ```
 */
export function deadlineIn(remainingMs: number | undefined, marginMs: number): number {
  // Number.isFinite is false for anything but a finite number, undefined included.
  return Number.isFinite(remainingMs) ? Date.now() + remainingMs! - marginMs : Infinity
}

/** `ctx.deadline` is this many milliseconds before the platform's timeout, unless `timeoutMarginMs` says otherwise. */
export const DEFAULT_TIMEOUT_MARGIN_MS = 100

/**
 * Settles when `work` does or resolves when the deadline passes, whichever
 * is first: past it, Lambda is about to end the invocation, and the reply
 * must be out.
 */
/**
 * @example
 * ```ts
 * await untilDeadline(batch, deadline)   // returns at the deadline at the latest; the batch may run on
 * ```
 */
export async function untilDeadline(work: Promise<unknown>, deadline: number): Promise<unknown> {
  const wait = deadline - Date.now()
  // Past setTimeout's range (2^31 - 1 ms) it would fire at once: only a harness gives that much.
  if (!(wait <= MAX_TIMER_MS)) return work
  // A timer fires only once no microtask is left, so work that settles within
  // a few microtask turns could never have been cut: it gets no timer (the
  // first timer of a Node process costs a cold start about 0.2 ms).
  let settled = false
  const mark = () => void (settled = true)
  work.then(mark, mark)
  for (let turn = 0; turn < UNTIMED_TURNS && !settled; turn++) await undefined
  if (settled) return work
  return new Promise((resolve, reject) => {
    // + 1: timers run on a monotonic clock and may fire up to 1 ms before
    // Date.now() reaches the deadline, when a handler could still start.
    const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()) + 1)
    work.then(resolve, reject).finally(() => clearTimeout(timer))
  })
}

/** Microtask turns work may take before it gets a deadline timer: a batch of ten quick records takes fewer. */
const UNTIMED_TURNS = 16
const MAX_TIMER_MS = 2 ** 31 - 1

/**
 * The outcome of every item still running, or never started, at the
 * deadline: one shared value, so that cutting a batch of ten thousand costs
 * no allocation an item (the reply must leave before the platform's timeout).
 */
export const UNFINISHED: Outcome = Object.freeze({
  kind: 'retry',
  error: new TimeoutError('Still running, or not started, at the deadline (timeoutMarginMs before the platform timeout)'),
  retryAfterMs: undefined,
})

