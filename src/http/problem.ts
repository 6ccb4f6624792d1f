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

/** A wait in ms as a `Retry-After` delay: whole seconds, rounded up, and 0 for a negative or NaN wait. */
export function retryAfterSeconds(ms: number): number {
  return Math.max(0, Math.ceil(ms / 1000)) || 0
}

/** The problem body alone. */
export function toProblem(thrown: unknown): Problem {
  return toFaasadeError(thrown).toProblem()
}
