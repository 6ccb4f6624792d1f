/**
 * What an adapter throws back to its platform (a Workers cron run, an async
 * Lambda invoke that should be retried, an Azure invocation): never to an
 * HTTP client, so it keeps what the platform's own error reporting shows.
 */
import { UnexpectedError, type FaasadeError } from '../errors.js'

/**
 * The error to throw to the platform for a failed delivery: an error of
 * ours as it is (its message and stack are the handler's words), and for an
 * unexpected one the original error it wraps, so that the platform's
 * dashboard shows the real cause rather than "Internal error".
 *
 * @example
 * ```ts
 * if (outcome.kind !== 'ok') throw platformError(outcome.error)
 * ```
 */
export function platformError(error: FaasadeError): unknown {
  return error instanceof UnexpectedError && error.cause !== undefined ? error.cause : error
}
