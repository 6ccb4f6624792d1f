/**
 * The options of `toLambda`, checked when the function module loads, so that
 * a typo fails the first cold start loudly instead of changing a semantic.
 */
import { ConfigurationError } from '../../src/errors.js'
import type { Logger } from '../../src/logger.js'
import type { LambdaMapper } from './mapper.js'

export interface LambdaOptions {
  /**
   * Mappers for triggers faasade does not know (see `defineMapper`). They are
   * tried before the built-in ones, in order, so one can also take over a
   * trigger faasade knows.
   * @defaultValue `[]`
   */
  mappers?: readonly LambdaMapper[]
  /**
   * What a permanent failure (`PermanentError`, `ValidationError`, a record
   * that cannot be read) does. `false`: it is logged and settled, so that it
   * is not redelivered forever. `true`: it is reported failed like a retry
   * (in `batchItemFailures`; thrown for async invokes), so that the queue's
   * redrive policy or the function's on-failure destination gets it. On an
   * ordered source it then also holds back the records after it.
   * @defaultValue false
   */
  failPermanent?: boolean
  /**
   * Records of an unordered batch (standard SQS, SNS, S3) handled at once.
   * Ordered sources (FIFO SQS, Kinesis, DynamoDB Streams) run one at a time.
   * @defaultValue 10
   */
  concurrency?: number
  /**
   * CloudEvents over HTTP with a larger body get a 413.
   * @defaultValue 6 MB (Lambda's own limit for a synchronous invoke)
   */
  maxBodyBytes?: number
  /**
   * Milliseconds before Lambda's timeout at which handlers' time is up:
   * `ctx.deadline` and `ctx.signal` are this much earlier, and a batch of
   * records stops waiting then. Records still running are reported failed
   * (redelivered), and the reply carrying every other record's outcome goes
   * out; were Lambda to time the invocation out, the whole batch would come
   * back. No reply, HTTP ones included, waits for `waitUntil` work past it.
   * @defaultValue 100
   */
  timeoutMarginMs?: number
  /**
   * Lines of an invocation carry its `requestId` whichever logger is given.
   * @defaultValue a JSON logger writing to standard output (not the
   * runtime's `console`, which would prefix or wrap each line), at the level
   * of `FAASADE_LOG_LEVEL`, `AWS_LAMBDA_LOG_LEVEL` or `LOG_LEVEL`
   */
  log?: Logger
}

const KNOWN = ['mappers', 'failPermanent', 'concurrency', 'maxBodyBytes', 'timeoutMarginMs', 'log']

/** Throws a `ConfigurationError` naming the first bad option. */
export function checkLambdaOptions(options: LambdaOptions): void {
  if (typeof options !== 'object' || options === null) fail('options must be an object')
  for (const key in options) if (!KNOWN.includes(key)) fail(`unknown option "${key}"; known: ${KNOWN.join(', ')}`)
  const { mappers, failPermanent, concurrency, maxBodyBytes, timeoutMarginMs } = options
  if (mappers !== undefined) {
    if (!Array.isArray(mappers)) fail('mappers must be an array')
    mappers.forEach((m: Partial<LambdaMapper> | null, i) => {
      const ok =
        typeof m === 'object' && m !== null && typeof m.name === 'string' && typeof m.match === 'function' &&
        (m.kind === 'events' ? typeof m.toEvents === 'function' && typeof m.reply === 'function' : m.kind === 'http' && typeof m.toRequest === 'function' && typeof m.toReply === 'function')
      if (!ok) fail(`mappers[${i}] is not a mapper: it needs kind 'events' (name, match, toEvents, reply) or 'http' (name, match, toRequest, toReply)`)
    })
  }
  if (failPermanent !== undefined && typeof failPermanent !== 'boolean') fail('failPermanent must be a boolean')
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1)) fail('concurrency must be an integer of at least 1')
  if (maxBodyBytes !== undefined && !(typeof maxBodyBytes === 'number' && maxBodyBytes >= 0)) fail('maxBodyBytes must be a number of at least 0')
  if (timeoutMarginMs !== undefined && !(typeof timeoutMarginMs === 'number' && timeoutMarginMs >= 0 && Number.isFinite(timeoutMarginMs))) fail('timeoutMarginMs must be a finite number of at least 0')
}

function fail(message: string): never {
  throw new ConfigurationError(`toLambda: ${message}`)
}
