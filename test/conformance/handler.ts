/**
 * The one handler every conformance runner deploys, on every provider. What
 * it does is driven by the event's data, and it returns what it observed, so
 * a runner can compare the CloudEvent the handler saw with the case's
 * expectation wherever a reply reaches the runner.
 */
import { defineHandler, PermanentError, RetryableError, toFaasadeError, type CloudEvent, type Context } from 'faasade'
import * as z from 'zod/mini'

export const CONFORMANCE_TYPE = 'com.faasade.conformance'

export const behaviours = ['ok', 'permanent', 'retry', 'throw'] as const

export const conformanceHandler = defineHandler({
  name: 'conformance',
  type: CONFORMANCE_TYPE,
  data: z.object({ behaviour: z.enum(behaviours), n: z.number() }),
  handle(event, ctx) {
    const { behaviour, n } = event.data
    if (behaviour === 'permanent') throw new PermanentError(`item ${n} is permanently bad`)
    if (behaviour === 'retry') throw new RetryableError(`item ${n} should be retried`, { retryAfterMs: 2_000 })
    if (behaviour === 'throw') throw new Error(`item ${n} hit an unexpected error`)
    const { data, ...attributes } = event
    return { n, attempt: ctx.attempt ?? null, observed: { ...attributes, data } }
  },
})

/** What each event came to, by its id: the handler's result, or the name of the error it threw. */
export type Recorded = Record<string, { result?: { observed: Record<string, unknown>; attempt: number | null }; error?: string }>

/**
 * The conformance handler, wrapped to write into `record` what each event
 * came to: for a runner that cannot read the handler's result from the
 * provider's reply (a queue, a batch), the record is what it compares.
 */
export function recordingHandler(record: Recorded): typeof conformanceHandler {
  return {
    ...conformanceHandler,
    async run(event: CloudEvent, ctx: Context) {
      try {
        const result = await conformanceHandler.run(event, ctx)
        record[event.id] = { result }
        return result
      } catch (error) {
        record[event.id] = { error: toFaasadeError(error).name }
        throw error
      }
    },
  }
}
