/**
 * `toAzureFunctions`: a handler, a Hono app or a service as Azure Functions
 * v4 handlers (the `app.*` programming model). The rules of the mapping are
 * in `mapping.ts` and `http.ts`, the delivery and HTTP paths in the adapter
 * kit; this file is each trigger's handler signature on them.
 */
import { answerHttp, appFailed, createAdapter, deadlineIn, deliver, invocationFacts, invocationLog, platformError, type Adapter, type NativeItem } from '../../src/adapter/index.js'
import type { Context, InvocationFacts } from '../../src/context.js'
import { describeError, isFaasadeError, toFaasadeError, type FaasadeError } from '../../src/errors.js'
import type { CloudEvent } from '../../src/event.js'
import { problemReply } from '../../src/http/problem.js'
import { createLogger, type Logger } from '../../src/logger.js'
import type { Target } from '../../src/service.js'
import type { AzureHttpHandler, AzureRaw, AzureTimerHandler, AzureTriggerHandler, HttpRequest, HttpResponseInit, InvocationContext } from './azure-types.js'
import { fromReply, fromResponse, toWebRequestFrom } from './http.js'
import { contextLogger } from './log.js'
import { eventGridToEvent, failsInvocation, queueMessageToEvent, serviceBusMessageToEvent, timerToEvent, type ServiceBusMetadata, type StorageQueueMetadata } from './mapping.js'
import { checkAzureOptions, DEFAULT_FUNCTION_TIMEOUT_MS, type AzureFunctionsOptions } from './options.js'

/** `ctx.provider.name` of every invocation from Azure Functions. */
export const PROVIDER_NAME = 'azure-functions'

/** The handlers to register with `app.*`, one a trigger type, all serving the same service. */
export interface AzureFunctions {
  /**
   * For `app.http(name, { methods, authLevel, route, handler })`:
   * CloudEvents over HTTP (binary, structured, batch) go to the event
   * handlers, every other request to the HTTP app.
   */
  readonly http: AzureHttpHandler
  /**
   * For `app.storageQueue(name, { queueName, connection, handler })`: each
   * message a CloudEvent; `ctx.attempt` is its dequeue count. A failed
   * invocation is the host's retry, then the `<queue>-poison` queue.
   */
  readonly storageQueue: AzureTriggerHandler
  /**
   * For `app.serviceBusQueue` and `app.serviceBusTopic` (the host settles:
   * `autoCompleteMessages`, the default): each message a CloudEvent;
   * `ctx.attempt` is its delivery count. A failed invocation abandons the
   * message, redelivered until the entity's max delivery count, then
   * dead-lettered.
   */
  readonly serviceBus: AzureTriggerHandler
  /** For `app.eventGrid(name, { handler })`: each event, in either schema, a CloudEvent. */
  readonly eventGrid: AzureTriggerHandler
  /** For `app.timer(name, { schedule, handler })`: each tick a CloudEvent. */
  readonly timer: AzureTimerHandler
}

/**
 * Azure Functions handlers serving `target`. The adapter does not import
 * `@azure/functions`: register each handler with your own `app`. Handlers
 * find the trigger's input and the `InvocationContext` in
 * `ctx.provider.raw` (or with `azureRaw(ctx)`).
 *
 * @example
 * ```ts
 * // src/functions/index.ts (package.json "main": "dist/src/functions/index.js")
 * import { app } from '@azure/functions'
 * import { toAzureFunctions } from 'faasade/azure-functions'
 * import { service } from '../service.js'
 *
 * const azure = toAzureFunctions(service, { functionTimeoutMs: 10 * 60_000 })
 * app.http('api', { methods: ['GET', 'POST'], authLevel: 'anonymous', route: '{*path}', handler: azure.http })
 * ```
 */
export function toAzureFunctions(target: Target, options: AzureFunctionsOptions = {}): AzureFunctions {
  checkAzureOptions(options)
  const adapter = createAdapter(target, options, { name: PROVIDER_NAME, log: () => createLogger() })
  const invocationOf = invocations(adapter, options)

  return {
    async http(request, context) {
      const invocation = invocationOf(context)
      return serveHttp(adapter, invocation, request, { input: request, context })
    },

    async storageQueue(message, context) {
      const metadata = (context.triggerMetadata ?? {}) as StorageQueueMetadata
      const trigger = context.options?.trigger as { queueName?: unknown } | undefined
      const queueName = typeof trigger?.queueName === 'string' ? trigger.queueName : context.functionName
      const item: NativeItem = {
        event: eventOf(() => queueMessageToEvent(message, metadata, queueName, options.storageQueue?.type)),
        id: metadata.id,
        attempt: Number.isInteger(metadata.dequeueCount) && metadata.dequeueCount! >= 1 ? metadata.dequeueCount : undefined,
        record: message,
      }
      await serveOne(adapter, invocationOf(context), 'storage-queue', item, { input: message, context })
    },

    async serviceBus(message, context) {
      const metadata = (context.triggerMetadata ?? {}) as ServiceBusMetadata
      const item: NativeItem = {
        event: eventOf(() => serviceBusMessageToEvent(message, metadata, serviceBusEntity(context), options.serviceBus?.type)),
        id: metadata.messageId,
        attempt: Number.isInteger(metadata.deliveryCount) && metadata.deliveryCount! >= 1 ? metadata.deliveryCount : undefined,
        record: message,
      }
      await serveOne(adapter, invocationOf(context), 'service-bus', item, { input: message, context })
    },

    async eventGrid(event, context) {
      const item: NativeItem = { event: eventOf(() => eventGridToEvent(event)), id: (event as { id?: string } | null)?.id, record: event }
      await serveOne(adapter, invocationOf(context), 'event-grid', item, { input: event, context })
    },

    async timer(timer, context) {
      const invocation = invocationOf(context)
      const item: NativeItem = { event: eventOf(() => timerToEvent(timer, context.functionName, Date.now(), options.timer?.type)), record: timer }
      // A tick has no dead-letter path: a drop is logged and the invocation completes.
      await serveOne(adapter, invocation, 'timer', item, { input: timer, context }, false)
    },
  }
}

/** `ctx.provider.raw` of an invocation from Azure Functions, or `undefined` on another provider. */
export function azureRaw(ctx: Pick<Context, 'provider'>): AzureRaw | undefined {
  return ctx.provider.name === PROVIDER_NAME ? (ctx.provider.raw as AzureRaw) : undefined
}

/** The Service Bus entity a trigger reads: a queue, or a topic's subscription. */
function serviceBusEntity(context: InvocationContext): string {
  const trigger = context.options?.trigger as { queueName?: unknown; topicName?: unknown; subscriptionName?: unknown } | undefined
  if (typeof trigger?.queueName === 'string') return trigger.queueName
  if (typeof trigger?.topicName === 'string') return typeof trigger.subscriptionName === 'string' ? `${trigger.topicName}/subscriptions/${trigger.subscriptionName}` : trigger.topicName
  return context.functionName
}

/** What the kit needs of one Azure invocation. */
interface Invocation {
  readonly log: Logger
  readonly facts: InvocationFacts
  readonly deadline: number
}

/**
 * Each invocation's logger (the user's, with the invocation id, or one
 * writing through `context`), facts (the invocation id, the W3C trace
 * context the host passes) and deadline (`functionTimeoutMs` from now,
 * less the margin: the host tells a function nothing of its time left).
 */
function invocations(adapter: Adapter, options: AzureFunctionsOptions): (context: InvocationContext) => Invocation {
  const timeoutMs = options.functionTimeoutMs ?? DEFAULT_FUNCTION_TIMEOUT_MS
  const ownLog = options.log !== undefined
  return (context) => ({
    log: ownLog ? invocationLog(adapter, context.invocationId) : contextLogger(context),
    facts: invocationFacts(context.invocationId, { traceparent: context.traceContext?.traceParent ?? undefined, tracestate: context.traceContext?.traceState ?? undefined }),
    deadline: deadlineIn(timeoutMs, adapter.timeoutMarginMs),
  })
}

/**
 * Delivers one item and tells the host by the promise: resolved when the
 * outcome is ok or an acknowledged drop, rejected (with the handler's own
 * error where there is one) when the host should fail the invocation.
 */
async function serveOne(adapter: Adapter, invocation: Invocation, trigger: string, item: NativeItem, raw: AzureRaw, dropPolicy = true): Promise<void> {
  const [outcome] = await deliver<AzureRaw>(adapter, {
    trigger,
    items: [item],
    deadline: invocation.deadline,
    raw: () => raw,
    log: invocation.log,
    invocation: invocation.facts,
    dropPolicy,
  })
  if (outcome && failsInvocation(outcome)) throw platformError(outcome.error)
}

/** An item's CloudEvent, or the error that keeps it from being one (a drop: it never will be). */
function eventOf(read: () => CloudEvent): CloudEvent | FaasadeError {
  try {
    return read()
  } catch (error) {
    return toFaasadeError(error)
  }
}

async function serveHttp(adapter: Adapter, invocation: Invocation, request: HttpRequest, raw: AzureRaw<HttpRequest>): Promise<HttpResponseInit> {
  const { log, deadline } = invocation
  let web: Request
  try {
    web = await toWebRequestFrom(request)
  } catch (error) {
    if (!isFaasadeError(error)) throw error
    log.warn('malformed HTTP request', { trigger: 'http', ...describeError(error) })
    return fromReply(problemReply(error))
  }
  const answer = await answerHttp<AzureRaw<HttpRequest>>(adapter, web, { trigger: 'http', raw, deadline, log, invocation: invocation.facts })
  if ('reply' in answer) return fromReply(answer.reply)
  let init: HttpResponseInit
  try {
    init = await fromResponse(answer.response, log)
  } catch (error) {
    init = fromReply(appFailed(log, 'http', error))
  }
  await answer.work?.drainBy(deadline)
  return init
}
