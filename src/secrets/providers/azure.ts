/**
 * `faasade/secrets/azure`: Azure Key Vault over its REST API, with a managed
 * identity token.
 *
 * Why REST and not `@azure/keyvault-secrets` + `@azure/identity`: those bring
 * the Azure core pipeline, MSAL and their dependencies (megabytes installed,
 * hundreds of KB bundled) for two GETs, and `@azure/identity` probes several
 * credential sources in turn at cold start. Here:
 *
 * - token, App Service / Functions / Container Apps: `GET {IDENTITY_ENDPOINT}?resource=https://vault.azure.net&api-version=2019-08-01`
 *   with `X-IDENTITY-HEADER: {IDENTITY_HEADER}`; elsewhere (VMs, AKS) the
 *   instance metadata service `GET http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=…`
 *   with `Metadata: true`. Either answers `{ access_token, expires_on (epoch s), … }`;
 *   the token is cached until a minute before it expires.
 * - secret: `GET {vaultUrl}/secrets/{name}/{version}?api-version=7.4` with
 *   `Authorization: Bearer …` -> `{ value, id, attributes }`.
 * - errors: `{ error: { code, message } }`: 404 `SecretNotFound` permanent,
 *   403 permanent, 429 (with `Retry-After`) and 5xx retryable, 401 drops the
 *   cached token and is retryable.
 *
 * @example
 * ```ts
 * import { fromAzureKeyVault } from 'faasade/secrets/azure'
 * fromAzureKeyVault('https://my-vault.vault.azure.net', 'stripe-key')
 * ```
 */
import { ConfigurationError } from '../../errors.js'
import { checkOptions } from '../../middleware.js'
import { secretFailure, type SecretErrorInfo } from '../errors.js'
import { defineSecretProvider, VALUE_OPTIONS, type SecretProvider, type SecretValueOptions, type ValueOf } from '../provider.js'
import { azureToken, type AzureIdentityOptions } from './azure-identity.js'
import { classifyStatus, readJson, replyFailure, request } from './http.js'

/** The provider kind of {@link fromAzureKeyVault}. */
export const AZURE_KEY_VAULT = 'azure-key-vault'

export interface AzureKeyVaultOptions extends SecretValueOptions, AzureIdentityOptions {
  /** @defaultValue the current version */
  version?: string
  /** @defaultValue `'7.4'` */
  apiVersion?: string
}

const KNOWN = [...VALUE_OPTIONS, 'version', 'clientId', 'token', 'apiVersion']
const VAULT_RESOURCE = 'https://vault.azure.net'

/**
 * A secret from Azure Key Vault.
 *
 * @example
 * ```ts
 * fromAzureKeyVault('https://my-vault.vault.azure.net', 'smtp', { json: true, schema: z.object({ user: z.string(), pass: z.string() }) })
 * ```
 */
export function fromAzureKeyVault<const O extends AzureKeyVaultOptions = {}>(vaultUrl: string, name: string, options?: O): SecretProvider<ValueOf<O>> {
  let vault: URL
  try {
    vault = new URL(vaultUrl)
  } catch {
    throw new ConfigurationError(`fromAzureKeyVault: "${vaultUrl}" is not a vault URL (https://{vault}.vault.azure.net)`)
  }
  if (typeof name !== 'string' || !/^[0-9a-zA-Z-]{1,127}$/.test(name)) throw new ConfigurationError('fromAzureKeyVault: a secret name is 1-127 letters, digits and dashes')
  checkOptions('fromAzureKeyVault', options, KNOWN)
  const opts: AzureKeyVaultOptions = options ?? {}
  if (opts.token !== undefined && typeof opts.token !== 'function') throw new ConfigurationError('fromAzureKeyVault: `token` must be a function returning a promise of a token')
  const base = vault.origin + vault.pathname.replace(/\/+$/, '')
  const secretName = `${vault.host}/${name}`
  const info: SecretErrorInfo = { provider: AZURE_KEY_VAULT, secretName }
  const apiVersion = opts.apiVersion ?? '7.4'

  const token = azureToken(info, VAULT_RESOURCE, opts)

  return defineSecretProvider<ValueOf<O>>(
    {
      kind: AZURE_KEY_VAULT,
      secretName,
      identity: [base, opts.version, opts.clientId, apiVersion],
      async fetch() {
        const url = `${base}/secrets/${name}/${opts.version ? encodeURIComponent(opts.version) : ''}?api-version=${encodeURIComponent(apiVersion)}`
        const response = await request(info, url, { headers: { Authorization: `Bearer ${await token.get()}` } })
        const body = (await readJson(info, response)) as { value?: unknown; error?: { code?: unknown; message?: unknown } } | null
        if (!response.ok) {
          if (response.status === 401) token.invalidate()
          const code = typeof body?.error?.code === 'string' ? body.error.code : undefined
          const message = typeof body?.error?.message === 'string' ? body.error.message : undefined
          // 401 means our token was refused (expired, wrong tenant for a moment): a new one may work.
          const kind = response.status === 401 ? 'unavailable' : code === 'SecretNotFound' ? 'not-found' : classifyStatus(response.status)
          throw replyFailure(info, kind, response, code, message)
        }
        if (typeof body?.value !== 'string') throw secretFailure('invalid', info, 'the reply has no value')
        return { text: body.value }
      },
    },
    opts,
  )
}

export type { AzureIdentityOptions } from './azure-identity.js'
