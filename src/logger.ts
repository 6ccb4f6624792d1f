/**
 * A structured logger with a small interface: one JSON object a line, so
 * CloudWatch, Cloud Logging, Azure Monitor and Workers Logs all index the
 * fields. The observability middleware grows it; handlers only see `Logger`.
 *
 * @example
 * ```ts
 * ctx.log.info('charging', { orderId: event.data.orderId })
 * // {"level":"info","time":"…","msg":"charging","eventId":"…","orderId":"A1"}
 * ```
 */
import { scrubber } from './redact.js'

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
export type LogFields = Record<string, unknown>

export interface Logger {
  debug(message: string, fields?: LogFields): void
  info(message: string, fields?: LogFields): void
  warn(message: string, fields?: LogFields): void
  error(message: string, fields?: LogFields): void
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger
}

/** Where finished lines go; one call per line. */
export type LogSink = (line: string, level: LogLevel) => void

export interface LoggerOptions {
  /** @defaultValue `LOG_LEVEL` from the environment, else `'info'` */
  level?: LogLevel
  /** @defaultValue `console.log` (every provider collects standard output) */
  sink?: LogSink
  /** @defaultValue `Date.now` */
  now?: () => number
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }

/** Creates a JSON logger. */
export function createLogger(options: LoggerOptions = {}, bindings: LogFields = {}): Logger {
  // The option, else FAASADE_LOG_LEVEL or LOG_LEVEL where there is a process
  // environment (Node; Workers have none); a level we do not know is 'info'.
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env
  const wanted = options.level ?? (env?.FAASADE_LOG_LEVEL ?? env?.LOG_LEVEL ?? 'info').toLowerCase()
  const min = RANK[wanted in RANK ? (wanted as LogLevel) : 'info']
  const sink = options.sink ?? ((line) => console.log(line))
  const now = options.now ?? Date.now
  // A child shares its parent's level, sink and clock: only the bindings grow.
  const make = (bound: LogFields): Logger => {
    const logger: Partial<Logger> = { child: (fields) => make({ ...bound, ...fields }) }
    for (const [level, rank] of Object.entries(RANK) as Array<[LogLevel, number]>) {
      logger[level] = (message, fields) => {
        if (rank < min) return
        const time = new Date(now()).toISOString()
        // A `toJSON` among the fields would make the whole line nothing: keep its heading then.
        sink(safeStringify({ level, time, msg: message, ...bound, ...fields }) ?? JSON.stringify({ level, time, msg: message }), level)
      }
    }
    return logger as Logger
  }
  return make(bindings)
}

/**
 * JSON that survives errors, bigints and cycles instead of throwing mid-log,
 * with registered secrets scrubbed from each value (`redact.ts`).
 */
function safeStringify(value: unknown): string {
  const seen = new WeakSet<object>()
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') v = v.toString()
    // Members left undefined are left out of the line, as JSON does.
    else if (v instanceof Error) return { name: v.name, message: v.message, stack: v.stack || undefined, status: (v as { status?: unknown }).status, cause: v.cause }
    else if (typeof v === 'object' && v !== null) {
      if (seen.has(v)) return '[circular]'
      seen.add(v)
    }
    return scrubber.scrub ? scrubber.scrub(v) : v
  })
}
