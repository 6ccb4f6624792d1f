/**
 * `waitUntil` where the platform has none of its own (Lambda, Azure, Cloud
 * Run): the work handlers (and a Hono app) hand over is collected and
 * awaited before the invocation ends, since the platform may freeze or
 * stop the instance once it has replied.
 */
import { untilDeadline } from './deadline.js'

/**
 * The `waitUntil` work of one invocation, every context's (or the Hono
 * app's), awaited before it returns.
 */
export interface WaitUntilWork {
  /** Adds a promise to wait for; a function of its own, so it can be passed as `waitUntil` unbound. */
  add(promise: Promise<unknown>): void
  /** Waits for every promise added, and for those added while it waits. */
  drain(): Promise<void>
  /** {@link drain}, but not past `deadline`; no timer when nothing is pending. */
  drainBy(deadline: number): Promise<unknown>
}

/**
 * @example
 * ```ts
 * const work = waitUntilWork()
 * const ctx = contextForEvent(event, { provider, log, waitUntil: work.add })
 * await dispatch(service, event, ctx)
 * await work.drainBy(deadline)
 * ```
 */
export function waitUntilWork(): WaitUntilWork {
  const pending: Promise<unknown>[] = []
  // Work that a `waitUntil` task hands to `waitUntil` is waited for too.
  const drain = async () => {
    while (pending.length > 0) await Promise.all(pending.splice(0))
  }
  return {
    add: (promise) => void pending.push(promise),
    drain,
    drainBy: (deadline) => (pending.length === 0 ? Promise.resolve() : untilDeadline(drain(), deadline)),
  }
}

