/**
 * How faasade's log lines leave a Lambda function, and what they carry.
 *
 * The default logger writes to standard output, not through `console`. The
 * Node.js runtime patches `console`: in the text log format it puts a time,
 * the request id and a level in front of each line, and in the JSON log
 * format it wraps the whole line, as a string, in a `message` member of its
 * own object. Either way a JSON line stops being JSON to CloudWatch Logs
 * Insights, subscription filters and log shippers, and every line counts as
 * INFO for Lambda's log-level filtering. Written to standard output, a line
 * arrives as it was written, and Lambda's JSON format reads its `level` and
 * `timestamp` itself. Powertools made the same change
 * (aws-powertools/powertools-lambda-typescript#747).
 *
 * With no runtime prefix, each line carries the invocation's `requestId`.
 */
import { createLogger, type LogFields, type Logger, type LogLevel, type LogSink } from '../../src/logger.js'

/** Lambda's application log levels (`AWS_LAMBDA_LOG_LEVEL`) as the core logger's. */
const LAMBDA_LEVELS: Record<string, LogLevel> = { TRACE: 'debug', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error', FATAL: 'error' }

/**
 * The logger `toLambda` uses when given none: JSON lines on standard output.
 * Its level is `FAASADE_LOG_LEVEL`, else the function's application log
 * level (`AWS_LAMBDA_LOG_LEVEL`, set with the JSON log format), else
 * `LOG_LEVEL`, else `info`.
 */
export function createLambdaLogger(sink: LogSink = lambdaSink): Logger {
  const env = process.env
  const level = env.FAASADE_LOG_LEVEL === undefined ? LAMBDA_LEVELS[env.AWS_LAMBDA_LOG_LEVEL?.toUpperCase() ?? ''] : undefined
  return createLogger({ level, sink })
}

/** Where the default logger's lines go on Lambda. */
export const lambdaSink: LogSink = (line, level) => writeLine(lambdaLine(line, level))

/**
 * A core logger's line with its time under the key Lambda's runtimes use,
 * `timestamp` (the JSON log format wants one to file the line by its level).
 * The core writes `level` then `time` first in every line; a line that
 * starts otherwise passes unchanged.
 *
 * @example
 * ```ts
 * lambdaLine('{"level":"info","time":"2026-11-24T08:00:00.000Z","msg":"hi"}', 'info')
 * // '{"level":"info","timestamp":"2026-11-24T08:00:00.000Z","msg":"hi"}'
 * ```
 */
export function lambdaLine(line: string, level: LogLevel): string {
  const head = `{"level":"${level}","time":`
  return line.startsWith(head) ? `{"level":"${level}","timestamp":${line.slice(head.length)}` : line
}

/**
 * Writes one line to standard output, whole, before returning: Lambda may
 * freeze the instance as soon as the handler's promise settles. What a full
 * non-blocking pipe refuses (EAGAIN) goes through `process.stdout`, which
 * queues it.
 *
 * `fs` is taken with `process.getBuiltinModule` (Node 20.16+), on the first
 * line: a static `import 'node:fs'` cost every cold start 1.2 ms, the ES
 * module facade of a built-in being that slow to make.
 */
export function writeLine(line: string, fd = 1): void {
  const bytes = Buffer.from(`${line}\n`)
  let written = 0
  try {
    const { writeSync } = process.getBuiltinModule('fs')
    while (written < bytes.length) written += writeSync(fd, bytes, written)
  } catch {
    process.stdout.write(bytes.subarray(written))
  }
}

/**
 * A logger whose lines carry `fields`, with the child made on the first
 * line: most records and invocations log nothing, and making a child for
 * each record of a batch costs more than the rest of its mapping.
 */
export class LazyChildLogger implements Logger {
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
