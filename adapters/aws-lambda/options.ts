/**
 * The options of `toLambda`: the kit's, under the kit's names, checked when
 * the function module loads so that a typo fails the first cold start
 * loudly instead of changing a semantic.
 */
import { checkAdapterOptions, type AdapterOptions } from '../../src/adapter/index.js'
import type { LambdaMapper } from './mapper.js'

/**
 * `toLambda`'s options: those of every adapter (`faasade/adapter`). On
 * Lambda:
 * - `onDrop: 'dead-letter'` (the default) reports a dropped record in
 *   `batchItemFailures` (so the queue's redrive policy moves it to the
 *   DLQ) and throws for an async invoke (so the on-failure destination
 *   gets it); `'ack'` logs it and leaves it out. Without a redrive policy,
 *   SQS redelivers it until the message expires.
 * - `timeoutMarginMs` counts back from `getRemainingTimeInMillis()`.
 * - `log` defaults to a JSON logger writing to standard output (not the
 *   runtime's `console`, which would prefix or wrap each line), at the
 *   level of `FAASADE_LOG_LEVEL`, `AWS_LAMBDA_LOG_LEVEL` or `LOG_LEVEL`;
 *   lines of an invocation carry its `requestId` whichever logger is given.
 * - `maxBodyBytes` defaults to 6 MB, Lambda's own limit for a synchronous invoke.
 */
export type LambdaOptions = AdapterOptions<LambdaMapper>

/** Throws a `ConfigurationError` naming the first bad option. */
export function checkLambdaOptions(options: LambdaOptions): void {
  checkAdapterOptions('toLambda', options)
}
