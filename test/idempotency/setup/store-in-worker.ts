/**
 * A store that lives inside a Worker in workerd, seen from Node: each store
 * call is one fetch to a test Worker (d1-worker.mjs, dynamodb-worker.mjs)
 * that runs it and answers `{ ok, result }` or the error's name and message.
 */
import type { Miniflare } from 'miniflare'
import type { ClaimResult, IdempotencyRecord, IdempotencyStore } from 'faasade/idempotency'

/** `worker` is read at call time: Miniflare is started in `beforeAll`, after the suite is declared. */
export function storeInWorker(worker: () => Miniflare, name: string): IdempotencyStore {
  const call = async (op: string, args: unknown[]): Promise<unknown> => {
    const response = await worker().dispatchFetch('http://worker/', { method: 'POST', body: JSON.stringify({ op, args }) })
    const body = (await response.json()) as { ok: boolean; result?: unknown; name?: string; message?: string; cause?: string }
    if (!body.ok) throw new Error(`${body.name}: ${body.message} (cause: ${body.cause})`)
    return body.result
  }
  return {
    name,
    claim: async (record, now) => (await call('claim', [record, now])) as ClaimResult,
    complete: async (record) => void (await call('complete', [record])),
    get: async (key) => (await call('get', [key])) as IdempotencyRecord | undefined,
    release: async (key, owner) => void (await call('release', [key, owner])),
  }
}
