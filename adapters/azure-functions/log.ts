/**
 * Log lines through the invocation's own `InvocationContext`: what
 * `context.log`/`warn`/`error`/`debug` write reaches the host tagged with
 * the invocation, so Application Insights files it under that invocation
 * and level; a `console.log` line is not tied to any invocation.
 */
import { createLogger, type LogLevel, type Logger } from '../../src/logger.js'
import type { InvocationContext } from './azure-types.js'

/**
 * A logger whose lines go through `context`'s method for their level
 * (`info` through `context.log`).
 *
 * @example
 * ```ts
 * contextLogger(context).warn('slow', { ms: 900 })   // context.warn('{"level":"warn","msg":"slow","ms":900,…}')
 * ```
 */
export function contextLogger(context: Pick<InvocationContext, 'log' | 'warn' | 'error' | 'debug'>): Logger {
  return createLogger({
    sink: (line, level) => {
      // A sink must not throw into the delivery: a context whose methods fail loses the line, not the event.
      try {
        write(context, level, line)
      } catch {}
    },
  })
}

function write(context: Pick<InvocationContext, 'log' | 'warn' | 'error' | 'debug'>, level: LogLevel, line: string): void {
  if (level === 'error') context.error(line)
  else if (level === 'warn') context.warn(line)
  else if (level === 'debug') context.debug(line)
  else context.log(line)
}
