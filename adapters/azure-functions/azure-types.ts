/**
 * The `@azure/functions` v4 types the adapter speaks, imported as types
 * only: the adapter never loads the package (the host's worker already has
 * it, and the user's function app imports it to call `app.*`).
 */
import type { HttpRequest, HttpResponseInit, InvocationContext, Timer } from '@azure/functions'

export type { Cookie, HttpRequest, HttpResponseInit, InvocationContext, Timer } from '@azure/functions'

/**
 * `ctx.provider.raw` of every invocation from Azure Functions: the trigger's
 * input as the handler received it (an `HttpRequest`, a queue message, an
 * Event Grid event, a `Timer`) and the invocation's context.
 */
export interface AzureRaw<Input = unknown> {
  readonly input: Input
  readonly context: InvocationContext
}

/** What `app.http(name, { handler })` takes. */
export type AzureHttpHandler = (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>
/** What `app.storageQueue`, `app.eventGrid`, … take: the host decides by the promise (resolve: done; reject: failed). */
export type AzureTriggerHandler<Input = unknown> = (input: Input, context: InvocationContext) => Promise<void>
/** What `app.timer(name, { schedule, handler })` takes. */
export type AzureTimerHandler = AzureTriggerHandler<Timer>
