/**
 * Small pieces the REST providers share: base64, reading env, and turning a
 * fetch failure or a non-2xx reply into a typed secret error. No provider
 * SDK, no Node built-ins: these run on Workers too.
 */
import { networkFailure, secretFailure, type FailureKind, type SecretError, type SecretErrorInfo } from '../errors.js'

/** Decodes standard base64 (what JSON carries for bytes). */
export function base64ToBytes(text: string): Uint8Array {
  const binary = atob(text)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

/** Reads an environment variable where there is a `process.env`. */
export function envVar(name: string): string | undefined {
  const value = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name]
  return value === '' ? undefined : value
}

/**
 * How long one request to a secret store or token endpoint may take. A hung
 * metadata server must not hold every invocation that shares the fetch
 * until its deadline; a timeout is a retryable failure.
 */
export const REQUEST_TIMEOUT_MS = 10_000

/** `fetch` with {@link REQUEST_TIMEOUT_MS}, a network failure turned into a retryable secret error. */
export async function request(info: SecretErrorInfo, url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })
  } catch (error) {
    throw networkFailure(info, error)
  }
}

/**
 * Runs `work` with a signal that aborts after `ms` with a DOMException named
 * `TimeoutError`, for as long as `work` runs (reading the reply included).
 * Not `AbortSignal.timeout()` where the signal goes through a library that
 * rebuilds the request (aws4fetch): that timer holds its signal only
 * weakly, so once the library drops the signal, garbage collection takes
 * both and the request never times out. A `setTimeout` holds its callback,
 * and through it the controller, until it fires or is cleared.
 */
export async function withTimeout<T>(ms: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(new DOMException(`The request timed out after ${ms} ms`, 'TimeoutError')), ms)
  try {
    return await work(controller.signal)
  } finally {
    clearTimeout(timer)
  }
}

/** Reads a reply body as JSON; a body that is not JSON is the provider misbehaving: retryable. */
export async function readJson(info: SecretErrorInfo, response: Response): Promise<unknown> {
  return parseJson(info, response.status, await response.text())
}

/** {@link readJson} for a body already read. */
export function parseJson(info: SecretErrorInfo, status: number, text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    // No cause: the text may be the secret itself.
    throw secretFailure('unavailable', info, `the reply (HTTP ${status}) is not JSON`)
  }
}

/** `Retry-After` in ms, from seconds or an HTTP date. */
export function retryAfterMs(response: Response): number | undefined {
  const header = response.headers.get('retry-after')
  if (!header) return undefined
  const seconds = Number(header)
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
  const date = Date.parse(header)
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined
}

/** A typed error for a failed reply, with the provider's own error code and message (never the secret). */
export function replyFailure(info: SecretErrorInfo, kind: FailureKind, response: Response, code: string | undefined, message: string | undefined): SecretError {
  const detail = `HTTP ${response.status}${code ? ` ${code}` : ''}${message ? `: ${message}` : ''}`
  return secretFailure(kind, info, detail, kind === 'unavailable' ? retryAfterMs(response) : undefined)
}

/** Caches an access token until shortly before it expires; concurrent callers share one request. */
export class TokenCache {
  #token: string | undefined
  #expiresAt = 0
  #inflight: Promise<string> | undefined

  /** `fetchToken` resolves the token and its expiry (epoch ms). */
  async get(fetchToken: () => Promise<{ token: string; expiresAt: number }>, now: number = Date.now()): Promise<string> {
    if (this.#token !== undefined && now < this.#expiresAt) return this.#token
    this.#inflight ??= fetchToken().then(
      ({ token, expiresAt }) => {
        // Renew a minute early so that a token never expires in flight.
        this.#token = token
        this.#expiresAt = expiresAt - 60_000
        this.#inflight = undefined
        return token
      },
      (error: unknown) => {
        this.#inflight = undefined
        throw error
      },
    )
    return this.#inflight
  }

  /** Forget the token (the provider answered 401). */
  clear(): void {
    this.#token = undefined
    this.#expiresAt = 0
  }
}

/** The classification of a bare HTTP status. */
export function classifyStatus(status: number | undefined): FailureKind {
  if (status === undefined || status >= 500 || status === 429 || status === 408) return 'unavailable'
  if (status === 404) return 'not-found'
  if (status === 401 || status === 403) return 'denied'
  return 'invalid'
}
