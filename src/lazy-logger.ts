/**
 * A logger made on its first line. Most events and invocations log
 * nothing, and making a child for each record of a batch costs more than
 * the rest of its mapping, so every context's logger is one of these.
 */
import type { LogFields, Logger } from './logger.js'

/**
 * A logger whose lines carry `fields`, with the child made on the first line.
 *
 * @example
 * ```ts
 * const log = lazyChild(parent, { eventId: event.id })   // nothing made yet
 * log.info('charging')                                    // parent.child(...) now, once
 * ```
 */
export function lazyChild(parent: Logger, fields: LogFields): Logger {
  return new LazyLogger(() => parent.child(fields))
}

/**
 * The logger `make` returns, made on the first line (or child) and then
 * kept: for a logger whose fields, or whose sink, cost something to make.
 *
 * @example
 * ```ts
 * const log = lazyLogger(() => contextLogger(invocationContext))
 * ```
 */
export function lazyLogger(make: () => Logger): Logger {
  return new LazyLogger(make)
}

class LazyLogger implements Logger {
  #make: () => Logger
  #log: Logger | undefined

  constructor(make: () => Logger) {
    this.#make = make
  }

  #made(): Logger {
    return (this.#log ??= this.#make())
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
