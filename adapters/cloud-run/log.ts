/**
 * Log lines as Cloud Logging reads them. Cloud Run files each line of
 * standard output; a line that is a JSON object becomes a structured entry,
 * whose `severity` sets the entry's level (else every line is DEFAULT) and
 * whose `message` is what the Logs Explorer shows. The core logger writes
 * `level` and `msg`, so the default sink renames them. An entry with
 * `logging.googleapis.com/trace` (`projects/<project>/traces/<trace id>`)
 * is grouped under the request that Cloud Run logged for the same trace:
 * each request's logger carries it ({@link traceFields}).
 */
import { createLogger, type Logger, type LogLevel, type LogSink } from '../../src/logger.js'

const SEVERITY: Record<LogLevel, string> = { debug: 'DEBUG', info: 'INFO', warn: 'WARNING', error: 'ERROR' }

/**
 * A core logger's line with Cloud Logging's names: `severity` (DEBUG, INFO,
 * WARNING, ERROR) for `level`, `message` for `msg`. The core writes `level`,
 * `time` and `msg` first, so most lines need only their head changed; a
 * line that starts otherwise is parsed and written again.
 *
 * @example
 * ```ts
 * cloudRunLine('{"level":"warn","time":"2026-11-24T08:00:00.000Z","msg":"slow","ms":900}', 'warn')
 * // '{"severity":"WARNING","time":"2026-11-24T08:00:00.000Z","message":"slow","ms":900}'
 * ```
 */
export function cloudRunLine(line: string, level: LogLevel): string {
  const severity = SEVERITY[level]
  const head = `{"level":"${level}","time":"`
  if (line.startsWith(head)) {
    // The time is an RFC 3339 string: no quote inside.
    const timeEnd = line.indexOf('"', head.length) + 1
    if (timeEnd > 0 && line.startsWith(',"msg":', timeEnd)) {
      return `{"severity":"${severity}","time":${line.slice(head.length - 1, timeEnd)},"message":${line.slice(timeEnd + 7)}`
    }
  }
  try {
    const { level: _level, msg, ...rest } = JSON.parse(line) as Record<string, unknown>
    return JSON.stringify({ severity, ...(msg === undefined ? {} : { message: msg }), ...rest })
  } catch {
    return line
  }
}

/** Where the default logger's lines go on Cloud Run: standard output, one JSON object a line. */
export const cloudRunSink: LogSink = (line, level) => void process.stdout.write(`${cloudRunLine(line, level)}\n`)

/**
 * The logger `serve`, `createServer` and `toHttpFunction` use when given
 * none: JSON lines on standard output with Cloud Logging's `severity` and
 * `message`, at the level every adapter resolves the same way (`LoggerOptions.level`:
 * `FAASADE_LOG_LEVEL`, `AWS_LAMBDA_LOG_LEVEL`, `LOG_LEVEL`, else info).
 *
 * @example
 * ```ts
 * createCloudRunLogger().info('ready', { port: 8080 })
 * // {"severity":"INFO","time":"…","message":"ready","port":8080}
 * ```
 */
export function createCloudRunLogger(sink: LogSink = cloudRunSink): Logger {
  return createLogger({ sink })
}

/**
 * The fields that tie a request's log lines to its trace in Cloud Logging:
 * from `traceparent` (W3C), else `X-Cloud-Trace-Context`
 * (`TRACE_ID/SPAN_ID;o=1`, which Cloud Run sets on every request). Empty
 * without a project id, which the trace's resource name needs.
 *
 * @example
 * ```ts
 * traceFields({ 'x-cloud-trace-context': '9df407335d114d56ea27ee69ff12943f/17236816549570278484;o=1' }, 'my-project')
 * // { 'logging.googleapis.com/trace': 'projects/my-project/traces/9df407335d114d56ea27ee69ff12943f',
 * //   'logging.googleapis.com/spanId': 'ef357953c7b5f454', 'logging.googleapis.com/trace_sampled': true }
 * ```
 */
export function traceFields(headers: Readonly<Record<string, string | undefined>>, projectId: string | undefined): Record<string, string | boolean> {
  if (!projectId) return {}
  const w3c = /^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})/.exec(headers.traceparent ?? '')
  if (w3c && !/^0+$/.test(w3c[1]!)) {
    return { 'logging.googleapis.com/trace': `projects/${projectId}/traces/${w3c[1]}`, 'logging.googleapis.com/spanId': w3c[2]!, 'logging.googleapis.com/trace_sampled': (parseInt(w3c[3]!, 16) & 1) === 1 }
  }
  const google = /^([0-9a-fA-F]{32})(?:\/(\d{1,20}))?(?:;o=([01]))?/.exec(headers['x-cloud-trace-context'] ?? '')
  if (!google) return {}
  const fields: Record<string, string | boolean> = { 'logging.googleapis.com/trace': `projects/${projectId}/traces/${google[1]!.toLowerCase()}` }
  // The span id is decimal here and hexadecimal (16 digits) in Cloud Logging.
  const span = google[2] === undefined ? undefined : BigInt(google[2])
  if (span !== undefined && span > 0n && span < 2n ** 64n) fields['logging.googleapis.com/spanId'] = span.toString(16).padStart(16, '0')
  if (google[3] !== undefined) fields['logging.googleapis.com/trace_sampled'] = google[3] === '1'
  return fields
}
