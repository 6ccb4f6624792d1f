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
  fetch(request: Request, env?: unknown, executionContext?: unknown): Response | Promise<Response>
}

export interface Service {
  readonly kind: 'faasade.service'
  readonly http: HttpApp | undefined
  readonly events: readonly Handler<unknown, unknown>[]
  /** The first handler, in `events` order, that accepts the event. */
  route(event: Pick<CloudEvent, 'type' | 'source'>): Handler<unknown, unknown> | undefined
}

/** What an adapter accepts. */
export type Target = Handler<unknown, unknown> | Service | HttpApp

export interface ServiceDefinition {
  http?: HttpApp
  events?: readonly Handler<unknown, unknown>[]
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
 * ```
 */
export function defineService(definition: ServiceDefinition): Service {
  for (const key of Object.keys(definition)) {
    if (key !== 'http' && key !== 'events') throw new ConfigurationError(`defineService: unknown option "${key}"; known options: http, events`)
  }
  const { http, events = [] } = definition
  if (http !== undefined && typeof http.fetch !== 'function') throw new ConfigurationError('defineService: `http` must have a fetch(request) method (a Hono app)')
  for (const [i, h] of events.entries()) {
    if (!isHandler(h)) throw new ConfigurationError(`defineService: events[${i}] is not made by defineHandler`)
  }
  if (http === undefined && events.length === 0) throw new ConfigurationError('defineService: give an `http` app, `events` handlers, or both')
  return serviceOf(http, events)
}

// Without the checks: for `toService`, whose target is already known good,
// so that a Worker made from a lone handler does not ship `defineService`'s.
function serviceOf(http: HttpApp | undefined, events: readonly Handler<unknown, unknown>[]): Service {
  return Object.freeze({
    kind: 'faasade.service' as const,
    http,
    events,
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
 * Whether an HTTP request goes to the service's event handlers (it carries
 * CloudEvents in one of the binding's modes, and there are handlers to take
 * them) rather than to its app. Every HTTP door asks this one function. An
 * app with no event handlers gets every request: one may read `ce-*`
 * headers itself.
 *
 * @example
 * ```ts
 * wantsEvents(service, { 'ce-specversion': '1.0', 'ce-id': '1', … })   // true when service.events is not empty
 * ```
 */
export function wantsEvents(service: Service, headers: Readonly<Record<string, string | undefined>>): boolean {
  return service.events.length > 0 && cloudEventMode(headers) !== undefined
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
