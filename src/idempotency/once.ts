/**
 * One guarded run, once the key and the payload hash are known: replay a
 * stored result, or claim, run, and complete (or release on a throw). The
 * event middleware and `makeIdempotent` share it, so that a function and a
 * handler keep records the same way and a replay means the same thing.
 */
import type { Logger } from '../logger.js'
import { IdempotencyResultError, IdempotencyStoreError } from './errors.js'
import type { Guard } from './guard.js'
import type { IdempotencyRecord } from './store.js'

/** What {@link runOnce} needs besides the work. */
export interface OnceInput {
  readonly guard: Guard
  readonly storeName: string
  readonly key: string
  readonly payloadHash: string
  /** Epoch ms on the guard's clock; the lease never outlives it. */
  readonly deadline: number
  readonly log: Logger
  readonly storeResult: boolean
}

/**
 * The result of `run` on the first call, its JSON round trip on a replay.
 * Throws what `run` threw (after releasing the claim), or one of the
 * family's errors.
 */
export async function runOnce<R>(input: OnceInput, run: () => Promise<R>): Promise<R | unknown> {
  const { guard, key, payloadHash, log } = input
  const cached = guard.cached(key, payloadHash)
  if (cached) return replay(cached, input.storeName)
  const entry = await guard.claim(key, payloadHash, input.deadline, log)
  if (entry.kind === 'replay') return replay(entry.record, input.storeName)
  const claim = entry.claim
  if (claim === undefined) return run()

  let result: R
  try {
    result = await run()
  } catch (error) {
    await guard.release(claim, log)
    throw error
  }
  let json: string | undefined
  if (input.storeResult && result !== undefined) {
    try {
      json = JSON.stringify(result)
    } catch (error) {
      await guard.release(claim, log)
      throw new IdempotencyResultError(key, 'not-serialisable', `the result does not serialise as JSON (${(error as Error).message})`, { cause: error })
    }
    if (json === undefined) {
      await guard.release(claim, log)
      throw new IdempotencyResultError(key, 'not-serialisable', `the result (a ${typeof result}) has no JSON form`)
    }
  }
  await guard.complete(claim, json, log)
  return result
}

/** The stored result, as the JSON round trip of the original. */
export function replay(record: IdempotencyRecord, store: string): unknown {
  if (record.result === undefined) return undefined
  try {
    return JSON.parse(record.result) as unknown
  } catch (error) {
    throw new IdempotencyStoreError(store, 'get', record.key, { cause: error, detail: 'The stored result is not JSON' })
  }
}
