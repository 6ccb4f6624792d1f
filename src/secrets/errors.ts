/**
 * What can go wrong when a secret is loaded, as members of the faasade error
 * family, so every adapter already knows whether to redeliver.
 *
 * Every message names the secret (its name or identifier, never its value),
 * and none carries a cause that could hold the value: a `JSON.parse` error
 * quotes the text it choked on, and some schema libraries quote the input in
 * their issue messages, so neither is ever attached.
 *
 * The HTTP rendering (`toProblem`) says only that a secret could not be
 * loaded: a secret's name is deployment detail a caller has no use for.
 *
 * @example
 * ```ts
 * import { SecretNotFoundError } from 'faasade/secrets'
 * try { await ctx.secrets.refresh('stripe') }
 * catch (error) { if (error instanceof SecretNotFoundError) ctx.log.error('stripe key is gone', { secret: error.secretName }) }
 * ```
 */
import { DeploymentError, RetryableError, type FaasadeErrorOptions, type RetryableErrorOptions } from '../errors.js'

/** Where the failing secret lives: which provider, and its name there. */
export interface SecretErrorInfo {
  /** The provider kind: `'env'`, `'aws-secrets-manager'`, `'lambda-extension'`, `'gcp-secret-manager'`, `'azure-key-vault'`, `'aws-ssm'`, `'aws-appconfig'`, `'gcp-parameter-manager'`, `'azure-app-configuration'`, … */
  readonly provider: string
  /** The secret's name or identifier at that provider. */
  readonly secretName: string
}

const TITLE = 'A secret the handler needs could not be loaded'

/** The secret does not exist (or that version does not): a fault of the deployment, retried. */
export class SecretNotFoundError extends DeploymentError implements SecretErrorInfo {
  static override readonly errorName: string = 'SecretNotFoundError'
  readonly provider: string
  readonly secretName: string
  constructor(info: SecretErrorInfo, message: string, options?: FaasadeErrorOptions) {
    super(`Secret "${info.secretName}" (${info.provider}) was not found: ${message}`, options)
    this.provider = info.provider
    this.secretName = info.secretName
  }
  protected override title(): string {
    return TITLE
  }
}

/** The function's identity may not read the secret (or has no credentials at all): a fault of the deployment, retried. */
export class SecretAccessDeniedError extends DeploymentError implements SecretErrorInfo {
  static override readonly errorName: string = 'SecretAccessDeniedError'
  readonly provider: string
  readonly secretName: string
  constructor(info: SecretErrorInfo, message: string, options?: FaasadeErrorOptions) {
    super(`Access to secret "${info.secretName}" (${info.provider}) was denied: ${message}`, options)
    this.provider = info.provider
    this.secretName = info.secretName
  }
  protected override title(): string {
    return TITLE
  }
}

/**
 * The secret was read but is not what the handler declared: not JSON when
 * `json: true`, rejected by its `schema`, binary where text was expected, or
 * the provider refused the request as malformed. A fault of the deployment
 * (the secret's value or the code's declaration), retried. For a schema
 * failure, `paths` lists where the value failed (keys only, no messages: some
 * libraries quote the input in them).
 */
export class SecretInvalidError extends DeploymentError implements SecretErrorInfo {
  static override readonly errorName: string = 'SecretInvalidError'
  readonly provider: string
  readonly secretName: string
  readonly paths: readonly string[]
  constructor(info: SecretErrorInfo, message: string, paths: readonly string[] = [], options?: FaasadeErrorOptions) {
    super(`Secret "${info.secretName}" (${info.provider}) is invalid: ${message}`, options)
    this.provider = info.provider
    this.secretName = info.secretName
    this.paths = paths
  }
  protected override title(): string {
    return TITLE
  }
}

/** The provider could not answer now: throttled, unreachable, a 5xx, an expired token. Retryable. */
export class SecretUnavailableError extends RetryableError implements SecretErrorInfo {
  static override readonly errorName: string = 'SecretUnavailableError'
  readonly provider: string
  readonly secretName: string
  constructor(info: SecretErrorInfo, message: string, options?: RetryableErrorOptions) {
    super(`Secret "${info.secretName}" (${info.provider}) is unavailable: ${message}`, options)
    this.provider = info.provider
    this.secretName = info.secretName
  }
  protected override title(): string {
    return TITLE
  }
}

/** Any of the four secret errors. */
export type SecretError = SecretNotFoundError | SecretAccessDeniedError | SecretInvalidError | SecretUnavailableError

/** True for an error raised while loading a secret. */
export function isSecretError(error: unknown): error is SecretError {
  return (
    error instanceof SecretNotFoundError ||
    error instanceof SecretAccessDeniedError ||
    error instanceof SecretInvalidError ||
    error instanceof SecretUnavailableError
  )
}

/**
 * The classification every provider maps its wire errors onto, so the
 * mapping from a status or error code to a class lives in one place.
 */
export type FailureKind = 'not-found' | 'denied' | 'invalid' | 'unavailable'

/** Builds the error for a classified failure. `detail` must never contain a secret value. */
export function secretFailure(kind: FailureKind, info: SecretErrorInfo, detail: string, retryAfterMs?: number): SecretError {
  switch (kind) {
    case 'not-found':
      return new SecretNotFoundError(info, detail)
    case 'denied':
      return new SecretAccessDeniedError(info, detail)
    case 'invalid':
      return new SecretInvalidError(info, detail)
    case 'unavailable':
      return new SecretUnavailableError(info, detail, retryAfterMs === undefined ? {} : { retryAfterMs })
  }
}

/** A failed `fetch` (connection refused, reset, DNS, abort): the network, so retryable. */
export function networkFailure(info: SecretErrorInfo, error: unknown): SecretUnavailableError {
  const code = (error as { cause?: { code?: unknown } } | null)?.cause?.code
  const why = typeof code === 'string' ? code : error instanceof Error ? error.name : 'network error'
  return new SecretUnavailableError(info, `request failed (${why})`, { cause: error })
}
