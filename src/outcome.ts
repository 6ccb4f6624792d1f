/**
 * The three ways a delivery can end. Every adapter says them in its
 * provider's words (the outcome table, docs/architecture.md); none invents its own.
 */
import { toFaasadeError, type FaasadeError } from './errors.js'

/**
 * How the delivery of one event ended: `ok` with the handler's result,
 * `retry` (the provider should deliver it again) or `drop` (it never will
 * succeed, so it is settled, acknowledged or sent to a dead-letter queue
 * by the adapter's policy). Adapters translate outcomes into their
 * provider's replies.
 *
 * @example
 * ```ts
 * import { settle } from 'faasade'
 * const outcome = await settle(() => charge(order))
 * if (outcome.kind === 'drop') log.warn('order dropped', { reason: outcome.error.message })
 * ```
 */
export type Outcome<R = unknown> =
  | { readonly kind: 'ok'; readonly result: R }
  /** Redeliver: a `RetryableError`, a timeout or any error that is not ours. */
  | { readonly kind: 'retry'; readonly error: FaasadeError; readonly retryAfterMs: number | undefined }
  /** Do not redeliver: a `PermanentError` or a `ValidationError`. */
  | { readonly kind: 'drop'; readonly error: FaasadeError }

/** What a thrown value means for redelivery. */
export function outcomeOf(thrown: unknown): Exclude<Outcome<never>, { kind: 'ok' }> {
  const error = toFaasadeError(thrown)
  return error.retryable ? { kind: 'retry', error, retryAfterMs: (error as { retryAfterMs?: number }).retryAfterMs } : { kind: 'drop', error }
}

/**
 * Runs `work` and turns its result or error into an outcome. Never rejects.
 * Written with `then`, not `async`/`await`: it wraps every item of every
 * batch, and an async function adds promise turns to each.
 */
export function settle<R>(work: () => Promise<R> | R): Promise<Outcome<R>> {
  return toPromise(work).then(ok, outcomeOf)
}

/**
 * What an `async` wrapper would give, a promise that rejects instead of a
 * synchronous throw, without its cost: an async function that returns a
 * promise settles two microtask turns after it, on every invocation and at
 * every layer. `Promise.resolve` hands a native promise back as it is.
 */
export function toPromise<T>(work: () => T | Promise<T>): Promise<T> {
  try {
    return Promise.resolve(work())
  } catch (error) {
    return Promise.reject(error)
  }
}

function ok<R>(result: R): Outcome<R> {
  return { kind: 'ok', result }
}
