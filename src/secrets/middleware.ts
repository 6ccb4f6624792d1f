/**
 * `secrets({...})`: the middleware that loads each declared secret before
 * the handler runs and hands them over as `ctx.secrets`, typed from the
 * providers and their schemas.
 *
 * One middleware value is one cache: define it once (in `use: [...]` at
 * module level) and every invocation of that instance, every item of every
 * batch, shares the fetches. Each invocation gets its own `ctx.secrets`
 * object, so a `refresh` in one cannot swap a value under another mid-run.
 */
import { defineMiddleware, type Middleware } from '../middleware.js'
import { attachLoader, createSecretLoader, type SecretProviders, type Secrets, type SecretsOptions } from './loader.js'

/** What `secrets({...})` returns: the event middleware; `honoSecrets(it)` is its Hono form, on the same cache. */
export interface SecretsMiddleware<P extends SecretProviders> extends Middleware<{ secrets: Secrets<P> }> {
  /** Type-only: the providers, for `honoSecrets` to type `c.var.secrets`. Never set at run time. */
  readonly '~providers'?: P
}

/**
 * Loads secrets into `ctx.secrets`: cached per instance for `ttl`, fetched
 * once for any number of concurrent first uses, never logged. The same value
 * given to `honoSecrets` is Hono middleware (`c.var.secrets`, same cache).
 *
 * @example
 * ```ts
 * import { defineHandler } from 'faasade'
 * import { secrets, fromEnv } from 'faasade/secrets'
 * import { fromAwsSecretsManager } from 'faasade/secrets/aws'
 * import * as z from 'zod'
 *
 * const StripeKeys = z.object({ apiKey: z.string() })
 * export const charge = defineHandler({
 *   use: [secrets({
 *     stripe: fromAwsSecretsManager('prod/stripe', { json: true, schema: StripeKeys }),
 *     db: fromEnv('DATABASE_URL'),
 *   }, { ttl: 60_000, refreshOn: (error) => error instanceof ApiError && error.status === 401 })],
 *   async handle(event, ctx) {
 *     const apiKey = ctx.secrets.stripe.value.apiKey          // typed: string
 *     ctx.log.info('secrets', { s: ctx.secrets })              // {"s":{"stripe":"[redacted]","db":"[redacted]"}}
 *   },
 * })
 * ```
 */
export function secrets<const P extends SecretProviders>(providers: P, options: SecretsOptions = {}): SecretsMiddleware<P> {
  const loader = createSecretLoader(providers, options)
  const refreshOn = loader.refreshOn
  const middleware = defineMiddleware<{ secrets: Secrets<P> }>({
    name: 'secrets',
    retriesNext: refreshOn !== undefined,
    async run(_event, ctx, next) {
      const loaded = await loader.view(ctx, false)
      if (refreshOn === undefined) return next({ secrets: loaded })
      try {
        return await next({ secrets: loaded })
      } catch (error) {
        if (!refreshOn(error)) throw error
        ctx.log.warn('the handler failed in a way that means rotated secrets; refreshing them and running it once more', { secrets: loader.names })
        return next({ secrets: await loader.view(ctx, true) })
      }
    },
  })
  attachLoader(middleware, loader)
  return middleware
}
