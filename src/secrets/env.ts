/**
 * `fromEnv`: a secret from an environment variable, the default that needs
 * no cloud account.
 *
 * Where it reads, in order:
 * 1. On Cloudflare Workers there is no `process.env`: secrets and vars are
 *    bindings on the `env` argument of `fetch`/`queue`/`scheduled`. The
 *    contract with every adapter: when `ctx.provider.env` holds the
 *    platform's bindings (a Worker's `env`), the
 *    variable is read from it. Only string bindings count (a KV namespace
 *    is not a secret).
 * 2. Everywhere else, `globalThis.process.env` (Node; Workers with
 *    `nodejs_compat` and a populated `process.env` as a fallback).
 *
 * Env secrets are never prefetched: on Workers the bindings exist only once
 * an event arrives, and elsewhere reading them is free anyway. They are
 * cached like any other secret, so `json`/`schema` run once per TTL.
 */
import type { ProviderInfo } from '../context.js'
import { checkOptions } from '../middleware.js'
import { ConfigurationError } from '../errors.js'
import { SecretNotFoundError } from './errors.js'
import { defineSecretProvider, VALUE_OPTIONS, type SecretProvider, type SecretValueOptions, type ValueOf } from './provider.js'

/** The provider kind of {@link fromEnv}. */
export const ENV_PROVIDER = 'env'

/**
 * A secret from an environment variable (or a Workers binding).
 *
 * @example
 * ```ts
 * import { secrets, fromEnv } from 'faasade/secrets'
 * import * as z from 'zod'
 * secrets({
 *   db: fromEnv('DATABASE_URL', { schema: z.string().url() }),
 *   smtp: fromEnv('SMTP', { json: true, schema: z.object({ user: z.string(), pass: z.string() }) }),
 * })
 * ```
 */
export function fromEnv<const O extends SecretValueOptions = {}>(variable: string, options?: O): SecretProvider<ValueOf<O>> {
  if (typeof variable !== 'string' || variable.length === 0) throw new ConfigurationError('fromEnv: the variable name must be a non-empty string')
  checkOptions('fromEnv', options, VALUE_OPTIONS)
  const info = { provider: ENV_PROVIDER, secretName: variable }
  return defineSecretProvider<ValueOf<O>>(
    {
      kind: ENV_PROVIDER,
      secretName: variable,
      prefetchable: false,
      async fetch(context) {
        const value = readVariable(variable, context.provider)
        if (value === undefined) throw new SecretNotFoundError(info, 'the environment variable is not set')
        return { text: value }
      },
    },
    options,
  )
}

/**
 * Reads `name` from the platform's environment bindings when the provider
 * carries them (`provider.env`: a Worker's `env`), else from `process.env`.
 * The bindings come from the provider's facts, so no platform is named here.
 */
export function readVariable(name: string, provider: ProviderInfo | undefined): string | undefined {
  const env = provider?.env
  if (env !== undefined && Object.hasOwn(env, name)) {
    const value = env[name]
    return typeof value === 'string' ? value : undefined
  }
  const processEnv = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env
  return processEnv?.[name]
}
