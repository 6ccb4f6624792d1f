/**
 * The machinery behind both forms of the secrets middleware (the event form
 * in `middleware.ts`, the Hono form in `hono.ts`): options checked once, one
 * {@link SecretCache} per `secrets({...})` call, the prefetch, and the
 * per-request `secrets` view. Neither form loads a secret any other way, so
 * a handler and a Hono route given the same `secrets({...})` value share
 * one cache and one fetch.
 */
import type { ProviderInfo } from '../context.js'
import { ConfigurationError, describeError, isFaasadeError } from '../errors.js'
import { createLogger, type Logger } from '../logger.js'
import { checkOptions } from '../middleware.js'
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

/** What `ctx.secrets` (and `c.var.secrets` under `honoSecrets`) is: the declared secrets, and `refresh`. */
export type Secrets<P extends SecretProviders> = SecretValues<P> & {
  /**
   * Fetches `name` again now, whatever its TTL, and returns (and puts in
   * `ctx.secrets`) the new value. Throws the provider's error rather than
   * serving a stale value: the caller asked for a fresh one.
   */
  refresh<K extends keyof P & string>(name: K): Promise<SecretValues<P>[K]>
}

/** Options of `secrets()`. */
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
   * handler (with the middleware inside this one) runs once more. In the
   * Hono form the secrets are fetched again but the route is not run twice
   * (Hono allows one `next()`): the failed request gets its error reply and
   * the client's retry finds the fresh values.
   */
  refreshOn?: (error: unknown) => boolean
  /** The clock, epoch ms. @defaultValue `Date.now` */
  now?: () => number
  /**
   * Where prefetch failures are logged (there is no invocation yet), and,
   * in the Hono form, which has no `ctx.log`, everything the middleware logs.
   * @defaultValue a `createLogger()` logger
   */
  log?: Logger
}

/** What one load sees of the request it serves. `Context` is one. */
export interface LoadScope {
  /** Handed to the providers (`fromEnv` reads Workers bindings from it). */
  readonly provider: ProviderInfo | undefined
  /** Where stale values and prefetch failures are reported. */
  readonly log: Logger
}

/** One `secrets({...})` call's cache and providers, for both forms. */
export interface SecretLoader<P extends SecretProviders> {
  /** The declared names, in order. */
  readonly names: readonly string[]
  readonly refreshOn: ((error: unknown) => boolean) | undefined
  /** `options.log`, or a default logger made on first use. */
  log(): Logger
  /** Every declared secret (from cache while fresh), as a new view for one request. `force` fetches all again. */
  view(scope: LoadScope, force: boolean): Promise<Secrets<P>>
}

const KNOWN = ['ttl', 'maxAge', 'prefetch', 'refreshOn', 'now', 'log']

// Which loader a `secrets({...})` value wraps, for `honoSecrets` to share it:
// a side table, so the middleware object carries no extra property.
const loaders = new WeakMap<object, SecretLoader<SecretProviders>>()

/** Records that `middleware` loads through `loader`. */
export function attachLoader<P extends SecretProviders>(middleware: object, loader: SecretLoader<P>): void {
  loaders.set(middleware, loader as unknown as SecretLoader<SecretProviders>)
}

/** The loader of a `secrets({...})` value, or `undefined` for anything else. */
export function loaderOf<P extends SecretProviders>(middleware: unknown): SecretLoader<P> | undefined {
  return typeof middleware === 'object' && middleware !== null ? (loaders.get(middleware) as SecretLoader<P> | undefined) : undefined
}
const DEFAULT_TTL = 5 * 60_000
const DEFAULT_MAX_AGE = 60 * 60_000

/** Checks `secrets()`'s arguments and builds its cache; starts the prefetch when asked. */
export function createSecretLoader<P extends SecretProviders>(providers: P, options: SecretsOptions): SecretLoader<P> {
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
  let log = options.log
  const logger = () => (log ??= createLogger())
  /** Prefetch failures not yet reported in an invocation's log. */
  const prefetchFailures = new Map<string, unknown>()

  const loader = (name: string, provider: SecretProvider, scope: LoadScope | undefined) => (): Promise<LoadedSecret<unknown>> =>
    provider.load({ provider: scope?.provider }).catch((error: unknown) => {
      // Our error family passes through; anything else (a custom provider's bug) is wrapped, never rethrown raw.
      throw isFaasadeError(error) ? error : new SecretUnavailableError(provider, `loading "${name}" failed unexpectedly`, { cause: error })
    })

  if (options.prefetch === true) {
    for (const [name, provider] of entries) {
      if (!provider.prefetchable) continue
      cache.start(provider.key, loader(name, provider, undefined)).catch((error: unknown) => {
        prefetchFailures.set(name, error)
        logger().error('secret prefetch failed', { secret: name, provider: provider.provider, ...describeError(error) })
      })
    }
  }

  const read: Read = async (scope, name, provider, force) => {
    if (prefetchFailures.has(name)) {
      scope.log.warn('secret prefetch had failed; fetching it again', { secret: name, provider: provider.provider, ...describeError(prefetchFailures.get(name)) })
      prefetchFailures.delete(name)
    }
    const result = await cache.get(provider.key, loader(name, provider, scope), force)
    if (result.staleBecause !== undefined) {
      if (force) throw result.staleBecause
      scope.log.warn('secret refresh failed; serving the last good value', { secret: name, provider: provider.provider, ...describeError(result.staleBecause) })
    }
    return new Secret(name, result.value)
  }

  return {
    names,
    refreshOn: options.refreshOn,
    log: logger,
    async view(scope, force) {
      const values = await Promise.all(entries.map(([name, provider]) => read(scope, name, provider, force)))
      const out = new SecretsView(scope, read, byName) as unknown as Record<string, Secret<unknown>>
      for (let i = 0; i < entries.length; i++) out[entries[i]![0]] = values[i]!
      return out as unknown as Secrets<P>
    },
  }
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom')

type Read = (scope: LoadScope, name: string, provider: SecretProvider, force: boolean) => Promise<Secret<unknown>>

/** `ctx.secrets`: the secrets as own properties; `refresh` and the redacted forms on the prototype. */
class SecretsView {
  readonly #scope: LoadScope
  readonly #read: Read
  readonly #providers: ReadonlyMap<string, SecretProvider>

  constructor(scope: LoadScope, read: Read, providers: ReadonlyMap<string, SecretProvider>) {
    this.#scope = scope
    this.#read = read
    this.#providers = providers
  }

  async refresh(name: string): Promise<Secret<unknown>> {
    const provider = this.#providers.get(name)
    if (provider === undefined) throw new ConfigurationError(`secrets.refresh: no secret is named "${String(name)}"`)
    const secret = await this.#read(this.#scope, name, provider, true)
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
