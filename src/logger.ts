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

/**
 * A line's severity, least to most severe. A logger writes the lines at its
 * level and above and drops the rest.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
/**
 * The structured data of a line, written as members of its JSON object
 * beside `level`, `time` and `msg`. Any value is allowed: errors, bigints
 * and cycles are written as data, never thrown.
 */
export type LogFields = Record<string, unknown>

/**
 * The logger handlers see as `ctx.log`, and that adapters and middleware
 * write through: four levels and `child`, nothing tied to one provider, so
 * any logging library can stand behind it.
 *
 * @example
 * ```ts
 * const log = ctx.log.child({ orderId: event.data.orderId })
 * log.debug('looking up the customer')
 * log.warn('payment slow', { ms: 2_400 })
 * ```
 */
export interface Logger {
  /** Detail for diagnosing a problem; dropped unless the level is `debug`. */
  debug(message: string, fields?: LogFields): void
  /** Something that happened as it should. */
  info(message: string, fields?: LogFields): void
  /** Something unexpected that the code got past: a dropped event, a slow dependency. */
  warn(message: string, fields?: LogFields): void
  /** A failure that needs attention: an event that will be retried, a broken deployment. */
  error(message: string, fields?: LogFields): void
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger
}

/** Where finished lines go; one call per line. */
export type LogSink = (line: string, level: LogLevel) => void

/** What {@link createLogger} takes: the lowest level written, where lines go, and the clock for `time`. */
export interface LoggerOptions {
  /**
   * @defaultValue the first of `FAASADE_LOG_LEVEL`, `AWS_LAMBDA_LOG_LEVEL` (Lambda's application log
   * level) and `LOG_LEVEL` that names a level (any case; `trace` is `debug`, `fatal` is `error`), where there is a process environment; else `'info'`. The same order on
   * every adapter. A `level` given that names none is passed over the same way.
   */
  level?: LogLevel
  /** @defaultValue `console.log` (every provider collects standard output) */
  sink?: LogSink
  /** @defaultValue `Date.now` */
  now?: () => number
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }
// The rank of each name a level goes by (Lambda's TRACE and FATAL too). Written out as
// RANK is, not spread from it: the repeat costs a gzipped bundle (a Worker's) nothing.
const NAMED: Record<string, number> = { debug: 10, info: 20, warn: 30, error: 40, trace: 10, fatal: 40 }

/**
 * Creates a JSON logger.
 *
 * A log call never throws, whatever its fields hold: errors, bigints and
 * cycles are written as data; objects nested more than 64 deep end in
 * `'[depth limit]'`; a member whose getter, Proxy trap or `toJSON` throws is
 * written as `'[unserialisable: …]'` and the rest of the line still comes
 * out. (What the sink itself throws is the sink's to handle.)
 *
 * @example
 * ```ts
 * import { createLogger } from 'faasade'
 * const log = createLogger({ level: 'debug' }).child({ service: 'orders' })
 * log.info('received', { body: JSON.parse(rawBody) }) // any depth: cut, not thrown
 * ```
 */
export function createLogger(options: LoggerOptions = {}, bindings: LogFields = {}): Logger {
  // The option, else the first variable that names a level where there is a
  // process environment (Node; Workers have none), else 'info': one order for every adapter.
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {}
  // A value that names no level (one given from JavaScript too) is passed over.
  const min = [options.level, env.FAASADE_LOG_LEVEL, env.AWS_LAMBDA_LOG_LEVEL, env.LOG_LEVEL].map((name) => NAMED[String(name).toLowerCase()]).find(Boolean) ?? 20 // info
  const sink = options.sink ?? ((line) => console.log(line))
  const now = options.now ?? Date.now
  // A child shares its parent's level, sink and clock: only the bindings grow.
  const make = (bound: LogFields): Logger => {
    const logger: Partial<Logger> = {
      child: (fields) => {
        let next: LogFields
        try {
          next = { ...bound, ...fields }
        } catch {
          // A getter or Proxy among the fields threw: bind what could be read.
          next = JSON.parse(fieldByField(bound, fields)) as LogFields
        }
        return make(next)
      },
    }
    for (const [level, rank] of Object.entries(RANK) as Array<[LogLevel, number]>) {
      // A log call must never throw: the handler would fail, and its delivery be
      // retried, for a line. Whatever the fields hold, a line with the message comes out.
      logger[level] = (message, fields) => {
        if (rank < min) return
        let time: string
        try {
          time = new Date(now()).toISOString()
        } catch {
          time = new Date().toISOString()
        }
        let line: string | undefined
        try {
          line = safeStringify({ level, time, msg: message, ...bound, ...fields })
        } catch {
          // A getter, Proxy or toJSON threw: the slow path below writes what it can.
        }
        // Not an object: a `toJSON` among the fields replaced the whole line.
        sink(line?.[0] === '{' ? line : fieldByField({ level, time, msg: message }, bound, fields), level)
      }
    }
    return logger as Logger
  }
  return make(bindings)
}

/** Objects nested deeper than this (the line itself is level 1) are written as `'[depth limit]'`. */
const MAX_DEPTH = 64

/**
 * The slow path, for a line that did not serialise whole: each member is read
 * and written on its own, one that throws as a short marker, so the others
 * (and the heading) still reach the log.
 */
function fieldByField(...sources: Array<LogFields | undefined>): string {
  const members = new Map<string, string | undefined>()
  for (const source of sources) {
    try {
      for (const key of Object.keys(source ?? {})) {
        let json: string | undefined
        try {
          json = safeStringify(source![key])
        } catch (error) {
          json = marker(error)
        }
        members.set(key, json)
      }
    } catch (error) {
      members.set('logError', marker(error))
    }
  }
  // As JSON does: a member that writes as nothing is left out; a later one wins its place.
  let line = ''
  for (const [key, json] of members) if (json !== undefined) line += `,${safeStringify(key)}:${json}`
  return `{${line.slice(1)}}`
}

/** What a value that threw is written as: what it threw, short (and scrubbed, as every string). */
function marker(error: unknown): string {
  let what: string = typeof error
  try {
    what = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
  } catch {
    // Even describing it threw: its type will do.
  }
  return safeStringify(`[unserialisable: ${what.slice(0, 200)}]`)!
}

/**
 * JSON that survives errors, bigints, cycles and any depth instead of throwing
 * mid-log, with registered secrets scrubbed from each value (`redact.ts`).
 *
 * Depth is counted in the walk that writes the line, not in a walk of its
 * own: `open` holds the objects being written, outermost first, and the
 * holder (`this`) of each value is the last of them once those already
 * finished are dropped. An object met before is written as `[circular]`,
 * which also stops a graph of shared objects from being written out
 * exponentially.
 */
function safeStringify(value: unknown): string | undefined {
  const seen = new WeakSet<object>()
  const open: object[] = []
  return JSON.stringify(value, function (this: object, _key: string, v: unknown) {
    if (typeof v === 'bigint') v = v.toString()
    else if (typeof v === 'object' && v !== null) {
      if (seen.has(v)) return '[circular]'
      seen.add(v)
      while (open.length > 0 && open[open.length - 1] !== this) open.pop()
      if (open.length >= MAX_DEPTH) return '[depth limit]'
      // Members left undefined are left out of the line, as JSON does.
      if (v instanceof Error) v = { name: v.name, message: v.message, stack: v.stack || undefined, status: (v as { status?: unknown }).status, cause: v.cause }
      // What is returned (a stand-in, a copy with scrubbed keys) holds the members written next.
      if (scrubber.scrub) v = scrubber.scrub(v)
      if (typeof v === 'object' && v !== null) open.push(v)
      return v
    }
    return scrubber.scrub ? scrubber.scrub(v) : v
  })
}
