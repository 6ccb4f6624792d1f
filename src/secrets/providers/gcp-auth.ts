/**
 * What the Google Cloud providers share (Secret Manager, Parameter
 * Manager): the bearer token, from the metadata server (Cloud Run, Cloud
 * Functions, GCE, GKE with workload identity) or from your function, cached
 * per token URL until a minute before it expires; the project from the
 * environment; and Google's error body (`{ error: { code, message, status
 * } }`) mapped onto the secret failures.
 *
 * - token: `GET http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token`
 *   with `Metadata-Flavor: Google` -> `{ access_token, expires_in, token_type }`
 *   (`GCE_METADATA_HOST` moves the host);
 * - errors: `NOT_FOUND` and `PERMISSION_DENIED` are deployment faults,
 *   `RESOURCE_EXHAUSTED` and 5xx retryable, a 401 drops the cached token
 *   and is retryable.
 */
import type { FailureKind, SecretError, SecretErrorInfo } from '../errors.js'
import { classifyStatus, envVar, readJson, replyFailure, request, TokenCache } from './http.js'

/** Where a Google Cloud provider gets its bearer token. */
export interface GcpAuthOptions {
  /**
   * Where the access token comes from.
   * @defaultValue the metadata server: `http://{GCE_METADATA_HOST ?? 'metadata.google.internal'}/computeMetadata/v1/instance/service-accounts/default/token`
   */
  tokenUrl?: string
  /** Supplies a bearer token instead of the metadata server (e.g. from a workload identity federation flow). */
  token?: () => Promise<string>
}

/** A provider's access to its bearer token. */
export interface GcpToken {
  /** The token, from cache while it is good. */
  get(): Promise<string>
  /** Forget the cached token (the service answered 401). */
  invalidate(): void
}

const tokens = new Map<string, TokenCache>()

/** The project the environment names, if any. */
export function gcpProject(): string | undefined {
  return envVar('GOOGLE_CLOUD_PROJECT') ?? envVar('GCLOUD_PROJECT') ?? envVar('GCP_PROJECT')
}

/** The bearer token for `info`'s calls, as `opts` says to get it. */
export function gcpToken(info: SecretErrorInfo, opts: GcpAuthOptions): GcpToken {
  const tokenUrl = () =>
    opts.tokenUrl ?? `http://${envVar('GCE_METADATA_HOST') ?? 'metadata.google.internal'}/computeMetadata/v1/instance/service-accounts/default/token`
  const tokenCache = () => {
    const url = tokenUrl()
    let cache = tokens.get(url)
    if (!cache) tokens.set(url, (cache = new TokenCache()))
    return cache
  }
  return {
    async get() {
      if (opts.token) return opts.token()
      return tokenCache().get(async () => {
        const response = await request(info, tokenUrl(), { headers: { 'Metadata-Flavor': 'Google' } })
        const body = (await readJson(info, response)) as { access_token?: unknown; expires_in?: unknown } | null
        if (!response.ok || typeof body?.access_token !== 'string') {
          // The metadata server answers 404 when the instance has no service account.
          throw replyFailure(info, response.ok ? 'unavailable' : classifyStatus(response.status) === 'not-found' ? 'denied' : classifyStatus(response.status), response, undefined, 'no access token from the metadata server')
        }
        const seconds = typeof body.expires_in === 'number' ? body.expires_in : 300
        return { token: body.access_token, expiresAt: Date.now() + seconds * 1000 }
      })
    },
    invalidate() {
      if (!opts.token) tokenCache().clear()
    },
  }
}

/** The typed error for a Google API's non-2xx reply, given its body parsed. */
export function gcpFailure(info: SecretErrorInfo, response: Response, body: unknown): SecretError {
  const error = (body as { error?: { status?: unknown; message?: unknown } } | null)?.error
  const status = typeof error?.status === 'string' ? error.status : undefined
  const message = typeof error?.message === 'string' ? error.message : undefined
  return replyFailure(info, classifyGcp(status, response.status), response, status, message)
}

/** A Google status name (or, without one, the HTTP status) as a failure kind. */
export function classifyGcp(status: string | undefined, http: number): FailureKind {
  switch (status) {
    case 'NOT_FOUND':
      return 'not-found'
    case 'PERMISSION_DENIED':
      return 'denied'
    case 'UNAUTHENTICATED':
    case 'RESOURCE_EXHAUSTED':
    case 'UNAVAILABLE':
    case 'INTERNAL':
    case 'DEADLINE_EXCEEDED':
    case 'ABORTED':
      return 'unavailable'
    case 'INVALID_ARGUMENT':
    case 'FAILED_PRECONDITION': // the version is disabled or destroyed
      return 'invalid'
    default:
      return http === 401 ? 'unavailable' : classifyStatus(http)
  }
}
