/**
 * Errors as RFC 9457 problem+json replies. Only the error's own safe fields
 * are rendered: no stack, no cause, and for an error that is not ours, not
 * even its message.
 */
import { toFaasadeError, type Problem } from '../errors.js'
import type { HttpReply } from './message.js'

/** The problem+json reply for any thrown value. */
export function problemReply(thrown: unknown): HttpReply {
  const error = toFaasadeError(thrown)
  const headers: Record<string, string> = { 'content-type': 'application/problem+json' }
  const retryAfterMs = (error as { retryAfterMs?: number }).retryAfterMs
  if (retryAfterMs !== undefined) headers['retry-after'] = String(retryAfterSeconds(retryAfterMs))
  return { status: error.status, headers, body: JSON.stringify(error.toProblem()) }
}

/**
 * The longest `Retry-After` sent: 12 hours, as Cloudflare Queues' longest
 * `delaySeconds`. A wait past it (`Infinity`, say) is clamped to it, so the
 * header stays a valid delay-seconds and the sender still retries one day.
 */
export const MAX_RETRY_AFTER_SECONDS = 12 * 60 * 60

/**
 * A wait in ms as a `Retry-After` delay: whole seconds, rounded up, at most
 * {@link MAX_RETRY_AFTER_SECONDS}. A negative or NaN wait is 0 (retry now):
 * `retryAfterMs` was set, so the reply is a 429, which should say when.
 *
 * @example
 * ```ts
 * retryAfterSeconds(1_001)     // 2
 * retryAfterSeconds(Infinity)  // 43200
 * retryAfterSeconds(Number.NaN) // 0
 * ```
 */
export function retryAfterSeconds(ms: number): number {
  // `|| 0` turns NaN (and -0) into 0; min and max take ±Infinity to the bounds.
  return Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(0, Math.ceil(ms / 1000))) || 0
}

/** The problem body alone. */
export function toProblem(thrown: unknown): Problem {
  return toFaasadeError(thrown).toProblem()
}
