/**
 * The handler context of an HTTP app's request: what a Hono route needs of
 * its invocation (the request id on its log lines, the deadline, the
 * `waitUntil`) and an event handler gets as `ctx`. The adapter kit binds
 * what it knows to the web `Request` it hands the app; the context is made
 * when a route first asks, so an app that never asks pays for none.
 */
import { createContext, type Context, type InvocationFacts } from '../context.js'
import { lazyChild } from '../lazy-logger.js'
import { createLogger, type Logger } from '../logger.js'

/** What an adapter knows of the request's invocation (the kit's `HttpDelivery` is one). */
export interface RouteInvocation {
  /** `ctx.provider.raw`. */
  readonly raw: unknown
  /** `ctx.provider.env`. */
  readonly env?: Readonly<Record<string, unknown>>
  /** Epoch milliseconds. */
  readonly deadline: number
  readonly invocation?: InvocationFacts
}

// Keyed by the Request the app was handed: it lives as long as the request does.
// Bound as given (four references, no object made a request); made a Context on first use.
const bound = new WeakMap<Request, Context | Bound>()
type Bound = readonly [provider: string, invocation: RouteInvocation, log: Logger, executionContext: Pick<Context, 'waitUntil'>]

/**
 * Binds the invocation's facts to the request an HTTP app is handed, for
 * {@link routeContext}: the provider's name, what is known of the
 * invocation, its logger and its `waitUntil`. Adapters call it (the kit's
 * `answerHttp` does); handlers and routes never need to.
 *
 * @example
 * ```ts
 * bindRouteContext(request, 'my-platform', { raw: input, deadline, invocation: { requestId } }, log, executionContext)
 * await app.fetch(request)
 * ```
 */
export function bindRouteContext(
  request: Request,
  provider: string,
  invocation: RouteInvocation,
  log: Logger,
  executionContext: Pick<Context, 'waitUntil'>,
): void {
  bound.set(request, [provider, invocation, log, executionContext])
}

/**
 * The handler context of the request a route is serving: `log` (its lines
 * carry the platform's `requestId`), `deadline`, `signal`, `remainingMs()`,
 * `waitUntil`, `provider` (with a Worker's `env`) and `invocation`. Give it
 * Hono's `c` (or the `Request`, `c.req.raw`). The same object for every call
 * within one request. Outside an adapter (a test calling `app.request()`),
 * a context with no deadline, named `'http'`.
 *
 * @example
 * ```ts
 * import { routeContext } from 'faasade'
 * app.post('/orders', async (c) => {
 *   const ctx = routeContext(c)
 *   ctx.log.info('placing an order')                        // carries requestId
 *   const res = await fetch(upstream, { signal: ctx.signal }) // aborted at the deadline
 *   return c.json(await res.json(), 201)
 * })
 * ```
 */
export function routeContext(c: Request | { readonly req: { readonly raw: Request } }): Context {
  const request = 'req' in c ? c.req.raw : c
  const found = bound.get(request)
  if (found !== undefined && 'remainingMs' in found) return found
  const [provider = 'http', facts = { raw: request, deadline: Infinity }, log = (defaultLog ??= createLogger()), executionContext] = found ?? []
  const requestId = facts.invocation?.requestId
  const ctx = createContext({
    provider: { name: provider, raw: facts.raw, env: facts.env },
    deadline: facts.deadline,
    log: requestId === undefined ? log : lazyChild(log, { requestId }),
    // Called as a method: workerd's ExecutionContext methods need their receiver.
    waitUntil: executionContext && ((promise) => executionContext.waitUntil(promise)),
    invocation: facts.invocation,
  })
  bound.set(request, ctx)
  return ctx
}

let defaultLog: Logger | undefined
