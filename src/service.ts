/**
 * A deployable unit: an HTTP API (a Hono app, or anything with `fetch`) and
 * the event handlers that CloudEvents are routed to by `type` and `source`.
 * Every adapter takes a handler, an app or a service, and turns the first two
 * into a service with {@link toService}.
 */
import type { Context } from './context.js'
import { ConfigurationError, NoHandlerError } from './errors.js'
import type { CloudEvent } from './event.js'
import { isHandler, type Handler } from './handler.js'
import { cloudEventMode } from './http/decode.js'

/** An HTTP app in the web-standard shape, as Hono's `app.fetch` is. */
export interface HttpApp {
  // `env` and the execution context are whatever the platform passes (Hono
  // types them per app): `unknown` here, so that any app's `fetch` fits.
  /**
   * Answers one HTTP request. Adapters call it for every request that is not
   * CloudEvents for the event handlers, passing the platform's bindings and
   * execution context where it has them.
   */
  fetch(request: Request, env?: unknown, executionContext?: unknown): Response | Promise<Response>
}

/**
 * A service as {@link defineService} makes it: an HTTP app, event handlers,
 * or both, with the routing between them decided once. Every adapter serves
 * one; a lone handler or app becomes one through {@link toService}.
 */
export interface Service {
  /** Marks a service, for {@link isService}. */
  readonly kind: 'faasade.service'
  /** The HTTP app, if the service has one. */
  readonly http: HttpApp | undefined
  /** The event handlers, in the order they are tried. */
  readonly events: readonly Handler<unknown, unknown>[]
  /**
   * The first handler, in `events` order, that accepts the event. A readonly
   * property, not a method, as every member: a service is frozen, so
   * assigning to it is a type error rather than a throw at run time.
   */
  readonly route: (event: Pick<CloudEvent, 'type' | 'source'>) => Handler<unknown, unknown> | undefined
  /** Where CloudEvents over HTTP reach the handlers, in a service that also has an app. */
  readonly cloudEvents: CloudEventsRoute | undefined
}

/** The parts of an HTTP request that decide where it goes. */
export interface RequestLine {
  readonly method: string
  /** The path, without the query string. */
  readonly path: string
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string | undefined>>
}

/**
 * Where, in a service that has an HTTP app, CloudEvents over HTTP go to the
 * event handlers, and who may send them. Elsewhere every request is the
 * app's: a request with `ce-*` headers on any other route never runs a
 * handler, and the app's own auth middleware is never bypassed.
 */
export interface CloudEventsRoute {
  /** The paths (exact, no query string) where the handlers take CloudEvents: `'/events'`. */
  readonly path: string | readonly string[]
  /** @defaultValue `['POST']` */
  readonly methods?: readonly string[]
  /**
   * Decides whether a delivery is allowed: a shared secret, a signature
   * (Event Grid's, a Pub/Sub push token), a network check. A delivery it
   * refuses gets a 401 problem and runs nothing.
   * @defaultValue every delivery is allowed
   */
  readonly authorize?: (request: RequestLine) => boolean | Promise<boolean>
}

/** What an adapter accepts. */
export type Target = Handler<unknown, unknown> | Service | HttpApp

/**
 * What {@link defineService} takes: an HTTP app, event handlers, or both,
 * and, with both, the route on which CloudEvents over HTTP reach the
 * handlers.
 */
export interface ServiceDefinition {
  /** The HTTP app (a Hono app, or anything with `fetch`). */
  http?: HttpApp
  /** The event handlers; an event goes to the first whose filters accept it. */
  events?: readonly Handler<unknown, unknown>[]
  /**
   * Where CloudEvents over HTTP reach `events` when there is an `http` app
   * too. Without it, in such a service, every HTTP request goes to the app:
   * the handlers still take the platform's own event triggers (a queue, a
   * stream), but no HTTP client can reach them around the app's routes and
   * auth. A service with no app takes CloudEvents on any path.
   */
  cloudEvents?: CloudEventsRoute
}

/**
 * Defines a service. Events go to the first handler whose `type`/`source`
 * filters accept them, so list specific handlers before catch-alls.
 *
 * @example
 * ```ts
 * import { defineService } from 'faasade'
 * import { Hono } from 'hono'
 * const http = new Hono().get('/health', (c) => c.json({ ok: true }))
 * export const service = defineService({ http, events: [orderPlaced, orderCancelled] })
 * // CloudEvents over HTTP too, on one path, from senders that know a shared token:
 * export const open = defineService({
 *   http,
 *   events: [orderPlaced],
 *   cloudEvents: { path: '/events', authorize: (r) => r.headers.authorization === `Bearer ${process.env.EVENTS_TOKEN}` },
 * })
 * ```
 */
export function defineService(definition: ServiceDefinition): Service {
  for (const key of Object.keys(definition)) {
    if (key !== 'http' && key !== 'events' && key !== 'cloudEvents') throw new ConfigurationError(`defineService: unknown option "${key}"; known options: http, events, cloudEvents`)
  }
  const { http, events = [], cloudEvents } = definition
  if (cloudEvents !== undefined) checkRoute(cloudEvents)
  if (http !== undefined && typeof http.fetch !== 'function') throw new ConfigurationError('defineService: `http` must have a fetch(request) method (a Hono app)')
  for (const [i, h] of events.entries()) {
    if (!isHandler(h)) throw new ConfigurationError(`defineService: events[${i}] is not made by defineHandler`)
  }
  if (http === undefined && events.length === 0) throw new ConfigurationError('defineService: give an `http` app, `events` handlers, or both')
  return serviceOf(http, events, cloudEvents)
}

function checkRoute(route: CloudEventsRoute): void {
  const paths = typeof route?.path === 'string' ? [route.path] : route?.path
  if (!Array.isArray(paths) || paths.length === 0 || !paths.every((p) => typeof p === 'string' && p.startsWith('/'))) {
    throw new ConfigurationError('defineService: cloudEvents.path must be a path starting with / (or a non-empty list of them)')
  }
  if (route.methods !== undefined && !(Array.isArray(route.methods) && route.methods.every((m) => typeof m === 'string' && m !== ''))) throw new ConfigurationError('defineService: cloudEvents.methods must be a list of method names')
  if (route.authorize !== undefined && typeof route.authorize !== 'function') throw new ConfigurationError('defineService: cloudEvents.authorize must be a function')
}

// Without the checks: for `toService`, whose target is already known good,
// so that a Worker made from a lone handler does not ship `defineService`'s.
function serviceOf(http: HttpApp | undefined, events: readonly Handler<unknown, unknown>[], cloudEvents?: CloudEventsRoute): Service {
  return Object.freeze({
    kind: 'faasade.service' as const,
    http,
    events,
    cloudEvents,
    route: (event: Pick<CloudEvent, 'type' | 'source'>) => events.find((h) => h.accepts(event)),
  })
}

/** True for a value made by {@link defineService}. */
export function isService(value: unknown): value is Service {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'faasade.service'
}

/** A handler, app or service as a service. */
export function toService(target: Target): Service {
  if (isService(target)) return target
  if (isHandler(target)) return serviceOf(undefined, [target])
  if (typeof (target as HttpApp | undefined)?.fetch === 'function') return serviceOf(target as HttpApp, [])
  throw new ConfigurationError('Expected a handler (defineHandler), a service (defineService) or an HTTP app with fetch()')
}

/**
 * Whether an HTTP request goes to the service's event handlers rather than
 * to its app: it carries CloudEvents in one of the binding's modes, there
 * are handlers to take them, and, when the service has an app too, it
 * came to the service's `cloudEvents` route. Every HTTP door asks this one
 * function. An app with no event handlers gets every request: one may read
 * `ce-*` headers itself.
 *
 * @example
 * ```ts
 * wantsEvents(service, { method: 'POST', path: '/events', headers: { 'ce-specversion': '1.0', … } })
 * ```
 */
export function wantsEvents(service: Service, request: RequestLine): boolean {
  if (service.events.length === 0 || cloudEventMode(request.headers) === undefined) return false
  if (service.http === undefined) return true
  const route = service.cloudEvents
  if (route === undefined) return false
  const paths: readonly string[] = typeof route.path === 'string' ? [route.path] : route.path
  return paths.includes(request.path) && (route.methods ?? ['POST']).includes(request.method.toUpperCase())
}

/**
 * The path of a URL, absolute (`https://host/a/b?x=1`) or not (`/a/b?x=1`),
 * without its query string or fragment: what a `cloudEvents.path` is
 * compared with. No `URL` is built: this runs on every request.
 *
 * @example
 * ```ts
 * pathOf('https://api.example.com/events?x=1')   // '/events'
 * ```
 */
export function pathOf(url: string): string {
  const scheme = url.indexOf('://')
  const start = scheme < 0 ? 0 : url.indexOf('/', scheme + 3)
  if (start < 0) return '/'
  let end = url.length
  for (const mark of ['?', '#']) {
    const at = url.indexOf(mark, start)
    if (at >= 0 && at < end) end = at
  }
  return url.slice(start, end) || '/'
}

/**
 * Whether the service's `cloudEvents.authorize` allows a delivery that
 * {@link wantsEvents}; true when it has none. A hook that throws refuses.
 *
 * @example
 * ```ts
 * if (!(await mayDeliver(service, line))) return problemReply(new UnauthorizedError('Not allowed to deliver events'))
 * ```
 */
export async function mayDeliver(service: Service, request: RequestLine): Promise<boolean> {
  const authorize = service.cloudEvents?.authorize
  if (authorize === undefined) return true
  try {
    return (await authorize(request)) === true
  } catch {
    return false
  }
}

/** Runs the handler that accepts `event`, or throws {@link NoHandlerError}. */
export function dispatch(service: Service, event: CloudEvent, ctx: Context): Promise<unknown> {
  const handler = service.route(event)
  if (!handler) {
    return Promise.reject(
      new NoHandlerError(`No handler accepts events of type "${event.type}"`, { detail: `No handler accepts events of type "${event.type}" from "${event.source}"` }),
    )
  }
  return handler.run(event, ctx)
}
