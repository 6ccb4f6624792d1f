/**
 * The invocation's `context` logger, made on its first line: most
 * invocations log nothing, and making a logger (its level from the
 * environment, a method a level) was a measurable share of a queue
 * message's time in the adapter (bench/azure-functions).
 */
import type { LogFields, Logger } from '../../src/logger.js'
import type { InvocationContext } from './azure-types.js'
import { contextLogger } from './log.js'

/** {@link contextLogger} of `context`, made when first written to. */
export function lazyContextLogger(context: InvocationContext): Logger {
  return new LazyContextLogger(context)
}

class LazyContextLogger implements Logger {
  #context: InvocationContext
  #log: Logger | undefined

  constructor(context: InvocationContext) {
    this.#context = context
  }

  #made(): Logger {
    return (this.#log ??= contextLogger(this.#context))
  }

  debug(message: string, fields?: LogFields): void {
    this.#made().debug(message, fields)
  }

  info(message: string, fields?: LogFields): void {
    this.#made().info(message, fields)
  }

  warn(message: string, fields?: LogFields): void {
    this.#made().warn(message, fields)
  }

  error(message: string, fields?: LogFields): void {
    this.#made().error(message, fields)
  }

  child(fields: LogFields): Logger {
    return this.#made().child(fields)
  }
}
