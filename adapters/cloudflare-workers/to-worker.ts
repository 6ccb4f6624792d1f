/**
 * `toWorker`: a handler, a Hono app or a service as a module Worker. The
 * rules of the mapping are in `mapping.ts`, the delivery and HTTP paths in
 * the adapter kit; this file is the Worker's three entry signatures on them.
 */
import { answerHttp, createAdapter, deadlineIn, deliver, invocationFacts, platformError, type NativeItem } from '../../src/adapter/index.js'
import { toFaasadeError } from '../../src/errors.js'
import type { CloudEvent } from '../../src/event.js'
import { toResponse } from '../../src/http/fetch.js'
import { createLogger } from '../../src/logger.js'
import type { Target } from '../../src/service.js'
import { controllerToEvent, messageToEvent, queueSettlement, scheduledSettlement } from './mapping.js'
import { watched } from './watched.js'
import { checkWorkerOptions, type WorkerOptions } from './options.js'
import type { WorkerEntrypoint, WorkersExecutionContext, WorkersRaw } from './workers-types.js'

/** `ctx.provider.name` of every invocation from Workers. */
export const PROVIDER_NAME = 'cloudflare-workers'

/**
 * A module Worker serving `target`: `fetch` (the Hono app, and CloudEvents
 * over HTTP), `queue` (each message a CloudEvent, settled on its own) and
 * `scheduled` (each cron trigger a CloudEvent). Handlers find the `env`
 * bindings in `ctx.provider.env` (or with `workerEnv(ctx)`), and
 * `ctx.waitUntil` is the Worker's.
 *
 * @example
 * ```ts
 * // worker.ts
 * import { toWorker } from 'faasade/cloudflare-workers'
 * import { service } from './service.js'
 *
 * export default toWorker(service, { onDrop: 'dead-letter' })
 * ```
 */
export function toWorker(target: Target, options: WorkerOptions = {}): WorkerEntrypoint {
  checkWorkerOptions(options)
  const adapter = createAdapter(target, options, {
    name: PROVIDER_NAME,
    // Workers Logs indexes the fields of a logged object (a string is one
    // message) and files each line by the console method that wrote it.
    log: () => createLogger({ sink: (line, level) => console[level](JSON.parse(line)) }),
  })
  // Workers tell a Worker nothing of the time it has left: `timeoutMs` is the budget from the start.
  const deadline = () => deadlineIn(options.timeoutMs, options.timeoutMarginMs ?? 0)
  const queueType = options.queue?.type
  const scheduledType = options.scheduled?.type

  return {
    async fetch(request, env, executionContext) {
      const answer = await answerHttp<WorkersRaw>(adapter, request, {
        trigger: 'fetch',
        raw: { request, env, executionContext },
        appEnv: env,
        env: env as Bindings,
        executionContext,
        deadline: deadline(),
        invocation: invocationFacts(request.headers.get('cf-ray') ?? undefined),
      })
      return 'reply' in answer ? toResponse(answer.reply) : answer.response
    },

    async queue(batch, env, executionContext) {
      const { messages } = batch
      // Messages a handler settled itself (`raw.message.ack()` or `retry()`): left as it said.
      const byHand: boolean[] = []
      const items: NativeItem[] = messages.map((message) => ({ event: eventOf(() => messageToEvent(message, batch.queue, queueType)), id: message.id, attempt: message.attempts, record: message }))
      const outcomes = await deliver<WorkersRaw>(adapter, {
        trigger: `queue:${batch.queue}`,
        items,
        deadline: deadline(),
        raw: (_item, i) => ({ env, executionContext, batch, message: watched(messages[i]!, byHand, i) }),
        waitUntil: waitUntilOf(executionContext),
        env: env as Bindings,
        invocation: invocationFacts(undefined),
      })
      outcomes.forEach((outcome, i) => {
        if (byHand[i]) return
        const settlement = queueSettlement(outcome)
        const message = messages[i]!
        if (settlement.action === 'ack') message.ack()
        // workerd reads an undefined delaySeconds as none given: the queue's retry_delay.
        else message.retry({ delaySeconds: settlement.delaySeconds })
      })
    },

    async scheduled(controller, env, executionContext) {
      const [outcome] = await deliver<WorkersRaw>(adapter, {
        trigger: 'scheduled',
        items: [{ event: eventOf(() => controllerToEvent(controller, scheduledType)), id: controller.cron }],
        deadline: deadline(),
        raw: () => ({ env, executionContext, controller }),
        waitUntil: waitUntilOf(executionContext),
        env: env as Bindings,
        invocation: invocationFacts(undefined),
        // A cron run has no dead-letter path: a drop is `noRetry()`.
        dropPolicy: false,
      })
      const settlement = scheduledSettlement(outcome!)
      if (settlement === 'return') return
      if (settlement === 'noRetry') controller.noRetry()
      throw platformError((outcome as Exclude<typeof outcome, { kind: 'ok' } | undefined>).error)
    },
  }
}

/** A message's CloudEvent, or the error that keeps it from being one (a drop: it never will be). */
function eventOf(read: () => CloudEvent): CloudEvent | ReturnType<typeof toFaasadeError> {
  try {
    return read()
  } catch (error) {
    return toFaasadeError(error)
  }
}

/** The Worker's `env` as the provider's bindings: workerd always hands an object. */
type Bindings = Readonly<Record<string, unknown>> | undefined

// Called as a method: workerd's ExecutionContext methods need their receiver.
// workerd hands every entry an execution context, so there is no check for one.
function waitUntilOf(executionContext: WorkersExecutionContext): (promise: Promise<unknown>) => void {
  return (promise) => executionContext.waitUntil(promise)
}
