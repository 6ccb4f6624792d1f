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
import type { Context } from '../context.js'
import { ConfigurationError, describeError, isFaasadeError } from '../errors.js'
import { createLogger, type Logger } from '../logger.js'
import { checkOptions, defineMiddleware, type Middleware } from '../middleware.js'
import { REDACTED } from '../redact.js'
import { SecretCache } from './cache.js'
import { SecretUnavailableError } from './errors.js'
import type { LoadedSecret, SecretProvider } from './provider.js'
import { Secret } from './secret-value.js'

/** Names `ctx.secrets` keeps for itself, or that would break `await` or serialisation. */
const RESERVED = ['refresh', 'toJSON', 'then', 'constructor', '__proto__', 'prototype']

/** The providers of a `secrets({...})` call, by the name each gets in `ctx.secrets`. */
export type SecretProviders = { readonly [name: string]: SecretProvider<unknown> } & {
  readonly refresh?: never
  readonly toJSON?: never
  readonly then?: never
}

/** The value type a provider yields. */
export type ProvidedValue<P> = P extends SecretProvider<infer T> ? T : never

/** Each declared secret, wrapped. */
export type SecretValues<P extends SecretProviders> = { readonly [K in keyof P]: Secret<ProvidedValue<P[K]>> }

/** What `ctx.secrets` is: the declared secrets, and `refresh`. */
export type Secrets<P extends SecretProviders> = SecretValues<P> & {
  /**
   * Fetches `name` again now, whatever its TTL, and returns (and puts in
   * `ctx.secrets`) the new value. Throws the provider's error rather than
   * serving a stale value: the caller asked for a fresh one.
   */
  refresh<K extends keyof P & string>(name: K): Promise<SecretValues<P>[K]>
}

/** Options of {@link secrets}. */
export interface SecretsOptions {
  /** How long a fetched secret is used before it is fetched again, in ms. @defaultValue 300000 (5 minutes) */
  ttl?: number
  /**
   * How long the last good value may still be served while refreshes fail,
   * in ms from when it was fetched. At least `ttl`.
   * @defaultValue 3600000 (1 hour), or `ttl` when that is longer
   */
  maxAge?: number
  /**
   * Start fetching when the middleware is defined (module load), so the
   * fetch overlaps the platform's init phase. A failure is logged at once
   * and again on first use, which fetches again (errors are never cached).
   * Providers that cannot work before an event (env on Workers, the Lambda
   * extension) are not prefetched. Do not use on Cloudflare Workers, which
   * forbids I/O outside a request.
   * @defaultValue false
   */
  prefetch?: boolean
  /**
   * When the handler fails with an error for which this returns true (a 401
   * from a downstream API, say), every secret is fetched again and the
   * handler (with the middleware inside this one) runs once more.
   */
  refreshOn?: (error: unknown) => boolean
  /** The clock, epoch ms. @defaultValue `Date.now` */
  now?: () => number
  /** Where prefetch failures are logged (there is no invocation yet). @defaultValue a `createLogger()` logger */
  log?: Logger
}

const KNOWN = ['ttl', 'maxAge', 'prefetch', 'refreshOn', 'now', 'log']
const DEFAULT_TTL = 5 * 60_000
const DEFAULT_MAX_AGE = 60 * 60_000

/**
 * Loads secrets into `ctx.secrets`: cached per instance for `ttl`, fetched
 * once for any number of concurrent first uses, never logged.
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
export function secrets<const P extends SecretProviders>(providers: P, options: SecretsOptions = {}): Middleware<{ secrets: Secrets<P> }> {
  checkOptions('secrets', options, KNOWN)
  if (typeof providers !== 'object' || providers === null) throw new ConfigurationError('secrets: the first argument must be an object of providers')
  const names = Object.keys(providers)
  for (const name of names) {
    if (RESERVED.includes(name)) throw new ConfigurationError(`secrets: "${name}" cannot name a secret (reserved: ${RESERVED.join(', ')})`)
    const provider: unknown = providers[name]
    if (typeof (provider as SecretProvider | undefined)?.load !== 'function' || typeof (provider as SecretProvider).key !== 'string') {
      throw new ConfigurationError(`secrets: "${name}" is not a secret provider (use fromEnv, fromAwsSecretsManager, …)`)
    }
  }
  const ttl = options.ttl ?? DEFAULT_TTL
  if (!(ttl > 0) || !Number.isFinite(ttl)) throw new ConfigurationError('secrets: `ttl` must be a positive number of milliseconds')
  const maxAge = options.maxAge ?? Math.max(ttl, DEFAULT_MAX_AGE)
  if (!(maxAge >= ttl) || !Number.isFinite(maxAge)) throw new ConfigurationError('secrets: `maxAge` must be a number of milliseconds at least `ttl`')
  if (options.refreshOn !== undefined && typeof options.refreshOn !== 'function') throw new ConfigurationError('secrets: `refreshOn` must be a function')
  if (options.now !== undefined && typeof options.now !== 'function') throw new ConfigurationError('secrets: `now` must be a function')

  const cache = new SecretCache({ ttl, maxAge, now: options.now ?? Date.now })
  const entries = names.map((name) => [name, providers[name] as SecretProvider] as const)
  const byName = new Map(entries)
  const refreshOn = options.refreshOn
  /** Prefetch failures not yet reported in an invocation's log. */
  const prefetchFailures = new Map<string, unknown>()

  const loader = (name: string, provider: SecretProvider, ctx: Context | undefined) => (): Promise<LoadedSecret<unknown>> =>
    provider.load({ provider: ctx?.provider }).catch((error: unknown) => {
      // Our error family passes through; anything else (a custom provider's bug) is wrapped, never rethrown raw.
      throw isFaasadeError(error) ? error : new SecretUnavailableError(provider, `loading "${name}" failed unexpectedly`, { cause: error })
    })

  if (options.prefetch === true) {
    const log = options.log ?? createLogger()
    for (const [name, provider] of entries) {
      if (!provider.prefetchable) continue
      cache.start(provider.key, loader(name, provider, undefined)).catch((error: unknown) => {
        prefetchFailures.set(name, error)
        log.error('secret prefetch failed', { secret: name, provider: provider.provider, ...describeError(error) })
      })
    }
  }

  const read = async (ctx: Context, name: string, provider: SecretProvider, force: boolean): Promise<Secret<unknown>> => {
    if (prefetchFailures.has(name)) {
      ctx.log.warn('secret prefetch had failed; fetching it again', { secret: name, provider: provider.provider, ...describeError(prefetchFailures.get(name)) })
      prefetchFailures.delete(name)
    }
    const result = await cache.get(provider.key, loader(name, provider, ctx), force)
    if (result.staleBecause !== undefined) {
      if (force) throw result.staleBecause
      ctx.log.warn('secret refresh failed; serving the last good value', { secret: name, provider: provider.provider, ...describeError(result.staleBecause) })
    }
    return new Secret(name, result.value)
  }

  const view = async (ctx: Context, force: boolean): Promise<Secrets<P>> => {
    const values = await Promise.all(entries.map(([name, provider]) => read(ctx, name, provider, force)))
    const out = new SecretsView(ctx, read, byName) as unknown as Record<string, Secret<unknown>>
    for (let i = 0; i < entries.length; i++) out[entries[i]![0]] = values[i]!
    return out as unknown as Secrets<P>
  }

  return defineMiddleware<{ secrets: Secrets<P> }>({
    name: 'secrets',
    retriesNext: refreshOn !== undefined,
    async run(_event, ctx, next) {
      const loaded = await view(ctx, false)
      if (refreshOn === undefined) return next({ secrets: loaded })
      try {
        return await next({ secrets: loaded })
      } catch (error) {
        if (!refreshOn(error)) throw error
        ctx.log.warn('the handler failed in a way that means rotated secrets; refreshing them and running it once more', { secrets: names })
        return next({ secrets: await view(ctx, true) })
      }
    },
  })
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom')

type Read = (ctx: Context, name: string, provider: SecretProvider, force: boolean) => Promise<Secret<unknown>>

/** `ctx.secrets`: the secrets as own properties; `refresh` and the redacted forms on the prototype. */
class SecretsView {
  readonly #ctx: Context
  readonly #read: Read
  readonly #providers: ReadonlyMap<string, SecretProvider>

  constructor(ctx: Context, read: Read, providers: ReadonlyMap<string, SecretProvider>) {
    this.#ctx = ctx
    this.#read = read
    this.#providers = providers
  }

  async refresh(name: string): Promise<Secret<unknown>> {
    const provider = this.#providers.get(name)
    if (provider === undefined) throw new ConfigurationError(`secrets.refresh: no secret is named "${String(name)}"`)
    const secret = await this.#read(this.#ctx, name, provider, true)
    ;(this as unknown as Record<string, Secret<unknown>>)[name] = secret
    return secret
  }

  toJSON(): Record<string, string> {
    return Object.fromEntries([...this.#providers.keys()].map((name) => [name, REDACTED]))
  }

  [INSPECT](): Record<string, string> {
    return this.toJSON()
  }
}
