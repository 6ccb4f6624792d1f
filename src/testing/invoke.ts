import { contextForEvent, drainWaitUntil } from '../context.js'
import type { FaasadeError } from '../errors.js'
import { isCloudEvent, type CloudEvent, type CloudEventInit } from '../event.js'
import type { Handler } from '../handler.js'
import { createLogger } from '../logger.js'
import { settle } from '../outcome.js'
import { dispatch, toService, type Service } from '../service.js'
import { cloudEvent } from './cloud-event.js'

/**
 * How {@link invoke} sets up the synthetic invocation: the time it has, the
 * delivery count, the native input and whether to print the logs, so that a
 * test can try deadlines, redeliveries and provider-specific code.
 *
 * @example
 * ```ts
 * import { invoke } from 'faasade/testing'
 * const run = await invoke(onOrder, { type: 'com.example.order.placed', data: { orderId: 'A1' } }, { attempt: 3, timeoutMs: 100 })
 * ```
 */
export interface InvokeOptions {
  /** Milliseconds the invocation has; a negative value means the deadline already passed. @defaultValue 30000 */
  timeoutMs?: number
  /** Delivery count. @defaultValue 1 */
  attempt?: number
  /** What `ctx.provider.raw` holds. */
  raw?: unknown
  /** Also print the captured log lines. @defaultValue false */
  printLogs?: boolean
}

/** What an invocation came to: the result, or the typed error and whether it would be retried. */
export type InvokeResult<R> =
  | { ok: true; outcome: 'ok'; result: R; event: CloudEvent; logs: Record<string, unknown>[] }
  | { ok: false; outcome: 'retry' | 'drop'; error: FaasadeError; event: CloudEvent; logs: Record<string, unknown>[] }

/**
 * Runs a handler (or routes through a service) with a synthetic context. It
 * never throws for what the handler does: failures come back as values, so a
 * test can assert the outcome an adapter would report.
 */
export async function invoke<R>(
  target: Handler<unknown, R> | Service,
  event: CloudEvent | Partial<CloudEventInit>,
  options: InvokeOptions = {},
): Promise<InvokeResult<R>> {
  const logs: Record<string, unknown>[] = []
  const log = createLogger({
    level: 'debug',
    sink: (line) => {
      logs.push(JSON.parse(line) as Record<string, unknown>)
      if (options.printLogs) console.log(line)
    },
  })
  const input = isCloudEvent(event) ? event : cloudEvent(event)
  const ctx = contextForEvent(input, {
    provider: { name: 'test', raw: options.raw ?? input },
    deadline: Date.now() + (options.timeoutMs ?? 30_000),
    attempt: options.attempt ?? 1,
    log,
  })
  const outcome = await settle(() => dispatch(toService(target), input, ctx))
  await drainWaitUntil(ctx)
  if (outcome.kind === 'ok') return { ok: true, outcome: 'ok', result: outcome.result as R, event: input, logs }
  return { ok: false, outcome: outcome.kind, error: outcome.error, event: input, logs }
}
