/**
 * The one interface every secret provider implements, and the shared step
 * that turns what a provider fetched (text or bytes) into the value a handler
 * declared: `json: true` parses, `schema` validates, `binary: true` keeps
 * bytes. Providers only fetch; decoding, errors and scrubbing live here once.
 *
 * @example A provider of your own (HashiCorp Vault, say)
 * ```ts
 * import { defineSecretProvider, secretFailure } from 'faasade/secrets'
 * export const fromVault = (path: string) =>
 *   defineSecretProvider({
 *     kind: 'vault', secretName: path, identity: [vaultUrl],
 *     async fetch() {
 *       const res = await fetch(`${vaultUrl}/v1/${path}`, { headers: { 'X-Vault-Token': token } })
 *       if (res.status === 404) throw secretFailure('not-found', { provider: 'vault', secretName: path }, 'HTTP 404')
 *       return { text: JSON.stringify((await res.json()).data) }
 *     },
 *   }, { json: true })
 * ```
 */
import type { ProviderInfo } from '../context.js'
import { ConfigurationError } from '../errors.js'
import type { SchemaOutput, StandardSchema } from '../schema.js'
import { SecretInvalidError, type SecretErrorInfo } from './errors.js'
import { scrubEverywhere } from './secret-value.js'

/** Any value `JSON.parse` can return. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }

/** How a fetched secret becomes a value. */
export interface SecretValueOptions {
  /** Parse the secret text as JSON. @defaultValue false */
  json?: boolean
  /** Any Standard Schema (zod, zod/mini, valibot): validates (and types) the text, or the parsed JSON with `json: true`. */
  schema?: StandardSchema
}

/** For providers whose secrets may be bytes (AWS `SecretBinary`, GCP payloads). */
export interface BinaryValueOptions extends SecretValueOptions {
  /** Hand the handler the raw bytes as a `Uint8Array` instead of UTF-8 text. @defaultValue false */
  binary?: boolean
}

/** The type a secret has in `ctx.secrets`, given its options. */
export type ValueOf<O> = O extends { schema: infer S extends StandardSchema }
  ? SchemaOutput<S>
  : O extends { binary: true }
    ? Uint8Array
    : O extends { json: true }
      ? JsonValue
      : string

/** What a load may see of the invocation that triggered it (none, for a prefetch). */
export interface LoadContext {
  /** The provider the invocation came from; `fromEnv` reads Workers bindings from it. */
  readonly provider: ProviderInfo | undefined
}

/** What a provider fetched, before decoding. */
export interface RawSecret {
  readonly text?: string
  readonly bytes?: Uint8Array
  /** Epoch ms after which the value must not be served from cache (an AWS rotation date, say). */
  readonly expiresAt?: number
  /**
   * The texts that are secret, when not all of it is, for the log scrubber
   * (each, and each leaf of one that is JSON). An SSM `String` parameter is
   * configuration (a region, a URL) that logs must still show; a
   * `SecureString` is a secret. @defaultValue all of it: the text or bytes
   * and every leaf of the decoded value
   */
  readonly secretTexts?: readonly string[]
}

/** A decoded secret and when it stops being valid, if the provider knows. */
export interface LoadedSecret<T> {
  readonly value: T
  readonly expiresAt?: number
}

/** A secret source: pass one per name to `secrets({...})`. Made by `fromEnv`, `fromAwsSecretsManager`, … */
export interface SecretProvider<T = unknown> extends SecretErrorInfo {
  /**
   * Everything that changes the answer: provider, where it is (region,
   * endpoint, vault, project), name, version, and how the value is decoded
   * (json, binary, which schema). Two providers with the same key are the
   * same secret and share one cache entry and one fetch.
   */
  readonly key: string
  /** Whether `prefetch: true` may fetch it at definition time (false where that cannot work, e.g. env on Workers). */
  readonly prefetchable: boolean
  /** Fetches and decodes; throws one of the secret errors. */
  load(context: LoadContext): Promise<LoadedSecret<T>>
  /** Type-only. */
  readonly '~value'?: T
}

/** What a provider implementation supplies to {@link defineSecretProvider}. */
export interface SecretSource {
  /** The provider kind, for keys, logs and errors. */
  readonly kind: string
  /** The secret's name or identifier at the provider (never its value). */
  readonly secretName: string
  /** Whatever else selects the answer (region, endpoint, version): part of the cache key. */
  readonly identity?: readonly unknown[]
  /** @defaultValue true */
  readonly prefetchable?: boolean
  /**
   * Reads the secret from the provider, as text or bytes; decoding (`json`,
   * `binary`, a schema) and caching are left to {@link defineSecretProvider}.
   * Throws one of the secret errors when the secret cannot be read.
   */
  fetch(context: LoadContext): Promise<RawSecret>
}

const schemaIds = new WeakMap<object, number>()
let nextSchemaId = 1

/** Identity of a schema object, so two schemas never share a cache entry (Powertools keys on name + transform only). */
function schemaId(schema: StandardSchema | undefined): number {
  if (schema === undefined) return 0
  let id = schemaIds.get(schema)
  if (id === undefined) schemaIds.set(schema, (id = nextSchemaId++))
  return id
}

/** Option names every provider accepts for decoding. */
export const VALUE_OPTIONS = ['json', 'schema'] as const
/** {@link VALUE_OPTIONS} plus `binary`. */
export const BINARY_VALUE_OPTIONS = ['json', 'schema', 'binary'] as const

/**
 * Builds a {@link SecretProvider} from a fetch function and the decoding
 * options. Checks the options at definition time.
 */
export function defineSecretProvider<T>(source: SecretSource, options: BinaryValueOptions = {}): SecretProvider<T> {
  if (typeof options !== 'object' || options === null) throw new ConfigurationError(`${source.kind}: options must be an object`)
  if (options.schema !== undefined && typeof options.schema?.['~standard']?.validate !== 'function') {
    throw new ConfigurationError(`${source.kind} "${source.secretName}": \`schema\` must be a Standard Schema (zod, zod/mini, valibot, …)`)
  }
  const json = options.json === true
  const binary = options.binary === true
  if (json && binary) throw new ConfigurationError(`${source.kind} "${source.secretName}": \`json\` and \`binary\` exclude each other`)
  const info: SecretErrorInfo = { provider: source.kind, secretName: source.secretName }
  const key = JSON.stringify([source.kind, source.secretName, ...(source.identity ?? []), json, binary, schemaId(options.schema)])
  return Object.freeze({
    provider: source.kind,
    secretName: source.secretName,
    key,
    prefetchable: source.prefetchable ?? true,
    async load(context: LoadContext): Promise<LoadedSecret<T>> {
      const raw = await source.fetch(context)
      if (raw.secretTexts !== undefined) for (const text of raw.secretTexts) scrubText(text)
      else scrubEverywhere(raw.text ?? raw.bytes)
      const value = (await decode(raw, info, json, binary, options.schema)) as T
      if (raw.secretTexts === undefined) scrubEverywhere(value)
      return raw.expiresAt === undefined ? { value } : { value, expiresAt: raw.expiresAt }
    },
  })
}

/** Registers a secret text, and each leaf of it when it is JSON, with the log scrubber. */
function scrubText(text: string): void {
  scrubEverywhere(text)
  try {
    scrubEverywhere(JSON.parse(text))
  } catch {
    // Not JSON: the whole text is all there is to scrub.
  }
}

async function decode(raw: RawSecret, info: SecretErrorInfo, json: boolean, binary: boolean, schema: StandardSchema | undefined): Promise<unknown> {
  let value: unknown
  if (binary) {
    if (raw.bytes === undefined) throw new SecretInvalidError(info, 'it holds text, but `binary: true` expects bytes')
    value = raw.bytes
  } else {
    const text = raw.text ?? (raw.bytes === undefined ? undefined : utf8(raw.bytes, info))
    if (text === undefined) throw new SecretInvalidError(info, 'the provider returned no value')
    value = text
    if (json) {
      try {
        value = JSON.parse(text)
      } catch {
        // No cause on purpose: V8's JSON.parse message quotes the text.
        throw new SecretInvalidError(info, 'it is not valid JSON (`json: true`)')
      }
    }
  }
  if (schema === undefined) return value
  let result
  try {
    result = await schema['~standard'].validate(value)
  } catch {
    throw new SecretInvalidError(info, 'its schema threw while validating it')
  }
  if (result.issues) {
    const paths = result.issues.map((issue) => pathOf(issue.path))
    throw new SecretInvalidError(info, `it does not match its schema (at ${paths.join(', ')})`, paths)
  }
  return result.value
}

function utf8(bytes: Uint8Array, info: SecretErrorInfo): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw new SecretInvalidError(info, 'it is binary, not UTF-8 text (use `binary: true`)')
  }
}

function pathOf(path: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined): string {
  if (!path || path.length === 0) return '(root)'
  return path.map((p) => String(typeof p === 'object' && p !== null ? p.key : p)).join('.')
}
