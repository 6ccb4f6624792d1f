/**
 * `toAzureFunctions`: a handler, a Hono app or a service as Azure Functions
 * v4 handlers (the `app.*` programming model). The rules of the mapping are
 * in `mapping.ts` and `http.ts`, the delivery and HTTP paths in the adapter
 * kit; this file is each trigger's handler signature on them.
 */
import { answerHttp, appFailed, createAdapter, deadlineIn, deliver, invocationFacts, invocationLog, observed, platformError, type Adapter, type NativeItem } from '../../src/adapter/index.js'
import type { Context, InvocationFacts } from '../../src/context.js'
import { describeError, isFaasadeError, toFaasadeError, type FaasadeError } from '../../src/errors.js'
import type { CloudEvent } from '../../src/event.js'
import { problemReply } from '../../src/http/problem.js'
import { runBatch, SkippedError } from '../../src/batch.js'
import { createLogger, type Logger } from '../../src/logger.js'
import type { Target } from '../../src/service.js'
import type { AzureHttpHandler, AzureRaw, AzureTimerHandler, AzureTriggerHandler, HttpRequest, HttpResponseInit, InvocationContext } from './azure-types.js'
import { fromReply, fromResponse, toWebRequestFrom } from './http.js'
import { contextLogger } from './log.js'
import { azureObserver } from './observe.js'
import {
  eventGridToEvent,
  eventHubsPositions,
  eventHubsToEvent,
  failsInvocation,
  queueMessageToEvent,
  serviceBusMessageToEvent,
  timerToEvent,
  type EventHubsPosition,
  type ServiceBusMetadata,
  type StorageQueueMetadata,
} from './mapping.js'
import { checkAzureOptions, DEFAULT_EVENT_HUBS_MAX_ATTEMPTS, DEFAULT_FUNCTION_TIMEOUT_MS, type AzureFunctionsOptions, type GivenUpEvent } from './options.js'

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
  /**
   * For `app.eventHub(name, { eventHubName, connection, cardinality, handler })`:
   * each event a CloudEvent, a partition's in order. Failures are retried
   * within the invocation (`eventHubs.maxAttempts`), because Event Hubs
   * does not redeliver; what is still failing is logged with its position
   * and handed to `eventHubs.onGiveUp`, and the invocation fails unless
   * that hook took them.
   */
  readonly eventHubs: AzureTriggerHandler
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
  // runBatch: Event Hubs partitions are ordered sources.
  // Every delivery observed: trace context, log fields, summary line, spans with an SDK (observe.ts).
  const adapter = createAdapter(observed(target, azureObserver()), options, { name: PROVIDER_NAME, log: () => createLogger(), runBatch })
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

    async eventHubs(input, context) {
      await serveEventHubs(adapter, invocationOf(context), options, input, context)
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

/**
 * An Event Hubs invocation: its events in order, run again within the
 * invocation while any fails (from the first failure on, so order holds),
 * up to `maxAttempts` runs, then given up: logged one line each with its
 * position, handed to `onGiveUp`, and the invocation fails unless the hook
 * resolved. Nothing is lost without a line saying so.
 */
async function serveEventHubs(adapter: Adapter, invocation: Invocation, options: AzureFunctionsOptions, input: unknown, context: InvocationContext): Promise<void> {
  const { log, deadline } = invocation
  const hubOptions = options.eventHubs ?? {}
  const maxAttempts = hubOptions.maxAttempts ?? DEFAULT_EVENT_HUBS_MAX_ATTEMPTS
  const metadata = (context.triggerMetadata ?? {}) as Record<string, unknown>
  const trigger = context.options?.trigger as { cardinality?: unknown; eventHubName?: unknown } | undefined
  const many = trigger?.cardinality === 'many' || (trigger?.cardinality === undefined && Array.isArray(input) && Array.isArray(metadata.sequenceNumberArray))
  const bodies: unknown[] = many && Array.isArray(input) ? input : [input]
  const partition = metadata.partitionContext as { eventHubPath?: unknown } | undefined
  const hub = typeof trigger?.eventHubName === 'string' ? trigger.eventHubName : typeof partition?.eventHubPath === 'string' ? partition.eventHubPath : context.functionName
  const positions = eventHubsPositions(metadata, bodies.length, many, hub)
  const events = bodies.map((body, i) => eventOf(() => eventHubsToEvent(body, positions[i]!, hubOptions.type)))
  const givenUp: GivenUpEvent[] = []
  // Runs each event had: one held back behind a failed event of its partition did not run.
  const ran = bodies.map(() => 0)
  const giveUp = (i: number, reason: GivenUpEvent['reason'], error: FaasadeError) => {
    const event = events[i]
    givenUp.push({ ...positions[i]!, reason, error, event: isFaasadeError(event) ? undefined : event, body: bodies[i], attempts: ran[i]! })
  }

  let pending = bodies.map((_, i) => i)
  for (let attempt = 1; pending.length > 0; attempt++) {
    const outcomes = await deliver<AzureRaw>(adapter, {
      trigger: 'event-hubs',
      items: pending.map((i) => ({ event: events[i]!, id: idOf(positions[i]!), attempt, record: bodies[i] })),
      deadline,
      ordered: true,
      raw: () => ({ input, context }),
      log,
      invocation: invocation.facts,
      // Event Hubs has no dead-letter path: a drop stays a drop here, and onGiveUp is that path.
      dropPolicy: false,
    })
    const retry: number[] = []
    const errors: FaasadeError[] = []
    let waitMs = 0
    outcomes.forEach((outcome, k) => {
      const i = pending[k]!
      if (outcome.kind === 'ok' || !(outcome.error instanceof SkippedError)) ran[i]!++
      if (outcome.kind === 'retry') {
        retry.push(i)
        errors.push(outcome.error)
        if (outcome.retryAfterMs !== undefined) waitMs = Math.max(waitMs, outcome.retryAfterMs)
      } else if (outcome.kind === 'drop' && adapter.onDrop === 'dead-letter') giveUp(i, 'dropped', outcome.error)
    })
    pending = retry
    if (pending.length === 0) break
    const wait = Math.min(MAX_RETRY_WAIT_MS, waitMs || BASE_RETRY_WAIT_MS * 2 ** (attempt - 1))
    if (attempt >= maxAttempts || Date.now() + wait >= deadline) {
      pending.forEach((i, k) => giveUp(i, errors[k] instanceof SkippedError ? 'held-back' : 'retries-exhausted', errors[k]!))
      break
    }
    await new Promise((resolve) => setTimeout(resolve, wait))
  }
  if (givenUp.length === 0) return

  for (const event of givenUp) {
    log.error('Event Hubs event given up: Event Hubs will not redeliver it', {
      trigger: 'event-hubs',
      reason: event.reason,
      eventHub: event.eventHub,
      partitionId: event.partitionId,
      sequenceNumber: event.sequenceNumber,
      offset: event.offset,
      enqueuedTimeUtc: event.enqueuedTimeUtc,
      eventId: event.event?.id,
      attempts: event.attempts,
      ...describeError(event.error),
    })
  }
  if (hubOptions.onGiveUp) {
    try {
      await hubOptions.onGiveUp(givenUp, context)
      return
    } catch (error) {
      log.error('eventHubs.onGiveUp failed: the invocation fails', { trigger: 'event-hubs', ...describeError(toFaasadeError(error)) })
    }
  }
  throw platformError(givenUp[0]!.error)
}

const BASE_RETRY_WAIT_MS = 200
const MAX_RETRY_WAIT_MS = 5_000

function idOf(position: EventHubsPosition): string | undefined {
  return position.partitionId === undefined || position.sequenceNumber === undefined ? undefined : `${position.partitionId}/${position.sequenceNumber}`
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
