/**
 * The onion, and nothing else. Composed once when a handler is defined, so an
 * invocation pays one closure a middleware and no array walking.
 */
import type { Context } from './context.js'
import type { CloudEvent } from './event.js'
import type { HandlerInfo, Middleware } from './middleware.js'

/**
 * A handler and its middleware, composed into one function of an event and
 * its context. {@link compose} builds it once, when the handler is defined,
 * and every invocation calls it.
 */
export type Chain = (event: CloudEvent, ctx: Context) => Promise<unknown>

/** Wraps `inner` in `middlewares`, the first one outermost. */
export function compose(middlewares: readonly Middleware<object>[], inner: Chain, info: HandlerInfo): Chain {
  let chain = inner
  for (let i = middlewares.length - 1; i >= 0; i--) {
    const middleware = middlewares[i]!
    const rest = chain
    chain = (event, ctx) => {
      let calls = 0
      let failed = false
      const next = (additions?: object) => {
        // A second call would run the handler twice: exactly what idempotency exists to prevent.
        // The one exception, opted into, is a retry after the first run failed.
        if (calls > 0 && !(middleware.retriesNext === true && calls === 1 && failed)) {
          return Promise.reject(new Error(`middleware "${middleware.name}" called next() more than once`))
        }
        calls++
        if (additions) Object.assign(ctx, additions)
        if (middleware.retriesNext !== true) return rest(event, ctx)
        return rest(event, ctx).catch((error: unknown) => {
          failed = true
          throw error
        })
      }
      return middleware.run(event, ctx, next as never, info)
    }
  }
  return chain
}
