/**
 * `faasade/secrets/azure-appconfig`: one key-value of Azure App
 * Configuration over its REST API, no Azure package:
 *
 * - `GET {endpoint}/kv/{key}?label={label}&api-version=1.0` -> `{ key,
 *   label, value, content_type, etag, … }`; without `label`, the key's
 *   value with no label;
 * - auth: a managed identity token for `https://azconfig.io` (as Key Vault
 *   gets its own, `azure-identity.ts`), or, given a `connectionString`
 *   (`Endpoint=…;Id=…;Secret=…`), the HMAC-SHA256 scheme: the method, path
 *   and query, `x-ms-date`, host and `x-ms-content-sha256` signed with the
 *   access key (WebCrypto, so it runs on Workers too);
 * - errors: 404 is a missing key, 403 (and a refused HMAC signature)
 *   denied, 429 and 5xx retryable, a refused bearer token dropped and
 *   retried.
 *
 * A Key Vault reference (content type
 * `application/vnd.microsoft.appconfig.keyvaultref+json`) is not followed:
 * the load fails saying so; read the secret with `fromAzureKeyVault`.
 *
 * Configuration is not a secret: values are not registered with the log
 * scrubber unless `redact: true`. They reach handlers as a `Secret` all the
 * same, which prints `[redacted]`.
 *
 * @example
 * ```ts
 * import { secrets } from 'faasade/secrets'
 * import { fromAzureAppConfiguration } from 'faasade/secrets/azure-appconfig'
 * secrets({ limits: fromAzureAppConfiguration('https://orders.azconfig.io', 'orders:limits', { label: 'prod', json: true }) })
 * ```
 */
import { ConfigurationError } from '../../errors.js'
import { checkOptions } from '../../middleware.js'
import { secretFailure, type SecretErrorInfo } from '../errors.js'
import { defineSecretProvider, VALUE_OPTIONS, type SecretProvider, type SecretValueOptions, type ValueOf } from '../provider.js'
import { azureToken, type AzureIdentityOptions } from './azure-identity.js'
import { base64ToBytes, classifyStatus, parseJson, replyFailure, request } from './http.js'

/** The provider kind of {@link fromAzureAppConfiguration}. */
export const AZURE_APP_CONFIGURATION = 'azure-app-configuration'

/** Options of {@link fromAzureAppConfiguration}. */
export interface AzureAppConfigurationOptions extends SecretValueOptions, AzureIdentityOptions {
  /** The key-value's label. @defaultValue none (the value with no label) */
  label?: string
  /**
   * The store's connection string (`Endpoint=…;Id=…;Secret=…`), to sign
   * with its access key (HMAC-SHA256) instead of a managed identity. Its
   * endpoint must be the one given.
   */
  connectionString?: string
  /** Register the value with the log scrubber, as a secret's is. @defaultValue false */
  redact?: boolean
}

const KNOWN = [...VALUE_OPTIONS, 'label', 'connectionString', 'clientId', 'token', 'redact']
const RESOURCE = 'https://azconfig.io'
const API_VERSION = '1.0'
const KEY_VAULT_REF = 'application/vnd.microsoft.appconfig.keyvaultref+json'

/**
 * A key-value from Azure App Configuration.
 *
 * @example
 * ```ts
 * fromAzureAppConfiguration('https://orders.azconfig.io', 'orders:table')
 * fromAzureAppConfiguration('https://orders.azconfig.io', 'orders:limits', { label: 'prod', json: true, connectionString: process.env.APPCONFIG! })
 * ```
 */
export function fromAzureAppConfiguration<const O extends AzureAppConfigurationOptions = {}>(endpoint: string, key: string, options?: O): SecretProvider<ValueOf<O>> {
  let store: URL
  try {
    store = new URL(endpoint)
  } catch {
    throw new ConfigurationError(`fromAzureAppConfiguration: "${endpoint}" is not a store URL (https://{store}.azconfig.io)`)
  }
  if (typeof key !== 'string' || key.length === 0) throw new ConfigurationError('fromAzureAppConfiguration: the key must be a non-empty string')
  checkOptions('fromAzureAppConfiguration', options, KNOWN)
  const opts: AzureAppConfigurationOptions = options ?? {}
  if (opts.token !== undefined && typeof opts.token !== 'function') throw new ConfigurationError('fromAzureAppConfiguration: `token` must be a function returning a promise of a token')
  if (opts.label !== undefined && typeof opts.label !== 'string') throw new ConfigurationError('fromAzureAppConfiguration: `label` must be a string')
  if (opts.redact !== undefined && typeof opts.redact !== 'boolean') throw new ConfigurationError('fromAzureAppConfiguration: `redact` must be a boolean')
  const accessKey = opts.connectionString === undefined ? undefined : parseConnectionString(opts.connectionString, store)
  if (accessKey && (opts.token !== undefined || opts.clientId !== undefined)) throw new ConfigurationError('fromAzureAppConfiguration: `connectionString` excludes `token` and `clientId`')
  const base = store.origin + store.pathname.replace(/\/+$/, '')
  const secretName = `${store.host}/${key}${opts.label === undefined ? '' : ` (label ${opts.label})`}`
  const info: SecretErrorInfo = { provider: AZURE_APP_CONFIGURATION, secretName }
  const token = accessKey ? undefined : azureToken(info, RESOURCE, opts)
  const query = new URLSearchParams({ ...(opts.label !== undefined && { label: opts.label }), 'api-version': API_VERSION }).toString()
  const url = `${base}/kv/${encodeURIComponent(key)}?${query}`

  return defineSecretProvider<ValueOf<O>>(
    {
      kind: AZURE_APP_CONFIGURATION,
      secretName,
      // The access key id, not the key: it tells two stores' credentials apart without holding a secret.
      identity: [base, opts.label ?? null, accessKey?.id, opts.clientId, opts.redact === true],
      async fetch() {
        const authorization = accessKey ? await hmacHeaders(accessKey, new URL(url)) : { Authorization: `Bearer ${await token!.get()}` }
        const response = await request(info, url, { headers: { Accept: 'application/vnd.microsoft.appconfig.kv+json, application/json', ...authorization } })
        const text = await response.text()
        // A missing key is a 404 with no body; an error body, when there is one, is problem+json.
        const body = (response.ok ? parseJson(info, response.status, text) : lenientJson(text)) as { value?: unknown; content_type?: unknown; title?: unknown; detail?: unknown } | null | undefined
        if (!response.ok) {
          if (response.status === 401 && token) token.invalidate()
          // A refused bearer token may be stale (a new one may work); a refused signature is the key.
          const kind = response.status === 401 ? (accessKey ? 'denied' : 'unavailable') : classifyStatus(response.status)
          const detail = typeof body?.detail === 'string' ? body.detail : typeof body?.title === 'string' ? body.title : undefined
          throw replyFailure(info, kind, response, undefined, detail)
        }
        if (typeof body?.content_type === 'string' && body.content_type.startsWith(KEY_VAULT_REF)) {
          throw secretFailure('invalid', info, 'it is a Key Vault reference, which is not followed: read the secret with fromAzureKeyVault')
        }
        if (typeof body?.value !== 'string') throw secretFailure('invalid', info, 'the key-value has no value')
        return opts.redact === true ? { text: body.value } : { text: body.value, secretTexts: [] }
      },
    },
    opts,
  )
}

interface AccessKey {
  readonly id: string
  readonly secret: Uint8Array
}

function parseConnectionString(text: string, store: URL): AccessKey {
  const fail = (why: string) => new ConfigurationError(`fromAzureAppConfiguration: the connection string ${why}`)
  if (typeof text !== 'string') throw fail('must be a string')
  const parts = new Map<string, string>()
  for (const part of text.split(';')) {
    const at = part.indexOf('=')
    if (at > 0) parts.set(part.slice(0, at).trim(), part.slice(at + 1).trim())
  }
  const endpoint = parts.get('Endpoint')
  const id = parts.get('Id')
  const secret = parts.get('Secret')
  if (!endpoint || !id || !secret) throw fail('needs Endpoint, Id and Secret')
  let origin: string
  try {
    origin = new URL(endpoint).origin
  } catch {
    throw fail('has an Endpoint that is not a URL')
  }
  // No value in the message: the string holds the access key.
  if (origin !== store.origin) throw fail('is for another store than the endpoint given')
  try {
    return { id, secret: base64ToBytes(secret) }
  } catch {
    throw fail('has a Secret that is not base64')
  }
}

/** The HMAC-SHA256 headers for a GET with no body, as App Configuration checks them. */
async function hmacHeaders(key: AccessKey, url: URL): Promise<Record<string, string>> {
  const date = new Date().toUTCString()
  const contentHash = toBase64(new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array(0))))
  const stringToSign = `GET\n${url.pathname}${url.search}\n${date};${url.host};${contentHash}`
  const hmacKey = await crypto.subtle.importKey('raw', key.secret as Uint8Array<ArrayBuffer>, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  const signature = toBase64(new Uint8Array(await crypto.subtle.sign('HMAC', hmacKey, new TextEncoder().encode(stringToSign))))
  return {
    'x-ms-date': date,
    'x-ms-content-sha256': contentHash,
    Authorization: `HMAC-SHA256 Credential=${key.id}&SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${signature}`,
  }
}

function lenientJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

function toBase64(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary)
}

export type { AzureIdentityOptions } from './azure-identity.js'
