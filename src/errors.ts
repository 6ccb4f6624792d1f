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
import { scrubber } from './redact.js'

/**
 * A brand instead of `instanceof` alone: two copies of faasade in one bundle
 * (or a CJS and an ESM copy) must still recognise each other's errors.
 */
const BRAND = Symbol.for('faasade.error')

/**
 * Bounds of a problem body: what a caller's input can put in a reply is
 * capped, so that a hostile request cannot make a reply (or a log line) many
 * times its own size. The first issues are what a sender needs to fix first.
 */
const MAX_ISSUES = 20
const MAX_DETAIL = 1_000
const MAX_ISSUE_MESSAGE = 300
const MAX_ISSUE_PATH = 200

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
  /** Extension member: present on validation problems; the first 20 issues. */
  issues?: Array<{ message: string; path?: string }>
  /** Extension member: how many issues there were beyond those in `issues`. */
  issuesTruncated?: number
  [extension: string]: unknown
}

/**
 * The options every faasade error takes: the error it wraps, and a detail
 * that is safe to show a caller, kept apart from the message, which may
 * hold internals and is only logged.
 *
 * @example
 * ```ts
 * import { PermanentError } from 'faasade'
 * throw new PermanentError(`order ${id} has no customer`, { detail: 'The order has no customer', cause: error })
 * ```
 */
export interface FaasadeErrorOptions {
  /** The error this one wraps, as the standard `Error.cause`. */
  cause?: unknown
  /**
   * A short, safe text for HTTP replies (its `detail`, cut at 1,000
   * characters); the message itself is only logged. The reply's `title` is
   * fixed by the class.
   */
  detail?: string
}

/**
 * Base of the family. Not thrown directly: throw one of the subclasses.
 *
 * `name` is the class's name as a literal, so that it survives a minifier
 * (which renames classes). A subclass of yours is named after its
 * constructor, which a minifier renames too: give it a `name` field to keep
 * it. Its HTTP `title` is its parent's, unless it overrides `title()`.
 *
 * @example
 * ```ts
 * class OrderClosedError extends PermanentError {
 *   override readonly name = 'OrderClosedError'
 *   protected override title() { return 'Order closed' }
 * }
 * throw new OrderClosedError(`order ${id} is closed`, { detail: 'The order is closed' })
 * // HTTP 422 {"type":"about:blank","title":"Order closed","status":422,"detail":"The order is closed"}
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

  /**
   * RFC 9457 problem+json body: a fixed `title` for the class, the `detail`
   * given, and nothing else of the error's: never its message, a stack or a
   * cause. Every value a secret registered (`addRedaction`) is scrubbed
   * from it, as from log lines. To add members, override `renderProblem`.
   */
  toProblem(): Problem {
    const problem = this.renderProblem()
    const scrub = scrubber.scrub
    // Value by value, through JSON as the logger does: a secret may sit in any member.
    return scrub ? (JSON.parse(JSON.stringify(problem, (_key, value: unknown) => scrub(value))) as Problem) : problem
  }

  /** The problem body before it is scrubbed: a subclass adds its extension members here. */
  protected renderProblem(): Problem {
    const problem: Problem = { type: this.problemType, title: this.title(), status: this.status }
    if (this.detail !== undefined) problem.detail = clip(this.detail, MAX_DETAIL)
    return problem
  }

  /** The problem's `title`: fixed text for the class, never the message (which may hold anything). */
  protected title(): string {
    return this.retryable ? 'Temporarily unavailable' : 'Request failed'
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

  /** The first 20 issues, each cut to a bounded length, and how many more there were. */
  protected override renderProblem(): Problem {
    const problem = super.renderProblem()
    problem.issues = this.issues.slice(0, MAX_ISSUES).map((issue) => {
      const message = clip(String(issue.message), MAX_ISSUE_MESSAGE)
      return issue.path?.length ? { message, path: clip(issuePath(issue), MAX_ISSUE_PATH) } : { message }
    })
    if (this.issues.length > MAX_ISSUES) problem.issuesTruncated = this.issues.length - MAX_ISSUES
    return problem
  }

  protected override title(): string {
    return 'Validation failed'
  }
}

/** The request is not a CloudEvent we can read (a missing or bad attribute). */
export class InvalidEventError extends ValidationError {
  static override readonly errorName: string = 'InvalidEventError'
  override readonly problemType = 'https://faasade.dev/problems/invalid-cloudevent'

  protected override title(): string {
    return 'Invalid CloudEvent'
  }
}

/** The handler says: this will never succeed, do not redeliver. HTTP 422. */
export class PermanentError extends FaasadeError {
  static override readonly errorName: string = 'PermanentError'
  readonly status: number = 422
  readonly retryable = false

  protected override title(): string {
    return 'Permanent failure'
  }
}

/**
 * A delivery of CloudEvents over HTTP that the service's
 * `cloudEvents.authorize` refused. HTTP 401; never retried as it is.
 */
export class UnauthorizedError extends PermanentError {
  static override readonly errorName: string = 'UnauthorizedError'
  override readonly status = 401

  protected override title(): string {
    return 'Unauthorized'
  }
}

/** The request body is larger than the configured limit. HTTP 413. */
export class PayloadTooLargeError extends PermanentError {
  static override readonly errorName: string = 'PayloadTooLargeError'
  override readonly status = 413

  protected override title(): string {
    return 'Payload too large'
  }
}

/**
 * The options of a {@link RetryableError} and its subclasses: those of
 * every faasade error, and how long the provider should wait before
 * delivering the event again.
 *
 * @example
 * ```ts
 * import { RetryableError } from 'faasade'
 * throw new RetryableError('rate limited by the payment API', { retryAfterMs: 30_000 })
 * ```
 */
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

/**
 * A fault of the deployment, not of the event: a secret that does not exist
 * or may not be read, a store or client misconfigured. Retried (HTTP 503)
 * and logged at error, so that the messages wait, or reach the dead-letter
 * path by the platform's own count, while the deploy is fixed, instead of
 * a misconfigured deploy acknowledging (losing) its whole traffic.
 *
 * @example
 * ```ts
 * if (!process.env.STRIPE_ACCOUNT) throw new DeploymentError('STRIPE_ACCOUNT is not set')
 * ```
 */
export class DeploymentError extends RetryableError {
  static override readonly errorName: string = 'DeploymentError'

  protected override title(): string {
    return 'Service misconfigured'
  }
}

/**
 * A valid event that no handler of the service accepts: the deployment
 * lacks the handler (a handler left out, a type misspelt), not the event's
 * fault, so it is retried (HTTP 503) until the deployment is fixed, and
 * reaches the dead-letter path by the platform's own count meanwhile.
 */
export class NoHandlerError extends RetryableError {
  static override readonly errorName: string = 'NoHandlerError'
  override readonly problemType = 'https://faasade.dev/problems/no-handler'

  protected override title(): string {
    return 'No handler'
  }
}

/** The invocation's deadline passed before the work finished. Retryable. */
export class TimeoutError extends RetryableError {
  static override readonly errorName: string = 'TimeoutError'

  protected override title(): string {
    return 'Timed out'
  }
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

/** `text` cut to `max` characters, with an ellipsis when cut, never in the middle of a surrogate pair. */
function clip(text: string, max: number): string {
  if (text.length <= max) return text
  const end = /[\uD800-\uDBFF]/.test(text.charAt(max - 2)) ? max - 2 : max - 1
  return `${text.slice(0, end)}…`
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
  if (error instanceof ValidationError && error.issues.length > 0) {
    // As many as a reply carries: a hostile input can hold a million.
    fields.issues = error.issues.length > MAX_ISSUES ? error.issues.slice(0, MAX_ISSUES) : error.issues
    if (error.issues.length > MAX_ISSUES) fields.issuesTruncated = error.issues.length - MAX_ISSUES
  }
  if (error.cause !== undefined) fields.cause = error.cause
  return fields
}
