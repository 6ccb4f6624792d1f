/**
 * A child logger made on its first line. Most events and invocations log
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
  return new LazyChildLogger(parent, fields)
}

class LazyChildLogger implements Logger {
  #parent: Logger
  #fields: LogFields
  #log: Logger | undefined

  constructor(parent: Logger, fields: LogFields) {
    this.#parent = parent
    this.#fields = fields
  }

  #child(): Logger {
    return (this.#log ??= this.#parent.child(this.#fields))
  }

  debug(message: string, fields?: LogFields): void {
    this.#child().debug(message, fields)
  }

  info(message: string, fields?: LogFields): void {
    this.#child().info(message, fields)
  }

  warn(message: string, fields?: LogFields): void {
    this.#child().warn(message, fields)
  }

  error(message: string, fields?: LogFields): void {
    this.#child().error(message, fields)
  }

  child(fields: LogFields): Logger {
    return this.#child().child(fields)
  }
}
