/**
 * Test helpers around any idempotency store: count its round trips, make
 * chosen calls fail, and a virtual clock. Test code, not public API.
 */
import type { IdempotencyStore } from 'faasade/idempotency'

export type StoreCall = 'claim' | 'complete' | 'get' | 'release'

export interface CountingStore {
  /** The wrapped store: pass this one to the middleware. */
  readonly store: IdempotencyStore
  /** Calls made so far, by primitive. */
  readonly counts: Record<StoreCall, number>
  /** Every call, in order. */
  readonly calls: StoreCall[]
  /** Round trips so far (every primitive is one). */
  total(): number
  reset(): void
}

/** Wraps `inner` so every call is counted; behaviour is unchanged. */
export function countingStore(inner: IdempotencyStore): CountingStore {
  const counts: Record<StoreCall, number> = { claim: 0, complete: 0, get: 0, release: 0 }
  const calls: StoreCall[] = []
  const note = (call: StoreCall) => {
    counts[call]++
    calls.push(call)
  }
  const store: IdempotencyStore = {
    name: inner.name,
    ...(inner.maxRecordBytes === undefined ? {} : { maxRecordBytes: inner.maxRecordBytes }),
    claim: (record, now) => (note('claim'), inner.claim(record, now)),
    complete: (record) => (note('complete'), inner.complete(record)),
    get: (key) => (note('get'), inner.get(key)),
    release: (key, owner) => (note('release'), inner.release(key, owner)),
  }
  return {
    store,
    counts,
    calls,
    total: () => calls.length,
    reset() {
      for (const k of Object.keys(counts) as StoreCall[]) counts[k] = 0
      calls.length = 0
    },
  }
}

export interface FaultyStore {
  readonly store: IdempotencyStore
  /** Calls that reject from now on (with `error`). */
  readonly failing: Set<StoreCall>
  error: Error
}

/** Wraps `inner` so that the calls named in `failing` reject, as a store that is down would. */
export function faultyStore(inner: IdempotencyStore): FaultyStore {
  const failing = new Set<StoreCall>()
  const faulty: FaultyStore = { store: undefined as never, failing, error: new Error('store is down') }
  const guard = <T>(call: StoreCall, run: () => Promise<T>): Promise<T> => (failing.has(call) ? Promise.reject(faulty.error) : run())
  ;(faulty as { store: IdempotencyStore }).store = {
    name: inner.name,
    ...(inner.maxRecordBytes === undefined ? {} : { maxRecordBytes: inner.maxRecordBytes }),
    claim: (record, now) => guard('claim', () => inner.claim(record, now)),
    complete: (record) => guard('complete', () => inner.complete(record)),
    get: (key) => guard('get', () => inner.get(key)),
    release: (key, owner) => guard('release', () => inner.release(key, owner)),
  }
  return faulty
}

/** A clock that moves only when told. */
export function virtualClock(start = 1_700_000_000_000) {
  let t = start
  return {
    now: () => t,
    advance(ms: number) {
      t += ms
    },
    set(ms: number) {
      t = ms
    },
  }
}
