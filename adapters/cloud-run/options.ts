/**
 * The options of the Cloud Run doors: the kit's, under the kit's names, and
 * Cloud Run's own; checked when the module loads, so that a typo fails the
 * deploy (the revision never becomes ready) instead of changing a semantic.
 */
import { checkAdapterOptions, isMapper, type AdapterOptions } from '../../src/adapter/index.js'
import { ConfigurationError } from '../../src/errors.js'
import type { CloudRunMapper } from './mapper.js'

/**
 * Options of every Cloud Run door (`createServer`, `serve`,
 * `toHttpFunction`): those of every adapter (`faasade/adapter`), and Cloud
 * Run's own. On Cloud Run:
 * - `onDrop` defaults to `'dead-letter'`: a dropped Pub/Sub message, task
 *   or Scheduler run gets its 4xx problem, so Pub/Sub redelivers it (with
 *   backoff) until the subscription's dead-letter topic takes it, and Cloud
 *   Tasks until the queue's retry limit; `'ack'` logs it and answers 204.
 * - `maxBodyBytes` defaults to 32 MiB, Cloud Run's own limit for an HTTP/1
 *   request (a 10 MB Pub/Sub message is 13.4 MB in base64); a larger body
 *   gets a 413 before it is read.
 * - `timeoutMarginMs` counts back from the request's timeout (`timeoutSeconds`).
 * - `log` defaults to JSON lines on standard output with Cloud Logging's
 *   `severity` and `message`.
 * - `mappers` are tried before {@link CloudRunOptions.triggers}.
 */
export interface CloudRunOptions extends AdapterOptions<CloudRunMapper> {
  /**
   * The built-in triggers to map (`faasade/cloud-run` exports each). They
   * are used only when the service has event handlers: a service that is
   * only an HTTP app gets every request as it came. Pass `[]` to serve
   * every request as the kit does (CloudEvents over HTTP, else the app).
   * @defaultValue `BUILT_IN_MAPPERS`: Eventarc Pub/Sub, Pub/Sub push, Cloud Tasks, Cloud Scheduler
   */
  triggers?: readonly CloudRunMapper[]
  /**
   * Seconds a request may run: the service's `--timeout`, which Cloud Run
   * does not tell the container. `ctx.deadline` is this long after the
   * request arrived, less `timeoutMarginMs`.
   * @defaultValue `CLOUD_RUN_TIMEOUT_SECONDS` from the environment, else 300 (Cloud Run's default)
   */
  timeoutSeconds?: number
  /**
   * The project whose traces log lines are tied to (`logging.googleapis.com/trace`).
   * @defaultValue `GOOGLE_CLOUD_PROJECT`, else `GCLOUD_PROJECT`, from the environment; without one, no trace fields
   */
  projectId?: string
  /**
   * Liveness and readiness paths answered before the app sees the request
   * (GET or HEAD; `false` for none). Readiness answers 503 once the server
   * is shutting down. The defaults avoid paths ending in `z` (`/healthz`),
   * some of which Cloud Run's front end keeps for itself.
   * @defaultValue `{ live: '/_health/live', ready: '/_health/ready' }`
   */
  health?: HealthPaths | false
}

/** The paths of the liveness and readiness endpoints; `false` leaves one out. */
export interface HealthPaths {
  live?: string | false
  ready?: string | false
}

/** A function run when the server shuts down, after the requests in flight ended (close pools, flush buffers). */
export type ShutdownHook = () => void | Promise<void>

/** Options of `serve`: those of {@link CloudRunOptions}, and the process's own. */
export interface CloudRunServeOptions extends CloudRunOptions {
  /** @defaultValue `PORT` from the environment (Cloud Run sets it), else 8080 */
  port?: number
  /** @defaultValue `HOST` from the environment, else every interface, as Cloud Run requires */
  host?: string
  /**
   * Milliseconds the requests in flight at SIGTERM get to finish; then
   * their connections are closed. Cloud Run sends SIGKILL 10 s after SIGTERM.
   * @defaultValue 8000
   */
  drainTimeoutMs?: number
  /** Run once the requests in flight are done, before the process exits. */
  onShutdown?: ShutdownHook | readonly ShutdownHook[]
  /**
   * Milliseconds the shutdown hooks get, together.
   * @defaultValue 1500
   */
  hookTimeoutMs?: number
  /**
   * Signals that start the shutdown, after which the process exits; `false`
   * to install no handler (call `shutdown()` yourself).
   * @defaultValue `['SIGTERM', 'SIGINT']`
   */
  signals?: readonly ('SIGTERM' | 'SIGINT' | 'SIGHUP')[] | false
}

const CLOUD_RUN_OPTIONS = {
  mappers: (value: unknown) => eventMappers(value),
  triggers: (value: unknown) => eventMappers(value),
  timeoutSeconds: (value: unknown) => (typeof value === 'number' && value > 0 ? undefined : 'must be a number above 0'),
  projectId: (value: unknown) => (typeof value === 'string' ? undefined : 'must be a string'),
  health: (value: unknown) => {
    if (value === false) return undefined
    if (typeof value !== 'object' || value === null) return 'must be an object or false'
    for (const [key, path] of Object.entries(value)) {
      if (key !== 'live' && key !== 'ready') return `has an unknown member "${key}"; known: live, ready`
      if (path !== false && path !== undefined && (typeof path !== 'string' || !path.startsWith('/'))) return `${key} must be a path starting with / or false`
    }
    return undefined
  },
}

const SERVE_OPTIONS = {
  ...CLOUD_RUN_OPTIONS,
  port: (value: unknown) => (Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 65535 ? undefined : 'must be an integer from 0 to 65535'),
  host: (value: unknown) => (typeof value === 'string' ? undefined : 'must be a string'),
  drainTimeoutMs: (value: unknown) => (typeof value === 'number' && value >= 0 ? undefined : 'must be a number of at least 0'),
  hookTimeoutMs: (value: unknown) => (typeof value === 'number' && value >= 0 ? undefined : 'must be a number of at least 0'),
  onShutdown: (value: unknown) => ((Array.isArray(value) ? value : [value]).every((hook) => typeof hook === 'function') ? undefined : 'must be a function or an array of functions'),
  signals: (value: unknown) =>
    value === false || (Array.isArray(value) && value.every((s) => s === 'SIGTERM' || s === 'SIGINT' || s === 'SIGHUP')) ? undefined : "must be false or an array of 'SIGTERM', 'SIGINT', 'SIGHUP'",
}

/** Throws a `ConfigurationError`, starting with `who`, naming the first bad option. */
export function checkCloudRunOptions(who: string, options: CloudRunOptions): void {
  checkAdapterOptions(who, options, CLOUD_RUN_OPTIONS)
}

/** `toHttpFunction`'s options: the framework answers no health paths of ours. */
export type FunctionOptions = Omit<CloudRunOptions, 'health'>

/** Throws a `ConfigurationError` naming the first bad option of `toHttpFunction`. */
export function checkFunctionOptions(options: FunctionOptions): void {
  const { health: _health, ...checks } = CLOUD_RUN_OPTIONS
  checkAdapterOptions('toHttpFunction', options, checks)
}

/** Throws a `ConfigurationError` naming the first bad option of `serve`. */
export function checkServeOptions(options: CloudRunServeOptions): void {
  checkAdapterOptions('serve', options, SERVE_OPTIONS)
}

/**
 * The request timeout in milliseconds: the option, else
 * `CLOUD_RUN_TIMEOUT_SECONDS`, else 300 s. A variable that is not a
 * positive number fails loudly rather than leaving handlers no deadline.
 */
export function timeoutMs(options: CloudRunOptions, env: NodeJS.ProcessEnv = process.env): number {
  if (options.timeoutSeconds !== undefined) return options.timeoutSeconds * 1000
  const text = env.CLOUD_RUN_TIMEOUT_SECONDS
  if (text === undefined || text === '') return 300_000
  const seconds = Number(text)
  if (!(seconds > 0)) throw new ConfigurationError(`CLOUD_RUN_TIMEOUT_SECONDS must be a number of seconds above 0, got ${JSON.stringify(text.slice(0, 20))}`)
  return seconds * 1000
}

/** The port to listen on: the option, else `PORT`, else 8080. */
export function listenPort(options: CloudRunServeOptions, env: NodeJS.ProcessEnv = process.env): number {
  if (options.port !== undefined) return options.port
  const text = env.PORT
  if (text === undefined || text === '') return 8080
  const port = Number(text)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigurationError(`PORT must be an integer from 0 to 65535, got ${JSON.stringify(text.slice(0, 20))}`)
  return port
}

function eventMappers(value: unknown): string | undefined {
  if (!Array.isArray(value)) return 'must be an array'
  const bad = value.findIndex((m: unknown) => !isMapper(m) || m.kind !== 'events')
  return bad < 0 ? undefined : `[${bad}] is not a Cloud Run mapper: it needs kind 'events' (name, match, toEvents, reply); a request for the app needs none`
}
