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
  if (retryAfterMs !== undefined) headers['retry-after'] = String(Math.max(0, Math.ceil(retryAfterMs / 1000)))
  return { status: error.status, headers, body: JSON.stringify(error.toProblem()) }
}

/** The problem body alone. */
export function toProblem(thrown: unknown): Problem {
  return toFaasadeError(thrown).toProblem()
}
