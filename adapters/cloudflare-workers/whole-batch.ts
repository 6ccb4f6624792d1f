/**
 * `wholeBatch`: a Worker `queue()` entry that hands the whole batch to one
 * handler (a bulk write: one D1 `batch()`, one upstream call) and settles it
 * whole with `ackAll()` or `retryAll()`. Apart from `toWorker`, whose
 * per-message path it shares nothing with at run time, so that a Worker
 * that does not import it carries none of it.
 */
import {
  ConfigurationError,
  createContext,
  createLogger,
  describeError,
  lazyChild,
  settle,
  TimeoutError,
  toFaasadeError,
  validate,
  withData,
  type CloudEvent,
  type Context,
  type EventOf,
  type Outcome,
  type StandardSchema,
} from '../../src/index.js'
import { checkAdapterOptions, deadlineIn, invocationFacts, UNFINISHED, untilDeadline, type DropPolicy } from '../../src/adapter/index.js'
import { messageToEvent, queueSettlement } from './mapping.js'
import { WORKER_CHECKS, type WorkerOptions } from './options.js'
import { PROVIDER_NAME } from './to-worker.js'
import { watched } from './watched.js'
import type { MessageBatch, QueueMessage, WorkerEntrypoint, WorkersRaw } from './workers-types.js'

/** What {@link wholeBatch} runs. */
export interface WholeBatchDefinition<S extends StandardSchema | undefined = undefined> {
  /**
   * Any Standard Schema for each event's `data`. A message whose data does
   * not match is dropped on its own (by `onDrop`); the handler never sees it.
   */
  data?: S
  /**
   * Handles every message of the batch at once, each as a CloudEvent, in the
   * batch's order. Returning settles the batch with `ackAll()`; throwing
   * settles it with `retryAll()` (after `retryAfterMs` for a
   * `RetryableError`), or, for a `PermanentError`, by `onDrop`. Messages the
   * handler settles itself (`ctx.provider.raw.batch.messages[i].ack()`, or
   * the batch's `ackAll()`/`retryAll()`) keep what it said.
   */
  handle(events: readonly EventOf<S>[], ctx: Context): unknown
}

/** The options of {@link wholeBatch}: `toWorker`'s that apply to a queue. */
export type WholeBatchOptions = Pick<WorkerOptions, 'queue' | 'onDrop' | 'log' | 'timeoutMs' | 'timeoutMarginMs'>

const KNOWN = ['queue', 'onDrop', 'log', 'timeoutMs', 'timeoutMarginMs']

/**
 * A Worker `queue()` entry that handles each batch as a whole: the handler
 * gets all the batch's events at once, and the batch is settled at once. Use
 * it for bulk writes; `toWorker`'s default (each message handled and
 * settled on its own) loses less work to one bad message.
 *
 * `ctx.provider.raw` is the invocation's `WorkersRaw` (its `batch`, the
 * `env`, the execution context); `ctx.attempt` is the highest delivery count
 * in the batch; `ctx.deadline` comes from `timeoutMs`, as with `toWorker`.
 *
 * @example
 * ```ts
 * import { toWorker, wholeBatch, workerEnv } from 'faasade/cloudflare-workers'
 * import * as z from 'zod/mini'
 *
 * export default {
 *   ...toWorker(app),
 *   queue: wholeBatch({
 *     data: z.object({ url: z.string() }),
 *     async handle(events, ctx) {
 *       const { DB } = workerEnv<Env>(ctx)
 *       await DB.batch(events.map((e) => DB.prepare('INSERT INTO pages (url) VALUES (?)').bind(e.data.url)))
 *     },
 *   }),
 * }
 * ```
 */
export function wholeBatch<S extends StandardSchema | undefined = undefined>(definition: WholeBatchDefinition<S>, options: WholeBatchOptions = {}): WorkerEntrypoint['queue'] {
  for (const key in options) if (!KNOWN.includes(key)) throw new ConfigurationError(`wholeBatch: unknown option "${key}"; known: ${KNOWN.join(', ')}`)
  checkAdapterOptions('wholeBatch', options, WORKER_CHECKS)
  if (typeof definition?.handle !== 'function') throw new ConfigurationError('wholeBatch: `handle` must be a function')
  const schema = definition.data
  const handle = definition.handle as (events: readonly CloudEvent[], ctx: Context) => unknown
  // As toWorker's: Workers Logs indexes the fields of a logged object.
  const log = options.log ?? createLogger({ sink: (line, level) => console[level](JSON.parse(line)) })
  const onDrop: DropPolicy = options.onDrop ?? 'dead-letter'

  return async function queue(batch, env, executionContext) {
    const deadline = deadlineIn(options.timeoutMs, options.timeoutMarginMs ?? 0)
    const trigger = `queue:${batch.queue}`
    const { messages } = batch
    const byHand: boolean[] = []
    const events: CloudEvent[] = []
    let dropped = 0
    for (const [i, message] of messages.entries()) {
      try {
        const event = messageToEvent(message, batch.queue, options.queue?.type)
        events.push(schema === undefined ? event : withData(event, await validate(schema, event.data)))
      } catch (thrown) {
        // Never will it be an event the handler takes: settled now, on its own, and out of the batch.
        const error = toFaasadeError(thrown)
        byHand[i] = true
        dropped++
        settleOne(message, queueSettlement({ kind: 'drop', error }, onDrop))
        log.warn('message dropped from its batch, will not be retried', { trigger, deliveryId: message.id, attempt: message.attempts, onDrop, ...describeError(error) })
      }
    }
    if (events.length === 0) return

    // Whether the handler settled the whole batch itself.
    let settledWhole = false
    const view: MessageBatch = {
      queue: batch.queue,
      messages: messages.map((message, i) => watched(message, byHand, i)),
      ackAll: () => ((settledWhole = true), batch.ackAll()),
      retryAll: (retry) => ((settledWhole = true), batch.retryAll(retry)),
    }
    const raw: WorkersRaw = { env, executionContext, batch: view }
    const ctx = createContext({
      provider: { name: PROVIDER_NAME, raw, env: env as Readonly<Record<string, unknown>> },
      deadline,
      attempt: Math.max(...messages.map((m) => m.attempts)),
      log: lazyChild(log, { trigger }),
      waitUntil: (promise) => executionContext.waitUntil(promise),
      invocation: invocationFacts(undefined),
    })
    let outcome: Outcome = UNFINISHED
    const run = settle(() => {
      // Work started after the deadline would be cut off half done: refuse it whole.
      if (deadline <= Date.now()) throw new TimeoutError('The invocation deadline passed before the batch handler ran')
      return handle(events, ctx)
    }).then((settled) => void (outcome = settled))
    await untilDeadline(run, deadline)
    if (settledWhole) return

    if (outcome.kind !== 'ok') {
      const fields = { trigger, messages: events.length, outcome: outcome.kind, ...describeError(outcome.error) }
      if (outcome.kind === 'retry') log.error('batch failed, will be retried', fields)
      else log.error('batch failed permanently', { ...fields, onDrop })
    }
    const settlement = queueSettlement(outcome, onDrop)
    // Nothing settled one by one: the batch's own calls, one each.
    if (dropped === 0 && !byHand.includes(true)) {
      if (settlement.action === 'ack') batch.ackAll()
      else batch.retryAll({ delaySeconds: settlement.delaySeconds })
      return
    }
    // Else each message the handler left, on its own: which of a message's own call and the
    // batch's wins is not a rule to lean on.
    messages.forEach((message, i) => byHand[i] || settleOne(message, settlement))
  }
}

function settleOne(message: QueueMessage, settlement: ReturnType<typeof queueSettlement>): void {
  if (settlement.action === 'ack') message.ack()
  else message.retry({ delaySeconds: settlement.delaySeconds })
}
