/**
 * Every transition of an idempotency record, and every decision a delivery
 * makes about one, as two tables. The guard (`guard.ts`) and the stores only
 * carry these out; if a behaviour is not a row here, it is a bug.
 *
 * Time is epoch milliseconds throughout. A record is *live* while
 * `now < expiresAt`; from `expiresAt` on it is *dead* and `claim` may
 * overwrite it, whatever its status.
 */
import type { IdempotencyRecord } from './store.js'

/** What a record's life can go through, and what makes it move. */
export const RECORD_TRANSITIONS = [
  { from: 'absent or dead', on: 'claim', to: 'INPROGRESS', note: 'one conditional write; exactly one concurrent claim wins; lease ends at min(now + lease, deadline)' },
  { from: 'INPROGRESS', on: 'complete (by its owner)', to: 'COMPLETED', note: 'the handler succeeded; the result is kept until now + ttl' },
  { from: 'INPROGRESS', on: 'release (by its owner)', to: 'absent', note: 'the handler failed, or its result could not be recorded: the retry runs it' },
  { from: 'INPROGRESS', on: 'lease ends', to: 'dead', note: 'the claimant crashed or overran its deadline: the key may be claimed again' },
  { from: 'COMPLETED', on: 'ttl ends', to: 'dead', note: 'the result is forgotten: a later delivery runs the handler again' },
  { from: 'INPROGRESS', on: 'complete or release by another owner', to: 'INPROGRESS', note: 'ignored: a delivery whose lease ran out no longer owns the key' },
] as const

/** A record as one delivery finds it. */
export type Found = 'absent' | 'dead' | 'INPROGRESS' | 'COMPLETED'

/** Whether the record was written for the same payload as this delivery's. */
export type PayloadMatch = 'same' | 'different'

/** What the delivery does next. */
export type Verdict =
  /** Return the stored result; the handler does not run. */
  | 'replay'
  /** Another delivery runs it now: a retryable `IdempotencyInProgressError` (retry after the lease). */
  | 'in-progress'
  /** The key belongs to different data: a permanent `IdempotencyKeyReusedError`. */
  | 'reused'
  /** Nothing holds the key (any more): claim it. */
  | 'claim'

/**
 * The decision table of a delivery that found the key held (its claim
 * failed) or found a record in the local cache. A dead or absent record is
 * claimed whatever it was for: its data no longer matters.
 *
 * @example
 * ```ts
 * DELIVERY_TABLE['INPROGRESS/same']   // 'in-progress': retry after the lease
 * ```
 */
export const DELIVERY_TABLE: Readonly<Record<`${Found}/${PayloadMatch}`, Verdict>> = {
  'absent/same': 'claim',
  'absent/different': 'claim',
  'dead/same': 'claim',
  'dead/different': 'claim',
  'INPROGRESS/same': 'in-progress',
  'INPROGRESS/different': 'reused',
  'COMPLETED/same': 'replay',
  'COMPLETED/different': 'reused',
}

/** What a record is at `now`. */
export function found(record: IdempotencyRecord | undefined, now: number): Found {
  if (record === undefined) return 'absent'
  if (record.expiresAt <= now) return 'dead'
  return record.status
}

/**
 * Compares payload hashes. An empty hash on either side means "not checked"
 * (`payload: false`), so a record written without a check matches anything.
 */
export function payloadMatch(record: IdempotencyRecord | undefined, payloadHash: string): PayloadMatch {
  if (record === undefined || record.payloadHash === '' || payloadHash === '') return 'same'
  return record.payloadHash === payloadHash ? 'same' : 'different'
}

// The table's row names, so that a decision looks its row up without building the name anew.
const ROW: Readonly<Record<Found, Readonly<Record<PayloadMatch, `${Found}/${PayloadMatch}`>>>> = {
  absent: { same: 'absent/same', different: 'absent/different' },
  dead: { same: 'dead/same', different: 'dead/different' },
  INPROGRESS: { same: 'INPROGRESS/same', different: 'INPROGRESS/different' },
  COMPLETED: { same: 'COMPLETED/same', different: 'COMPLETED/different' },
}

/** Looks the delivery's case up in {@link DELIVERY_TABLE}. */
export function decide(record: IdempotencyRecord | undefined, now: number, payloadHash: string): Verdict {
  const row = ROW[found(record, now)]
  // A live record in a status this table does not know (a user's store may
  // return one) is held by someone: never run the handler a second time.
  return row === undefined ? 'in-progress' : DELIVERY_TABLE[row[payloadMatch(record, payloadHash)]]
}
