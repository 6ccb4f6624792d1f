/**
 * The managed identity token the Azure providers share (Key Vault, App
 * Configuration), cached per token URL (and so per resource and identity)
 * until a minute before it expires:
 *
 * - App Service / Functions / Container Apps: `GET {IDENTITY_ENDPOINT}?resource={resource}&api-version=2019-08-01`
 *   with `X-IDENTITY-HEADER: {IDENTITY_HEADER}`;
 * - elsewhere (VMs, AKS), the instance metadata service:
 *   `GET http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource={resource}`
 *   with `Metadata: true`.
 *
 * Either answers `{ access_token, expires_on (epoch s), … }`.
 */
import type { SecretErrorInfo } from '../errors.js'
import { classifyStatus, envVar, readJson, replyFailure, request, TokenCache } from './http.js'

/** Whose token, or a token of your own. */
export interface AzureIdentityOptions {
  /** The client id of a user-assigned managed identity. @defaultValue the system-assigned identity */
  clientId?: string
  /** Supplies a bearer token for the service instead of the managed identity. */
  token?: () => Promise<string>
}

/** A provider's access to its bearer token. */
export interface AzureToken {
  get(): Promise<string>
  /** Forget the cached token (the service answered 401). */
  invalidate(): void
}

const IMDS = 'http://169.254.169.254/metadata/identity/oauth2/token'
const tokens = new Map<string, TokenCache>()

/** The bearer token for `resource` (`https://vault.azure.net`, `https://azconfig.io`). */
export function azureToken(info: SecretErrorInfo, resource: string, opts: AzureIdentityOptions): AzureToken {
  const tokenCache = (key: string) => {
    let cache = tokens.get(key)
    if (!cache) tokens.set(key, (cache = new TokenCache()))
    return cache
  }
  const identity = () => {
    const endpoint = envVar('IDENTITY_ENDPOINT')
    const header = envVar('IDENTITY_HEADER')
    const url = new URL(endpoint && header ? endpoint : IMDS)
    url.searchParams.set('resource', resource)
    url.searchParams.set('api-version', endpoint && header ? '2019-08-01' : '2018-02-01')
    if (opts.clientId) url.searchParams.set('client_id', opts.clientId)
    const headers: Record<string, string> = endpoint && header ? { 'X-IDENTITY-HEADER': header } : { Metadata: 'true' }
    return { url: url.href, headers }
  }
  return {
    async get() {
      if (opts.token) return opts.token()
      const { url, headers } = identity()
      return tokenCache(url).get(async () => {
        const response = await request(info, url, { headers })
        const body = (await readJson(info, response)) as { access_token?: unknown; expires_on?: unknown } | null
        if (!response.ok || typeof body?.access_token !== 'string') {
          throw replyFailure(info, response.ok ? 'unavailable' : classifyStatus(response.status) === 'not-found' ? 'denied' : classifyStatus(response.status), response, undefined, 'no managed identity token')
        }
        const expiresOn = Number(body.expires_on)
        return { token: body.access_token, expiresAt: Number.isFinite(expiresOn) ? expiresOn * 1000 : Date.now() + 5 * 60_000 }
      })
    },
    invalidate() {
      if (!opts.token) tokenCache(identity().url).clear()
    },
  }
}
