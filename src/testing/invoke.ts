import { contextForEvent, drainWaitUntil, type InvocationFacts } from '../context.js'
import type { FaasadeError } from '../errors.js'
import { isCloudEvent, type CloudEvent, type CloudEventInit } from '../event.js'
import type { Handler } from '../handler.js'
import { createLogger } from '../logger.js'
import { settle } from '../outcome.js'
import { dispatch, toService, type Service } from '../service.js'
import { cloudEvent } from './cloud-event.js'

/**
 * How {@link invoke} sets up the synthetic invocation: the time it has, the
 * delivery count, the provider's facts (its name, native input, `env`
 * bindings, request id) and whether to print the logs, so that a test can
 * try deadlines, redeliveries and provider-specific code, such as a
 * handler that reads a Worker's bindings with `workerEnv(ctx)`.
 *
 * @example
 * ```ts
 * import { invoke } from 'faasade/testing'
 * const run = await invoke(onOrder, { type: 'com.example.order.placed', data: { orderId: 'A1' } }, { attempt: 3, timeoutMs: 100 })
 *
 * // A handler that reads a Worker's bindings (workerEnv(ctx).ORDERS):
 * const kv = new Map<string, string>()
 * await invoke(onOrder, event, { provider: 'cloudflare-workers', env: { ORDERS: { put: async (k: string, v: string) => void kv.set(k, v) } } })
 * ```
 */
export interface InvokeOptions {
  /** Milliseconds the invocation has; a negative value means the deadline already passed. @defaultValue 30000 */
  timeoutMs?: number
  /** Delivery count. @defaultValue 1 */
  attempt?: number
  /** `ctx.provider.name`: the provider whose delivery the test plays (`'cloudflare-workers'`, `'aws-lambda'`, …). @defaultValue 'test' */
  provider?: string
  /** What `ctx.provider.raw` holds. @defaultValue the event */
  raw?: unknown
  /** The platform's bindings, as `ctx.provider.env` (a Worker's `env`: what `workerEnv(ctx)` and `fromEnv` read). */
  env?: object
  /** What the platform tells of the invocation, as `ctx.invocation` (request id, cold start, trace context). @defaultValue `{}` */
  invocation?: InvocationFacts
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
    // An interface (`Env`) has no index signature: any object is taken as the bindings.
    provider: { name: options.provider ?? 'test', raw: options.raw ?? input, env: options.env as Readonly<Record<string, unknown>> | undefined },
    deadline: Date.now() + (options.timeoutMs ?? 30_000),
    attempt: options.attempt ?? 1,
    log,
    invocation: options.invocation,
  })
  const outcome = await settle(() => dispatch(toService(target), input, ctx))
  await drainWaitUntil(ctx)
  if (outcome.kind === 'ok') return { ok: true, outcome: 'ok', result: outcome.result as R, event: input, logs }
  return { ok: false, outcome: outcome.kind, error: outcome.error, event: input, logs }
}
