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
import { lazyContextLogger } from './lazy-log.js'
import { storageBlobToEvent, type StorageBlobMetadata } from './blob.js'
import { cosmosDBToEvent, type CosmosDBContainer } from './cosmos-db.js'
import { isServiceBusMessageContext, messagesOf, receivedMessageToEvent, receivedMetadata, settle, settlementOf, type ServiceBusMessageContextLike } from './service-bus-settlement.js'
import { azureObserver } from './observe.js'
import {
  eventGridToEvent,
  eventHubsPositions,
  eventHubsToEvent,
  failsInvocation,
  queueMessageToEvent,
  serviceBusMessageToEvent,
  serviceBusMetadataAt,
  timerToEvent,
  type EventHubsPosition,
  type ServiceBusMetadata,
  type StorageQueueMetadata,
} from './mapping.js'
import { checkAzureOptions, DEFAULT_EVENT_HUBS_MAX_ATTEMPTS, DEFAULT_FUNCTION_TIMEOUT_MS, type AzureFunctionsOptions, type GivenUpChange, type GivenUpEvent } from './options.js'

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
   * For `app.serviceBusQueue` and `app.serviceBusTopic`: each message a
   * CloudEvent; `ctx.attempt` is its delivery count. By default the host
   * settles by the invocation: all messages completed, or (when any
   * failed) all abandoned, redelivered until the entity's max delivery
   * count, then dead-lettered. Registered with `sdkBinding: true` and
   * `autoCompleteMessages: false` (and `@azure/functions-extensions-servicebus`
   * imported), each message is settled by its own outcome: completed,
   * abandoned, or dead-lettered at once with the reason.
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
  /**
   * For `app.storageBlob(name, { path, connection, handler })`: each
   * written blob a CloudEvent, its contents as data. A failed invocation is
   * the host's retry, then the `webjobs-blobtrigger-poison` queue.
   */
  readonly storageBlob: AzureTriggerHandler
  /**
   * For `app.cosmosDB(name, { connection, databaseName, containerName, createLeaseContainerIfNotExists, handler })`:
   * each changed document a CloudEvent, in order. The host moves the change
   * feed past a batch whether it fails or not, so failures are retried
   * within the invocation (`cosmosDB.maxAttempts`), then logged and handed
   * to `cosmosDB.onGiveUp`; the invocation fails unless that hook took them.
   */
  readonly cosmosDB: AzureTriggerHandler
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
      return serveHttp(adapter, invocation, request, { input: request, context }, options.enableHttpStream === true)
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

    async serviceBus(input, context) {
      const invocation = invocationOf(context)
      const raw: AzureRaw = { input, context }
      if (isServiceBusMessageContext(input)) return serveSettled(adapter, invocation, options, input, raw)
      const metadata = (context.triggerMetadata ?? {}) as Record<string, unknown>
      const entity = serviceBusEntity(context)
      const trigger = context.options?.trigger as { cardinality?: unknown } | undefined
      // A batch (cardinality 'many'): one event a message, the invocation failing if any fails.
      const batch = trigger?.cardinality === 'many' && Array.isArray(input)
      const bodies: unknown[] = batch ? input : [input]
      const items = bodies.map((body, i): NativeItem => {
        const meta = batch ? serviceBusMetadataAt(metadata, i) : (metadata as ServiceBusMetadata)
        return {
          event: eventOf(() => serviceBusMessageToEvent(body, meta, entity, options.serviceBus?.type)),
          id: meta.messageId,
          attempt: Number.isInteger(meta.deliveryCount) && meta.deliveryCount! >= 1 ? meta.deliveryCount : undefined,
          record: body,
        }
      })
      await serveAll(adapter, invocation, 'service-bus', items, raw)
    },

    async eventHubs(input, context) {
      await serveEventHubs(adapter, invocationOf(context), options, input, context)
    },

    async storageBlob(contents, context) {
      const metadata = (context.triggerMetadata ?? {}) as StorageBlobMetadata
      const trigger = context.options?.trigger as { path?: unknown } | undefined
      const path = typeof trigger?.path === 'string' ? trigger.path : undefined
      const item: NativeItem = { event: eventOf(() => storageBlobToEvent(contents, metadata, path, options.storageBlob?.type)), id: metadata.blobTrigger, attempt: retryAttempt(context), record: contents }
      await serveOne(adapter, invocationOf(context), 'storage-blob', item, { input: contents, context })
    },

    async cosmosDB(documents, context) {
      await serveCosmosDB(adapter, invocationOf(context), options, documents, context)
    },

    async eventGrid(event, context) {
      const item: NativeItem = { event: eventOf(() => eventGridToEvent(event)), id: (event as { id?: string } | null)?.id, attempt: retryAttempt(context), record: event }
      await serveOne(adapter, invocationOf(context), 'event-grid', item, { input: event, context })
    },

    async timer(timer, context) {
      const invocation = invocationOf(context)
      const item: NativeItem = { event: eventOf(() => timerToEvent(timer, context.functionName, Date.now(), options.timer?.type)), attempt: retryAttempt(context), record: timer }
      // A tick has no dead-letter path: a drop is logged and the invocation completes.
      await serveOne(adapter, invocation, 'timer', item, { input: timer, context }, false)
    },
  }
}

/** `ctx.provider.raw` of an invocation from Azure Functions, or `undefined` on another provider. */
export function azureRaw(ctx: Pick<Context, 'provider'>): AzureRaw | undefined {
  return ctx.provider.name === PROVIDER_NAME ? (ctx.provider.raw as AzureRaw) : undefined
}

/**
 * `ctx.attempt` for a trigger with no delivery count of its own (Event
 * Grid, timer, blob): the run of the function's retry policy, from
 * `retryContext.retryCount` (0 on the first run), which the host sends
 * only when a policy applies.
 */
function retryAttempt(context: InvocationContext): number | undefined {
  const count = context.retryContext?.retryCount
  return typeof count === 'number' && Number.isInteger(count) && count >= 0 ? count + 1 : undefined
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
    log: ownLog ? invocationLog(adapter, context.invocationId) : lazyContextLogger(context),
    facts: invocationFacts(context.invocationId, { traceparent: context.traceContext?.traceParent ?? undefined, tracestate: context.traceContext?.traceState ?? undefined }),
    deadline: deadlineIn(timeoutMs, adapter.timeoutMarginMs),
  })
}

/**
 * Delivers one item and tells the host by the promise: resolved when the
 * outcome is ok or an acknowledged drop, rejected (with the handler's own
 * error where there is one) when the host should fail the invocation.
 */
function serveOne(adapter: Adapter, invocation: Invocation, trigger: string, item: NativeItem, raw: AzureRaw, dropPolicy = true): Promise<void> {
  return serveAll(adapter, invocation, trigger, [item], raw, dropPolicy)
}

/** {@link serveOne} for the items of one invocation: it fails (all of them go back) when any fails. */
async function serveAll(adapter: Adapter, invocation: Invocation, trigger: string, items: NativeItem[], raw: AzureRaw, dropPolicy = true): Promise<void> {
  const outcomes = await deliver<AzureRaw>(adapter, {
    trigger,
    items,
    deadline: invocation.deadline,
    raw: () => raw,
    log: invocation.log,
    invocation: invocation.facts,
    dropPolicy,
  })
  const failed = outcomes.find(failsInvocation)
  if (failed) throw platformError(failed.error)
}

/**
 * A Service Bus invocation under the SDK binding: each message settled by
 * its own outcome (`service-bus-settlement.ts`). A message whose settlement
 * call fails is logged and comes back when its lock expires; the invocation
 * then fails too, so monitoring shows it.
 */
async function serveSettled(adapter: Adapter, invocation: Invocation, options: AzureFunctionsOptions, input: ServiceBusMessageContextLike, raw: AzureRaw): Promise<void> {
  const { log } = invocation
  const { context } = raw
  const { messages, actions } = messagesOf(input)
  const entity = serviceBusEntity(context)
  const trigger = context.options?.trigger as { isSessionsEnabled?: unknown; autoCompleteMessages?: unknown } | undefined
  if (trigger?.autoCompleteMessages !== false) warnAutoComplete(log)
  const items = messages.map((message): NativeItem => {
    const metadata = receivedMetadata(message)
    return { event: eventOf(() => receivedMessageToEvent(message, entity, options.serviceBus?.type)), id: metadata.messageId, attempt: metadata.deliveryCount, key: metadata.sessionId, record: message }
  })
  const outcomes = await deliver<AzureRaw>(adapter, {
    trigger: 'service-bus',
    items,
    deadline: invocation.deadline,
    // A session's messages in order, one session beside another.
    ordered: trigger?.isSessionsEnabled === true,
    raw: () => raw,
    log,
    invocation: invocation.facts,
    // Applied here, per message: a drop is dead-lettered itself, not failed for the host.
    dropPolicy: false,
  })
  let failure: unknown
  await Promise.all(
    outcomes.map(async (outcome, i) => {
      const settlement = settlementOf(outcome, adapter.onDrop)
      const error = outcome.kind === 'ok' ? undefined : outcome.error
      try {
        await settle(actions, messages[i]!, settlement, error)
      } catch (cause) {
        failure ??= cause
        log.error('Service Bus settlement failed: the message comes back when its lock expires', { trigger: 'service-bus', itemId: items[i]!.id, settlement, ...describeError(toFaasadeError(cause)) })
        return
      }
      if (settlement === 'deadletter') log.error('Service Bus message dead-lettered', { trigger: 'service-bus', itemId: items[i]!.id, ...describeError(error) })
    }),
  )
  if (failure !== undefined) throw platformError(toFaasadeError(failure))
}

/** Said once a process: with the host completing too, a message the adapter settled fails the host's own call. */
let warnedAutoComplete = false
function warnAutoComplete(log: Logger): void {
  if (warnedAutoComplete) return
  warnedAutoComplete = true
  log.warn("Service Bus trigger with sdkBinding: set autoCompleteMessages: false, so that only the adapter settles each message", { trigger: 'service-bus' })
}

/**
 * An Event Hubs invocation: its events in order, retried within the
 * invocation ({@link runRetried}), then what is given up is logged one line
 * each with its position, handed to `onGiveUp`, and the invocation fails
 * unless the hook resolved. Nothing is lost without a line saying so.
 */
async function serveEventHubs(adapter: Adapter, invocation: Invocation, options: AzureFunctionsOptions, input: unknown, context: InvocationContext): Promise<void> {
  const { log } = invocation
  const hubOptions = options.eventHubs ?? {}
  const metadata = (context.triggerMetadata ?? {}) as Record<string, unknown>
  const trigger = context.options?.trigger as { cardinality?: unknown; eventHubName?: unknown } | undefined
  const many = trigger?.cardinality === 'many' || (trigger?.cardinality === undefined && Array.isArray(input) && Array.isArray(metadata.sequenceNumberArray))
  const bodies: unknown[] = many && Array.isArray(input) ? input : [input]
  const partition = metadata.partitionContext as { eventHubPath?: unknown } | undefined
  const hub = typeof trigger?.eventHubName === 'string' ? trigger.eventHubName : typeof partition?.eventHubPath === 'string' ? partition.eventHubPath : context.functionName
  const positions = eventHubsPositions(metadata, bodies.length, many, hub)
  const items = bodies.map((body, i): NativeItem => ({ event: eventOf(() => eventHubsToEvent(body, positions[i]!, hubOptions.type)), id: idOf(positions[i]!), record: body }))
  const given = await runRetried(adapter, invocation, 'event-hubs', items, hubOptions.maxAttempts ?? DEFAULT_EVENT_HUBS_MAX_ATTEMPTS, { input, context })
  if (given.length === 0) return
  const givenUp: GivenUpEvent[] = given.map(({ index, reason, error, attempts }) => {
    const event = items[index]!.event
    return { ...positions[index]!, reason, error, event: isFaasadeError(event) ? undefined : event, body: bodies[index], attempts }
  })
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
  await handOver('event-hubs', 'eventHubs', log, hubOptions.onGiveUp && (() => hubOptions.onGiveUp!(givenUp, context)), givenUp[0]!.error)
}

/** What {@link runRetried} gave up: the item's index, why, and how many times its handler ran. */
interface GivenUp {
  readonly index: number
  readonly reason: 'retries-exhausted' | 'held-back' | 'dropped'
  readonly error: FaasadeError
  readonly attempts: number
}

/**
 * The items of a source that does not redeliver what a function failed
 * (Event Hubs, the Cosmos DB change feed: the host checkpoints past them
 * either way), in order, run again within the invocation while any fails
 * (from the first failure on, so order holds), up to `maxAttempts` runs,
 * never past the deadline. Returns those given up.
 */
async function runRetried(adapter: Adapter, invocation: Invocation, trigger: string, items: readonly NativeItem[], maxAttempts: number, raw: AzureRaw): Promise<GivenUp[]> {
  const { log, deadline } = invocation
  const givenUp: GivenUp[] = []
  // Runs each item had: one held back behind a failed item did not run.
  const ran = items.map(() => 0)
  const giveUp = (index: number, reason: GivenUp['reason'], error: FaasadeError) => givenUp.push({ index, reason, error, attempts: ran[index]! })
  let pending = items.map((_, i) => i)
  for (let attempt = 1; pending.length > 0; attempt++) {
    const outcomes = await deliver<AzureRaw>(adapter, {
      trigger,
      items: pending.map((i) => ({ ...items[i]!, attempt })),
      deadline,
      ordered: true,
      raw: () => raw,
      log,
      invocation: invocation.facts,
      // No dead-letter path: a drop stays a drop here, and onGiveUp is that path.
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
  return givenUp.sort((a, b) => a.index - b.index)
}

/** Given-up items (each already logged) to the user's hook: the invocation completes when it resolves, fails without one or when it throws. */
async function handOver(trigger: string, option: string, log: Logger, hook: (() => void | Promise<void>) | undefined, error: FaasadeError): Promise<void> {
  if (hook) {
    try {
      await hook()
      return
    } catch (cause) {
      log.error(`${option}.onGiveUp failed: the invocation fails`, { trigger, ...describeError(toFaasadeError(cause)) })
    }
  }
  throw platformError(error)
}

/**
 * A Cosmos DB invocation: its changes in order, retried within the
 * invocation ({@link runRetried}), then what is given up is logged one line
 * each, handed to `cosmosDB.onGiveUp`, and the invocation fails unless the
 * hook resolved.
 */
async function serveCosmosDB(adapter: Adapter, invocation: Invocation, options: AzureFunctionsOptions, input: unknown, context: InvocationContext): Promise<void> {
  const { log } = invocation
  const cosmosOptions = options.cosmosDB ?? {}
  const trigger = context.options?.trigger as { databaseName?: unknown; containerName?: unknown; collectionName?: unknown } | undefined
  const container: CosmosDBContainer = {
    databaseName: typeof trigger?.databaseName === 'string' ? trigger.databaseName : context.functionName,
    containerName: typeof trigger?.containerName === 'string' ? trigger.containerName : typeof trigger?.collectionName === 'string' ? trigger.collectionName : context.functionName,
  }
  const documents: unknown[] = Array.isArray(input) ? input : [input]
  const items = documents.map((document): NativeItem => {
    const event = eventOf(() => cosmosDBToEvent(document, container, cosmosOptions.type))
    return { event, id: isFaasadeError(event) ? undefined : event.id, record: document }
  })
  const given = await runRetried(adapter, invocation, 'cosmos-db', items, cosmosOptions.maxAttempts ?? DEFAULT_EVENT_HUBS_MAX_ATTEMPTS, { input, context })
  if (given.length === 0) return
  const givenUp: GivenUpChange[] = given.map(({ index, reason, error, attempts }) => {
    const event = items[index]!.event
    return { container, reason, error, event: isFaasadeError(event) ? undefined : event, document: documents[index], attempts }
  })
  for (const change of givenUp) {
    log.error('Cosmos DB change given up: the change feed will not deliver it again', {
      trigger: 'cosmos-db',
      reason: change.reason,
      databaseName: container.databaseName,
      containerName: container.containerName,
      eventId: change.event?.id,
      attempts: change.attempts,
      ...describeError(change.error),
    })
  }
  await handOver('cosmos-db', 'cosmosDB', log, cosmosOptions.onGiveUp && (() => cosmosOptions.onGiveUp!(givenUp, context)), givenUp[0]!.error)
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

async function serveHttp(adapter: Adapter, invocation: Invocation, request: HttpRequest, raw: AzureRaw<HttpRequest>, stream: boolean): Promise<HttpResponseInit> {
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
    init = await fromResponse(answer.response, log, stream)
  } catch (error) {
    init = fromReply(appFailed(log, 'http', error))
  }
  await answer.work?.drainBy(deadline)
  return init
}
