/**
 * The invocation's `context` logger, made on its first line: most
 * invocations log nothing, and making a logger (its level from the
 * environment, a method a level) was a measurable share of a queue
 * message's time in the adapter (bench/azure-functions).
 */
import { lazyLogger } from '../../src/lazy-logger.js'
import type { Logger } from '../../src/logger.js'
import type { InvocationContext } from './azure-types.js'
import { contextLogger } from './log.js'

/** {@link contextLogger} of `context`, made when first written to. */
export function lazyContextLogger(context: InvocationContext): Logger {
  return lazyLogger(() => contextLogger(context))
}
