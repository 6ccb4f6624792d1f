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
 * In Lambda the runtime's `console` writes to a descriptor of its own, so
 * its lines and these may reach CloudWatch in another order than written.
 */
import { createLogger, type Logger, type LogLevel, type LogSink } from '../../src/logger.js'

/**
 * The logger `toLambda` uses when given none: JSON lines on standard output.
 * Its level is the core logger's, resolved as on every adapter: the first of
 * `FAASADE_LOG_LEVEL`, the function's application log level
 * (`AWS_LAMBDA_LOG_LEVEL`, set with the JSON log format, its TRACE and
 * FATAL read as debug and error) and `LOG_LEVEL` that names one; else `info`.
 */
export function createLambdaLogger(sink: LogSink = lambdaSink): Logger {
  return createLogger({ sink })
}

/** Where the default logger's lines go on Lambda. */
export const lambdaSink: LogSink = (line, level) => writeLine(lambdaLine(line, level))

/**
 * A core logger's line with its time under the key Lambda's runtimes use,
 * `timestamp`: the JSON log format files a line with no valid timestamp as
 * INFO, whatever its `level`. The core writes `level` then `time` first, so
 * most lines need only their head changed; a line that starts otherwise (a
 * field with an index-like name, such as `404`, is written first) is parsed
 * and written again.
 *
 * @example
 * ```ts
 * lambdaLine('{"level":"info","time":"2026-11-24T08:00:00.000Z","msg":"hi"}', 'info')
 * // '{"level":"info","timestamp":"2026-11-24T08:00:00.000Z","msg":"hi"}'
 * ```
 */
export function lambdaLine(line: string, level: LogLevel): string {
  const head = `{"level":"${level}","time":`
  if (line.startsWith(head)) return `{"level":"${level}","timestamp":${line.slice(head.length)}`
  try {
    const { time, ...rest } = JSON.parse(line) as Record<string, unknown>
    return time === undefined ? line : JSON.stringify({ level: rest.level, timestamp: time, ...rest })
  } catch {
    return line
  }
}

// Set once part of a line waits in `process.stdout`: later lines queue behind it.
let queued = false

/**
 * Writes one line to standard output, whole, before returning: Lambda may
 * freeze the instance as soon as the handler's promise settles.
 *
 * Once `process.stdout` has opened a pipe, libuv has made the descriptor
 * non-blocking, and a line longer than the pipe's free space is written in
 * part, then refused (EAGAIN). The rest goes to `process.stdout`, which
 * queues it, and every later line follows it there until the queue is
 * empty, so that no line is split by another.
 *
 * `fs` comes from `process.getBuiltinModule` (Node 20.16+): a static
 * `import 'node:fs'` cost every cold start 1.2 ms, the ES module facade of a
 * built-in being that slow to make. Without it, lines go to `process.stdout`.
 */
export function writeLine(line: string): void {
  const bytes = Buffer.from(`${line}\n`)
  if (queued && process.stdout.writableLength > 0) {
    process.stdout.write(bytes)
    return
  }
  queued = false
  let written = 0
  try {
    const { writeSync } = process.getBuiltinModule('fs')
    while (written < bytes.length) written += writeSync(1, bytes, written)
  } catch {
    queued = true
    process.stdout.write(bytes.subarray(written))
  }
}
