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
  /**
   * Loads every declared secret now, into the same cache the middleware
   * reads, and returns them: for module scope, to build a client or a store
   * from a secret before the first event (`await` it at top level). Handlers
   * and routes using this middleware afterwards get the cached values, with
   * no second fetch while they are fresh (`ttl`); later refreshes work as
   * always, but what module scope built keeps the value it was given.
   *
   * Throws the first secret error, so a missing secret fails the start-up.
   * On Lambda this runs in the init phase (with its CPU boost). Not for
   * providers that need an invocation: `fromLambdaExtension` (the
   * extension refuses calls during init) and `fromEnv` on Workers (there is
   * no `env` at module scope); and Workers forbid I/O outside a request.
   *
   * @example
   * ```ts
   * const config = secrets({ db: fromSsmParameter('/orders/prod/db-url') })
   * const { db } = await config.load()
   * const pool = new Pool({ connectionString: db.value })   // built once, at init
   * export const handler = defineHandler({ use: [config], handle: (e, ctx) => … })   // no second fetch
   * ```
   */
  load(): Promise<Secrets<P>>
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
  const run = defineMiddleware<{ secrets: Secrets<P> }>({
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
  const middleware: SecretsMiddleware<P> = Object.assign(run, {
    // No invocation yet: no provider facts, and the middleware's own logger.
    load: () => loader.view({ provider: undefined, log: loader.log() }, false),
  })
  attachLoader(middleware, loader)
  return middleware
}
