/**
 * What a handler gets besides its event: a logger, the time it has left, a
 * way to finish work after the reply, the delivery count, and the native
 * event for escape hatches. Middleware add typed fields on top.
 *
 * @example
 * ```ts
 * async handle(event, ctx) {
 *   const res = await fetch(url, { signal: ctx.signal })   // aborted at the deadline
 *   ctx.waitUntil(flushMetrics())
 *   if (ctx.attempt && ctx.attempt > 3) ctx.log.warn('slow to succeed', { attempt: ctx.attempt })
 * }
 * ```
 */
import { TimeoutError } from './errors.js'
import type { CloudEvent } from './event.js'
import { lazyChild } from './lazy-logger.js'
import { createLogger, type Logger } from './logger.js'
import type { Trace } from './observability/trace.js'

/** Which provider delivered the event, and its native input as received. */
export interface ProviderInfo<Raw = unknown> {
  /** `'aws-lambda'`, `'azure-functions'`, `'cloud-run'`, `'cloudflare-workers'`, `'http'`, `'test'`, … */
  readonly name: string
  /** The native event and context objects, untouched. */
  readonly raw: Raw
  /**
   * The platform's environment bindings, where it hands them to each
   * invocation rather than through `process.env` (a Worker's `env`).
   * `fromEnv` reads a variable here first.
   */
  readonly env?: Readonly<Record<string, unknown>>
}

/**
 * Facts of the invocation that delivered the event, for logs and traces:
 * every adapter fills what its platform tells, through the adapter kit.
 */
export interface InvocationFacts {
  /** The platform's id of the invocation (Lambda's `awsRequestId`, Azure's `invocationId`, a Workers ray id). */
  readonly requestId?: string
  /** Whether this is the first invocation the instance serves. */
  readonly coldStart?: boolean
  /** The W3C `traceparent` the delivery carries, where it carries one. */
  readonly traceparent?: string
  /** The W3C `tracestate` that goes with it. */
  readonly tracestate?: string
}

/** The context every handler and middleware receives. */
export interface Context {
  readonly log: Logger
  /** Epoch milliseconds by which the work must finish; `Infinity` when the provider sets none. */
  readonly deadline: number
  /** Aborts when the deadline passes, with a {@link TimeoutError} as its reason. */
  readonly signal: AbortSignal
  /** Milliseconds left before the deadline (never negative). */
  remainingMs(): number
  /** Keep the invocation alive until `promise` settles, after the reply if the provider allows. */
  waitUntil(promise: Promise<unknown>): void
  /** Delivery count, 1 for the first delivery, when the provider tells it. */
  readonly attempt: number | undefined
  readonly provider: ProviderInfo
  /** What the platform said of this invocation: request id, cold start, trace context. */
  readonly invocation: InvocationFacts
  /**
   * This delivery's place in its distributed trace: the trace and span ids
   * its log lines carry, and `inject(carrier)` for what the handler sends
   * on, so that the receiver continues the trace. Every adapter that
   * observes its deliveries sets it (Lambda, Azure Functions and Cloud Run
   * always; a Worker with the `observe` option); `undefined` elsewhere (a
   * context made by `createContext`).
   *
   * @example
   * ```ts
   * await fetch(url, { headers: ctx.trace?.inject({ 'content-type': 'application/json' }) })
   * ```
   */
  readonly trace: Trace | undefined
}

/**
 * What {@link createContext} builds a context from: the provider, and what
 * the platform tells of this invocation. Adapters fill it; a test can too,
 * and leaves out what it does not care about.
 *
 * @example
 * ```ts
 * import { createContext } from 'faasade'
 * const ctx = createContext({ provider: { name: 'test', raw: undefined }, deadline: Date.now() + 5_000, attempt: 1 })
 * ctx.remainingMs() // about 5000
 * ```
 */
export interface ContextInit {
  /** The provider's name and native input, as `ctx.provider`. */
  provider: ProviderInfo
  /** Epoch milliseconds by which the invocation must end. @defaultValue `Infinity` */
  deadline?: number
  /** Delivery count, 1 for the first delivery, when the provider tells it. */
  attempt?: number
  /** The logger as `ctx.log`. @defaultValue a JSON logger shared by all contexts that have none */
  log?: Logger
  /** The provider's own `waitUntil`; without one, promises are collected for {@link drainWaitUntil}. */
  waitUntil?: (promise: Promise<unknown>) => void
  /** @defaultValue `Date.now` */
  now?: () => number
  /** @defaultValue `{}` */
  invocation?: InvocationFacts
  /**
   * The platform's own signal, which aborts `ctx.signal` too, with its own
   * reason: what ends the invocation before its deadline (an HTTP client
   * that went away). Asked for when `ctx.signal` is first read: most
   * handlers never read it, and a signal is not free.
   */
  signal?: () => AbortSignal
}

let defaultLogger: Logger | undefined
const NO_FACTS: InvocationFacts = Object.freeze({})

class InvocationContext implements Context {
  readonly log: Logger
  readonly deadline: number
  readonly attempt: number | undefined
  // Declared only: an observer sets it (`extendContext`), and a Worker that observes nothing carries no code for it.
  declare readonly trace: Trace | undefined
  #provider: ProviderInfo
  #invocation: InvocationFacts
  #signal: AbortSignal | undefined
  #also: (() => AbortSignal) | undefined
  #now: () => number
  #waitUntil: ((promise: Promise<unknown>) => void) | undefined
  #pending: Promise<unknown>[] | undefined

  constructor(init: ContextInit) {
    this.#provider = init.provider
    this.#invocation = init.invocation ?? NO_FACTS
    this.deadline = init.deadline ?? Infinity
    this.attempt = init.attempt
    this.log = init.log ?? (defaultLogger ??= createLogger())
    this.#now = init.now ?? Date.now
    this.#waitUntil = init.waitUntil
    this.#also = init.signal
  }

  // Behind a getter, not an own property: util.inspect (a console.log of
  // ctx) shows own properties only, and provider.raw may hold credentials
  // (the env bindings on Workers). A Symbol.for(inspect.custom) method would
  // do the same but keeps the class in every bundle, used or not.
  get provider(): ProviderInfo {
    return this.#provider
  }

  get invocation(): InvocationFacts {
    return this.#invocation
  }

  // Made on first use: most handlers never read it, and a timer per
  // invocation is not free.
  get signal(): AbortSignal {
    return (this.#signal ??= deadlineSignal(this.deadline - this.#now(), this.#also))
  }

  remainingMs(): number {
    return Math.max(0, this.deadline - this.#now())
  }

  waitUntil(promise: Promise<unknown>): void {
    const guarded = promise.catch((error: unknown) => this.log.error('waitUntil task failed', { error }))
    if (this.#waitUntil) this.#waitUntil(guarded)
    else (this.#pending ??= []).push(guarded)
  }

  /** @internal */
  async drain(): Promise<void> {
    // Until none is left: a waitUntil task may hand more work to waitUntil.
    for (let pending; (pending = this.#pending); ) {
      this.#pending = undefined
      await Promise.all(pending)
    }
  }

  // The native event may be large or hold credentials: a serialised context
  // names the provider and nothing of its raw input.
  toJSON(): Record<string, unknown> {
    // Own fields (middleware additions included) but the logger; `provider`
    // is a getter on the prototype, so the spread never copies it.
    return {
      ...this,
      log: undefined,
      deadline: Number.isFinite(this.deadline) ? new Date(this.deadline).toISOString() : null,
      provider: { name: this.provider.name },
      invocation: this.#invocation,
    }
  }
}

/** Creates a context for one invocation (one item of a batch gets its own). */
export function createContext(init: ContextInit): Context {
  return new InvocationContext(init)
}

/**
 * The context of one event's delivery: the one place every door (each
 * adapter through the adapter kit, the fetch handler, `faasade/testing`)
 * makes a handler's context, so that what a context carries is decided
 * once. Its logger's lines carry the event's `id` and `type` (the child is
 * made on the first line).
 *
 * @example
 * ```ts
 * const ctx = contextForEvent(event, { provider: { name: 'my-queue', raw: message }, log, deadline, attempt: 2 })
 * await dispatch(service, event, ctx)
 * ```
 */
export function contextForEvent(event: Pick<CloudEvent, 'id' | 'type'>, init: ContextInit & { log: Logger }): Context {
  return new InvocationContext({ ...init, log: lazyChild(init.log, { eventId: event.id, eventType: event.type }) })
}

/**
 * Waits for the `waitUntil` work of a context created without a provider
 * `waitUntil`. Adapters on providers that freeze the instance after the reply
 * (Lambda, say) call this before they return.
 */
export function drainWaitUntil(ctx: Context): Promise<void> {
  return ctx instanceof InvocationContext ? ctx.drain() : Promise.resolve()
}

/**
 * Adds a middleware's fields to `ctx`. The same object is extended, not
 * copied, so that a later middleware's additions are visible to earlier ones
 * on the way out.
 */
export function extendContext<C extends Context, A extends object>(ctx: C, additions: A | undefined): C & A {
  if (additions) Object.assign(ctx, additions)
  return ctx as C & A
}

/** Aborts in `left` ms (never when `Infinity`), or as soon as the signal `also` gives does. */
function deadlineSignal(left: number, also: (() => AbortSignal) | undefined): AbortSignal {
  const controller = new AbortController()
  const abort = () => controller.abort(new TimeoutError('The invocation deadline passed'))
  if (left <= 0) abort()
  // A pending deadline must not keep a Node process alive on its own.
  else if (left < Infinity) (setTimeout(abort, left) as unknown as { unref?: () => void }).unref?.()
  return also ? AbortSignal.any([controller.signal, also()]) : controller.signal
}
