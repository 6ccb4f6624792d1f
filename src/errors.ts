/**
 * One error family for every provider. An adapter never looks at a message
 * or a `name` string: it asks {@link outcomeOf} (in `outcome.ts`) what an
 * error means, and that answer comes from the class and its brand.
 *
 * @example
 * ```ts
 * import { PermanentError, RetryableError } from 'faasade'
 * if (!order) throw new PermanentError('order does not exist')   // never retried
 * if (rateLimited) throw new RetryableError('stripe is throttling', { retryAfterMs: 2_000 })
 * ```
 */

/**
 * A brand instead of `instanceof` alone: two copies of faasade in one bundle
 * (or a CJS and an ESM copy) must still recognise each other's errors.
 */
const BRAND = Symbol.for('faasade.error')

/** A schema or event problem, in the shape of Standard Schema issues. */
export interface Issue {
  readonly message: string
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }>
}

/** RFC 9457 problem details, as faasade renders every error on HTTP. */
export interface Problem {
  type: string
  title: string
  status: number
  detail?: string
  instance?: string
  /** Extension member: present on validation problems. */
  issues?: Array<{ message: string; path?: string }>
  [extension: string]: unknown
}

export interface FaasadeErrorOptions {
  cause?: unknown
  /** A short, safe text for HTTP replies; the message itself is only logged. */
  detail?: string
}

/**
 * Base of the family. Not thrown directly: throw one of the subclasses.
 *
 * `name` is the class's name as a literal, so that it survives a minifier
 * (which renames classes). A subclass of yours is named after its
 * constructor, which a minifier renames too: give it a `name` field to keep it.
 *
 * @example
 * ```ts
 * class OrderClosedError extends PermanentError {
 *   override readonly name = 'OrderClosedError'
 * }
 * ```
 */
export abstract class FaasadeError extends Error {
  /**
   * The `name` of this class's errors. Each of our classes sets its own, as
   * a literal: `new.target.name` is whatever a minifier made of it.
   * @internal
   */
  static readonly errorName: string = 'FaasadeError'
  /** The HTTP status this error is rendered with. */
  abstract readonly status: number
  /** Whether a redelivery could succeed. */
  abstract readonly retryable: boolean
  /** A URI (or `about:blank`) naming the problem type. */
  readonly problemType: string = 'about:blank'
  readonly detail: string | undefined

  constructor(message: string, options: FaasadeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    // One of ours has its literal; a user's subclass has only its
    // constructor's name (none for an anonymous class: then ours it extends).
    const target = new.target as unknown as typeof FaasadeError
    this.name = (Object.hasOwn(target, 'errorName') ? target.errorName : target.name) || target.errorName
    this.detail = options.detail
    Object.defineProperty(this, BRAND, { value: true })
  }

  /** RFC 9457 problem+json body. Never contains a stack or a cause. */
  toProblem(): Problem {
    const problem: Problem = { type: this.problemType, title: this.title(), status: this.status }
    if (this.detail !== undefined) problem.detail = this.detail
    return problem
  }

  protected title(): string {
    return this.message
  }
}

/** True for any faasade error, from this copy of the library or another. */
export function isFaasadeError(error: unknown): error is FaasadeError {
  return (error as Record<symbol, unknown> | null | undefined)?.[BRAND] === true
}

/**
 * The input does not satisfy its schema, or is not a valid event at all.
 * Never retried: the same input fails the same way. HTTP 400.
 */
export class ValidationError extends FaasadeError {
  static override readonly errorName: string = 'ValidationError'
  readonly status: number = 400
  readonly retryable = false
  override readonly problemType: string = 'https://faasade.dev/problems/validation'
  readonly issues: readonly Issue[]

  constructor(message: string, issues: readonly Issue[] = [], options: FaasadeErrorOptions = {}) {
    super(message, options)
    this.issues = issues
  }

  override toProblem(): Problem {
    return {
      ...super.toProblem(),
      issues: this.issues.map((issue) => (issue.path?.length ? { message: issue.message, path: issuePath(issue) } : { message: issue.message })),
    }
  }
}

/** The request is not a CloudEvent we can read (a missing or bad attribute). */
export class InvalidEventError extends ValidationError {
  static override readonly errorName: string = 'InvalidEventError'
  override readonly problemType = 'https://faasade.dev/problems/invalid-cloudevent'
}

/** The handler says: this will never succeed, do not redeliver. HTTP 422. */
export class PermanentError extends FaasadeError {
  static override readonly errorName: string = 'PermanentError'
  readonly status: number = 422
  readonly retryable = false
}

/** A valid event that no handler of the service accepts. HTTP 404. */
export class NoHandlerError extends PermanentError {
  static override readonly errorName: string = 'NoHandlerError'
  override readonly status = 404
  override readonly problemType = 'https://faasade.dev/problems/no-handler'
}

/** The request body is larger than the configured limit. HTTP 413. */
export class PayloadTooLargeError extends PermanentError {
  static override readonly errorName: string = 'PayloadTooLargeError'
  override readonly status = 413
}

export interface RetryableErrorOptions extends FaasadeErrorOptions {
  /** Ask the provider to wait this long before redelivering, where it can. */
  retryAfterMs?: number
}

/**
 * A failure that a later delivery may not hit (throttling, a dependency that
 * is down). HTTP 503, or 429 with `Retry-After` when `retryAfterMs` is set.
 */
export class RetryableError extends FaasadeError {
  static override readonly errorName: string = 'RetryableError'
  readonly retryable = true
  readonly retryAfterMs: number | undefined

  constructor(message: string, options: RetryableErrorOptions = {}) {
    super(message, options)
    this.retryAfterMs = options.retryAfterMs
  }

  get status(): number {
    return this.retryAfterMs === undefined ? 503 : 429
  }
}

/** The invocation's deadline passed before the work finished. Retryable. */
export class TimeoutError extends RetryableError {
  static override readonly errorName: string = 'TimeoutError'
}

/**
 * Wraps an error that is not ours, so that it can be rendered without
 * exposing its message: an unknown error's text may hold anything.
 */
export class UnexpectedError extends RetryableError {
  static override readonly errorName: string = 'UnexpectedError'
  protected override title(): string {
    return 'Internal error'
  }
}

/** A middleware or handler was configured wrongly: thrown at definition time. */
export class ConfigurationError extends TypeError {
  constructor(message: string) {
    super(message)
    this.name = 'ConfigurationError'
  }
}

/** Any thrown value as one of ours; unknown errors become retryable. */
export function toFaasadeError(error: unknown): FaasadeError {
  if (isFaasadeError(error)) return error
  // No stack of its own: its frames would all be ours, and logs show the
  // cause's instead. Capturing them cost a failed record about 3 µs.
  // Reflect.set, because a frozen Error (SES) must not make this throw.
  const limit = Error.stackTraceLimit
  Reflect.set(Error, 'stackTraceLimit', 0)
  try {
    return new UnexpectedError('Internal error', { cause: error })
  } finally {
    Reflect.set(Error, 'stackTraceLimit', limit)
  }
}

/** An issue's path as dotted text (`items.0.id`), or `''` when it has none. */
export function issuePath(issue: Issue): string {
  return (issue.path ?? []).map((p) => String(typeof p === 'object' && p !== null ? p.key : p)).join('.')
}

/**
 * An error as log fields: our own errors by name, status and message (their
 * stack says nothing the message does not); an unexpected one in full, with
 * the original error that caused it.
 */
export function describeError(error: unknown): Record<string, unknown> {
  if (!isFaasadeError(error)) return { error }
  if (error instanceof UnexpectedError) return { error: error.cause ?? error }
  const fields: Record<string, unknown> = { errorName: error.name, errorMessage: error.message, status: error.status }
  if (error instanceof ValidationError && error.issues.length > 0) fields.issues = error.issues
  if (error.cause !== undefined) fields.cause = error.cause
  return fields
}
