/**
 * `toWorker`: a handler, a Hono app or a service as a module Worker. The
 * rules of the mapping are in `mapping.ts`; this file only calls the runtime.
 */
import { runConcurrently } from '../../src/batch.js'
import { createContext } from '../../src/context.js'
import { describeError } from '../../src/errors.js'
import type { CloudEvent } from '../../src/event.js'
import { createFetchHandler } from '../../src/http/fetch.js'
import { createLogger } from '../../src/logger.js'
import { settle } from '../../src/outcome.js'
import { dispatch, toService, type Target } from '../../src/service.js'
import { controllerToEvent, messageToEvent, queueSettlement, scheduledSettlement } from './mapping.js'
import { checkWorkerOptions, type WorkerOptions } from './options.js'
import type { WorkerEntrypoint, WorkersExecutionContext, WorkersRaw } from './workers-types.js'

/** `ctx.provider.name` of every invocation from Workers. */
export const PROVIDER_NAME = 'cloudflare-workers'

/**
 * A module Worker serving `target`: `fetch` (the Hono app, and CloudEvents
 * over HTTP), `queue` (each message a CloudEvent, settled on its own) and
 * `scheduled` (each cron trigger a CloudEvent). Handlers find the `env`
 * bindings in `ctx.provider.raw.env` (or with `workerEnv(ctx)`), and
 * `ctx.waitUntil` is the Worker's.
 *
 * @example
 * ```ts
 * // worker.ts
 * import { toWorker } from 'faasade/cloudflare-workers'
 * import { service } from './service.js'
 *
 * export default toWorker(service, { queue: { dropPermanent: 'retry' } })
 * ```
 */
export function toWorker(target: Target, options: WorkerOptions = {}): WorkerEntrypoint {
  checkWorkerOptions(options)
  const service = toService(target)
  // Workers Logs indexes the fields of a logged object (a string is one
  // message) and files each line by the console method that wrote it.
  const log = options.log ?? createLogger({ sink: (line, level) => console[level](JSON.parse(line)) })
  const timeoutMs = options.timeoutMs ?? Infinity
  // Unset options take the defaults of the functions they are passed to.
  const { dropPermanent, type: queueType, concurrency } = options.queue ?? {}
  const scheduledType = options.scheduled?.type

  const serveFetch = createFetchHandler(service, {
    provider: PROVIDER_NAME,
    log,
    maxBodyBytes: options.maxBodyBytes,
    context: (_request, _env, executionContext) => ({
      deadline: Date.now() + timeoutMs,
      waitUntil: waitUntilOf(executionContext as WorkersExecutionContext | undefined),
    }),
  })

  // Runs the handler for a queue message's or a cron trigger's event, in a context of its own.
  const run = (event: CloudEvent, raw: WorkersRaw, deadline: number, attempt?: number) =>
    dispatch(
      service,
      event,
      createContext({
        provider: { name: PROVIDER_NAME, raw },
        deadline,
        attempt,
        waitUntil: waitUntilOf(raw.executionContext),
        log: log.child({ eventId: event.id, eventType: event.type }),
      }),
    )

  return {
    fetch: serveFetch,

    async queue(batch, env, executionContext) {
      const deadline = Date.now() + timeoutMs
      await runConcurrently(
        batch.messages,
        async (message) => {
          let event: CloudEvent | undefined
          const outcome = await settle(() => run((event = messageToEvent(message, batch.queue, queueType)), { env, executionContext, batch, message }, deadline, message.attempts))
          const settlement = queueSettlement(outcome, dropPermanent)
          // Only a retry has one; undefined for an ack.
          const { delaySeconds } = settlement as { delaySeconds?: number }
          if (settlement.action === 'ack') message.ack()
          else if (delaySeconds === undefined) message.retry()
          else message.retry({ delaySeconds })
          // One message for every failure; the fields say what happens next.
          if (outcome.kind !== 'ok') {
            log[outcome.kind === 'retry' ? 'error' : 'warn']('queue message failed', {
              queue: batch.queue,
              messageId: message.id,
              attempts: message.attempts,
              eventId: event?.id,
              eventType: event?.type,
              outcome: outcome.kind,
              settlement: settlement.action,
              delaySeconds,
              ...describeError(outcome.error),
            })
          }
        },
        concurrency,
      )
    },

    async scheduled(controller, env, executionContext) {
      let event: CloudEvent | undefined
      const outcome = await settle(() => run((event = controllerToEvent(controller, scheduledType)), { env, executionContext, controller }, Date.now() + timeoutMs))
      if (outcome.kind === 'ok') return
      const noRetry = scheduledSettlement(outcome) === 'noRetry'
      log[noRetry ? 'warn' : 'error']('cron event failed', { cron: controller.cron, eventId: event?.id, outcome: outcome.kind, retry: !noRetry, ...describeError(outcome.error) })
      if (noRetry) controller.noRetry()
      throw outcome.error
    },
  }
}

// Called as a method: workerd's ExecutionContext methods need their receiver.
function waitUntilOf(executionContext: WorkersExecutionContext | undefined): ((promise: Promise<unknown>) => void) | undefined {
  if (typeof executionContext?.waitUntil !== 'function') return undefined
  return (promise) => executionContext.waitUntil(promise)
}
