/**
 * The Hono form of `secrets({...})`: `honoSecrets(appSecrets)` puts the same
 * typed view on `c.var.secrets`, loaded through the same loader and cache
 * as `ctx.secrets` (see `loader.ts`).
 *
 * Only types come from `hono`: the `faasade/secrets` door adds no byte of
 * Hono to a bundle, and a bundle that never calls `honoSecrets` carries
 * none of this file.
 */
import type { Context as HonoContext, MiddlewareHandler } from 'hono'
import type { ProviderInfo } from '../context.js'
import { ConfigurationError, describeError, toFaasadeError, UnexpectedError, type FaasadeError } from '../errors.js'
import { problemReply, toProblem } from '../http/problem.js'
import { checkOptions } from '../middleware.js'
import { isSecretError } from './errors.js'
import { loaderOf, type LoadScope, type SecretLoader, type SecretProviders, type Secrets } from './loader.js'
import type { SecretsMiddleware } from './middleware.js'

/** The Hono `Env` the middleware declares: `c.var.secrets`. Use it to type a `Hono<…>` or a handler factory. */
export interface SecretsEnv<P extends SecretProviders> {
  Variables: { secrets: Secrets<P> }
}

/** Options of {@link honoSecrets}. */
export interface HonoSecretsOptions {
  /**
   * Answers a request whose secrets could not be loaded. The route does
   * not run. Throw the error to hand it to the app's `onError` instead.
   * @defaultValue a problem+json reply: 503 (with `Retry-After` when the provider gave one) if the failure may pass, else 500; the error is logged
   */
  onError?: (error: FaasadeError, c: HonoContext) => Response | Promise<Response>
}

const KNOWN = ['onError']
const WORKERS_PROVIDER = 'cloudflare-workers'

/**
 * The secrets of a `secrets({...})` value as Hono middleware: `c.var.secrets`,
 * typed from the providers and schemas (no cast, no declared `Env`), with
 * `refresh(name)`, from the same cache as the event form. A handler and a
 * route given one `secrets({...})` value share every fetch.
 *
 * Why a function of the `secrets({...})` value, and not a method on it or a
 * second `secretsFor(providers)`: one value is one cache, so a deployment
 * that serves events and an HTTP API fetches each secret once
 * and the two forms cannot drift apart in options; and a function
 * tree-shakes, where a method would add this file (about 2 KB minified) to
 * every event-only bundle.
 *
 * - Workers bindings: `fromEnv` reads Hono's `c.env` as it reads the
 *   Workers adapter's `ctx.provider.env` (`{ name: 'cloudflare-workers',
 *   raw: { env: c.env }, env: c.env }` is what the providers see) whenever `c.env` looks
 *   like bindings: inside workerd, or an object holding a string (as
 *   `app.request(path, init, env)` passes in tests). Elsewhere
 *   (`@hono/node-server`, Lambda) `c.env` holds request objects and
 *   `fromEnv` reads `process.env`.
 * - A secret that cannot be loaded: the route does not run and the client
 *   gets problem+json, 503 when the failure may pass (with `Retry-After`
 *   when the provider said when), else 500. Either way it is the server's
 *   fault, never the client's (not the 422 or 429 of the event form). The
 *   body names no secret and quotes no provider; the full error is logged
 *   on the `secrets()` `log` option. `onError` replaces that reply: throw
 *   in it to let the app's `onError` decide.
 * - `refreshOn`: a matching error from the route (`c.error`) fetches every
 *   secret again, for the next request. The failed request keeps its error
 *   reply: Hono runs a route once.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono'
 * import { defineHandler } from 'faasade'
 * import { secrets, honoSecrets, fromEnv } from 'faasade/secrets'
 *
 * const appSecrets = secrets({ stripe: fromEnv('STRIPE_KEY') })
 * export const refund = defineHandler({ use: [appSecrets], handle: (event, ctx) => ctx.secrets.stripe.value })
 * export const app = new Hono()
 *   .post('/charge', honoSecrets(appSecrets), (c) => c.json(charge(c.var.secrets.stripe.value)))   // typed: string
 * ```
 */
export function honoSecrets<P extends SecretProviders>(middleware: SecretsMiddleware<P>, options: HonoSecretsOptions = {}): MiddlewareHandler<SecretsEnv<P>> {
  const loader = loaderOf<P>(middleware)
  if (loader === undefined) throw new ConfigurationError('honoSecrets: pass the value secrets({...}) returned, e.g. honoSecrets(secrets({ db: fromEnv("DATABASE_URL") }))')
  checkOptions('honoSecrets', options, KNOWN)
  const onError = options.onError
  if (onError !== undefined && typeof onError !== 'function') throw new ConfigurationError('honoSecrets: `onError` must be a function of (error, c)')
  const refreshOn = loader.refreshOn

  return async function secretsMiddleware(c, next) {
    const scope: LoadScope = { provider: bindingsOf(c.env), log: loader.log() }
    let loaded: Secrets<P>
    try {
      loaded = await loader.view(scope, false)
    } catch (error) {
      const fault = toFaasadeError(error)
      if (onError !== undefined) return onError(fault, c)
      scope.log.error('secrets could not be loaded; the route did not run', { method: c.req.method, path: c.req.path, ...describeError(fault) })
      return failureReply(fault)
    }
    c.set('secrets', loaded)
    if (refreshOn === undefined) return next()
    try {
      await next()
    } catch (error) {
      // Reached only outside Hono's own compose, which turns a route's throw into `c.error`.
      if (refreshOn(error)) await refreshAll(loader, scope)
      throw error
    }
    if (c.error !== undefined && refreshOn(c.error)) await refreshAll(loader, scope)
  }
}

/** After a failure that means rotated secrets: fetch them all again for the next request (Hono runs a route once). */
async function refreshAll(loader: SecretLoader<SecretProviders>, scope: LoadScope): Promise<void> {
  scope.log.warn('the route failed in a way that means rotated secrets; refreshing them for the next request', { secrets: loader.names })
  try {
    await loader.view(scope, true)
  } catch (error) {
    scope.log.error('refreshing the secrets failed; the cached values stay', describeError(error))
  }
}

const bindingsSeen = new WeakMap<object, ProviderInfo | null>()

/**
 * `c.env` as `fromEnv` reads Workers bindings: the provider info the Workers
 * adapter gives the event form (`{ name: 'cloudflare-workers', raw: { env }, env }`),
 * when `c.env` looks like bindings. It does inside workerd, and anywhere
 * when it holds a string (a secret or var: `app.request(path, init, env)` in
 * a test). Other runtimes put request objects there (`@hono/node-server`:
 * `{ incoming, outgoing }`; Lambda: the event and context), never a string,
 * and get `undefined`: `process.env`.
 */
function bindingsOf(env: unknown): ProviderInfo | undefined {
  if (typeof env !== 'object' || env === null) return undefined
  let info = bindingsSeen.get(env)
  if (info === undefined) {
    const looksLikeBindings = !Array.isArray(env) && (inWorkerd() || Object.values(env).some((value) => typeof value === 'string'))
    bindingsSeen.set(env, (info = looksLikeBindings ? { name: WORKERS_PROVIDER, raw: { env }, env: env as Record<string, unknown> } : null))
  }
  return info ?? undefined
}

function inWorkerd(): boolean {
  return (globalThis as { navigator?: { userAgent?: unknown } }).navigator?.userAgent === 'Cloudflare-Workers'
}

/**
 * A missing or unreadable secret is the server's fault, not the client's:
 * 500 when it will not pass by itself, 503 when it may (never the 422 or 429
 * the event form's error would carry, which blame the request or the
 * client's rate). The body is a secret error's own problem, which names no
 * secret and quotes no provider; any other error gets the generic one.
 */
function failureReply(fault: FaasadeError): Response {
  const status = fault.retryable ? 503 : 500
  const { headers } = problemReply(fault)
  const problem = toProblem(isSecretError(fault) ? fault : new UnexpectedError('Internal error'))
  return new Response(JSON.stringify({ ...problem, status }), { status, headers })
}
