/**
 * The few Workers runtime shapes this adapter touches, typed structurally.
 * `@cloudflare/workers-types` is deliberately not a dependency: its globals
 * clash with the DOM and Node types of a mixed project. Each interface holds
 * only the members used here, so the runtime's own objects (and the
 * workers-types declarations) are assignable to them.
 */

/** The third argument of every Workers handler. */
export interface WorkersExecutionContext {
  /**
   * Keeps the Worker alive until `promise` settles, after the response has
   * been sent; the adapter passes its background work (`ctx.waitUntil`) here.
   */
  waitUntil(promise: Promise<unknown>): void
  /**
   * Sends the request on to the origin behind the Worker if it throws
   * (`fetch` of a Worker on a route only). Reach it from a handler with
   * `workerRaw(ctx).executionContext`.
   */
  passThroughOnException?(): void
  /** What the caller of a Worker entrypoint passed as `props` (service bindings), when any. */
  readonly props?: unknown
}

/** Options of `Message.retry()`. */
export interface QueueRetryOptions {
  /** Seconds before the message is delivered again; Cloudflare allows 0 to 43,200 (12 hours). */
  delaySeconds?: number
}

/** One message of a queue batch, as the runtime hands it to `queue()`. */
export interface QueueMessage<Body = unknown> {
  readonly id: string
  readonly timestamp: Date
  readonly body: Body
  /** Delivery count: 1 on the first delivery. */
  readonly attempts: number
  /** Marks the message delivered, so that it is not retried whatever becomes of the rest of the batch. */
  ack(): void
  /**
   * Asks for the message to be delivered again, after `options.delaySeconds`
   * or else the queue's `retry_delay`; past `max_retries` it goes to the
   * dead-letter queue, if there is one.
   */
  retry(options?: QueueRetryOptions): void
}

/** The first argument of `queue()`. */
export interface MessageBatch<Body = unknown> {
  /** The queue's name, as in `wrangler.toml`. */
  readonly queue: string
  readonly messages: readonly QueueMessage<Body>[]
  /** Acknowledges every message the Worker did not settle one by one. */
  ackAll(): void
  /** Asks for every message the Worker did not settle one by one to be delivered again. */
  retryAll(options?: QueueRetryOptions): void
}

/** The first argument of `scheduled()`. */
export interface ScheduledController {
  /** The cron expression that fired, as in `wrangler.toml` (empty when triggered by hand). */
  readonly cron: string
  /** Epoch milliseconds the trigger was scheduled for. */
  readonly scheduledTime: number
  /** Tells the runtime not to retry this trigger if the handler fails. */
  noRetry(): void
}

/**
 * What `ctx.provider.raw` holds for an invocation from Workers: always the
 * `env` bindings and the execution context, plus the trigger's own input.
 * `faasade/secrets`' `fromEnv` reads `env` from here.
 */
export interface WorkersRaw<Env = unknown> {
  readonly env: Env
  readonly executionContext: WorkersExecutionContext
  /** `fetch` only. */
  readonly request?: Request
  /** `queue` only: the batch and the message this invocation of the handler is for. */
  readonly batch?: MessageBatch
  readonly message?: QueueMessage
  /** `scheduled` only. */
  readonly controller?: ScheduledController
}

/**
 * A module Worker's default export. It satisfies `ExportedHandler<Env>` of
 * `@cloudflare/workers-types`: every parameter type here is wider than the
 * runtime's.
 */
export interface WorkerEntrypoint {
  /** Serves an HTTP request: the HTTP app, or CloudEvents over HTTP to the event handlers. */
  fetch(request: Request, env: unknown, ctx: WorkersExecutionContext): Promise<Response>
  /** Handles a queue batch, one CloudEvent per message, acknowledging or retrying each message by its outcome. */
  queue(batch: MessageBatch, env: unknown, ctx: WorkersExecutionContext): Promise<void>
  /** Handles a cron trigger as one CloudEvent. */
  scheduled(controller: ScheduledController, env: unknown, ctx: WorkersExecutionContext): Promise<void>
}
