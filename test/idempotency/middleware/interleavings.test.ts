/**
 * Property: over any interleaving of claims, completions, failures, crashes
 * and lease expiries between N concurrent deliveries of one event, on the
 * memory store with a virtual clock, the handler never runs twice within a
 * lease, every delivery ends with the result, an in-progress retry or its
 * own failure (or, when the store's answer came back after the lease it
 * granted had ended, a retryable store error, the handler not run), and a
 * failed delivery leaves the key claimable.
 *
 * fast-check's scheduler decides when each store call reaches the store,
 * when its answer comes back, when each handler finishes and when the clock
 * jumps; each delivery has its own middleware (as separate instances would)
 * over one shared store.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createEvent, defineHandler } from 'faasade'
import { idempotent, IdempotencyInProgressError, IdempotencyStoreError, memoryStore, type IdempotencyStore } from 'faasade/idempotency'
import { virtualClock } from '../helpers/counting-store.js'
import { deliver } from '../helpers/deliver.js'

const LEASE = 1_000
const TTL = 1_000_000

type Behaviour = 'succeeds' | 'fails' | 'crashes'

interface Run {
  readonly delivery: number
  readonly startedAt: number
  leaseEnd: number
  ended?: 'ok' | 'failed'
  /** Set only when the completion took effect in the store. */
  completedAt?: number
}

describe('idempotent under any interleaving (memory store, virtual clock)', () => {
  it('never runs the handler twice within a lease, and every delivery ends in a result or a retry', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.array(fc.constantFrom<Behaviour>('succeeds', 'succeeds', 'fails', 'crashes'), { minLength: 2, maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 2 * LEASE }), { maxLength: 4 }),
        fc.boolean(),
        async (s, behaviours, jumps, cache) => {
          const clock = virtualClock(0)
          const shared = memoryStore()
          const event = createEvent({ id: 'e-1', source: '/orders', type: 'order.placed', data: { orderId: 'A1' } })
          const runs: Run[] = []
          const violations: string[] = []
          const claims = new Map<number, { owner: string; expiresAt: number }>()
          const states: ('pending' | 'hanging' | 'settled')[] = behaviours.map(() => 'pending')
          const outcomes: unknown[] = []
          let theKey = ''

          // One wrapper per delivery: the call reaches the store when the scheduler says, and so does its answer.
          const storeFor = (i: number): IdempotencyStore => {
            const hop = <T>(label: string, work: () => Promise<T>) =>
              s.schedule(Promise.resolve(), `d${i} ${label}`).then(work).then((value) => s.schedule(Promise.resolve(value), `d${i} ${label} reply`))
            return {
              name: 'memory',
              claim: (record, now) =>
                hop('claim', async () => {
                  // The store is asked at the scheduler's time, with the clock of that moment.
                  theKey = record.key
                  const result = await shared.claim(record, Math.max(now, clock.now()))
                  if (result.claimed) claims.set(i, { owner: record.owner, expiresAt: record.expiresAt })
                  return result
                }),
              complete: (record) =>
                hop('complete', async () => {
                  await shared.complete(record)
                  const held = await shared.get(record.key)
                  const run = runs.find((r) => r.delivery === i && r.ended === 'ok')
                  if (run && held?.owner === record.owner && held.status === 'COMPLETED') run.completedAt = clock.now()
                }),
              get: (key) => hop('get', () => shared.get(key)),
              release: (key, owner) => hop('release', () => shared.release(key, owner)),
            }
          }

          const handlerFor = (i: number) =>
            defineHandler({
              name: 'orders',
              use: [idempotent({ store: storeFor(i), lease: LEASE, ttl: TTL, cache, now: clock.now })],
              async handle() {
                const now = clock.now()
                for (const other of runs) {
                  const live = other.ended === undefined && now < other.leaseEnd
                  const replayable = other.completedAt !== undefined && now < other.completedAt + TTL
                  if (live || replayable) violations.push(`d${i} ran at ${now} while d${other.delivery} ${live ? `held a lease to ${other.leaseEnd}` : 'had completed'}`)
                }
                const run: Run = { delivery: i, startedAt: now, leaseEnd: claims.get(i)?.expiresAt ?? -1 }
                runs.push(run)
                if (behaviours[i] === 'crashes') {
                  states[i] = 'hanging'
                  return new Promise<never>(() => {})
                }
                await s.schedule(Promise.resolve(), `d${i} handler`)
                if (behaviours[i] === 'fails') {
                  run.ended = 'failed'
                  throw new Error(`d${i} failed`)
                }
                run.ended = 'ok'
                return 'result'
              },
            })

          for (const jump of jumps) void s.schedule(Promise.resolve(), `clock +${jump}`).then(() => clock.advance(jump))
          behaviours.forEach((behaviour, i) => {
            void deliver(handlerFor(i), event).then(async (d) => {
              states[i] = 'settled'
              outcomes[i] = d.outcome
              if (behaviour === 'fails' && d.outcome.kind !== 'ok') {
                // A failed run leaves no record of its own behind.
                const mine = claims.get(i)
                const held = await shared.get(theKey)
                if (mine && held?.owner === mine.owner) violations.push(`d${i} failed but still holds the key`)
              }
            })
          })

          // Drain: scheduled steps one at a time; between them, real async work (hashing) may still be under way.
          for (let spins = 0; spins < 10_000; spins++) {
            if (s.count() > 0) await s.waitOne()
            else if (states.every((st) => st !== 'pending')) break
            else await new Promise((r) => setTimeout(r, 0))
          }
          expect(states.every((st) => st !== 'pending'), String(s)).toBe(true)
          expect(violations, String(s)).toEqual([])

          behaviours.forEach((behaviour, i) => {
            if (behaviour === 'crashes' && states[i] === 'hanging') return
            const outcome = outcomes[i] as { kind: string; result?: unknown; error?: Error }
            const ok = outcome.kind === 'ok' && outcome.result === 'result'
            const retry = outcome.kind === 'retry' && outcome.error instanceof IdempotencyInProgressError
            const ownFailure = behaviour === 'fails' && outcome.kind === 'retry' && /failed/.test(String((outcome.error?.cause as Error | undefined)?.message))
            // The store granted a claim whose lease had ended by the time the answer came back: not run, retried.
            const lateClaim = outcome.kind === 'retry' && outcome.error instanceof IdempotencyStoreError && /after the lease/.test(String((outcome.error as IdempotencyStoreError).detail))
            expect(ok || retry || ownFailure || lateClaim, `d${i} (${behaviour}) ended ${JSON.stringify(outcome)}\n${String(s)}`).toBe(true)
          })

          // Once every lease is over, a fresh delivery gets the result, running the handler only if no run completed.
          clock.advance(LEASE)
          const completed = runs.some((r) => r.completedAt !== undefined)
          const before = runs.length
          const fresh = await deliver(
            defineHandler({ name: 'orders', use: [idempotent({ store: shared, lease: LEASE, ttl: TTL, now: clock.now })], handle: () => (runs.push({ delivery: -1, startedAt: 0, leaseEnd: 0 }), 'result') }),
            event,
          )
          expect(fresh.outcome).toEqual({ kind: 'ok', result: 'result' })
          expect(runs.length - before).toBe(completed ? 0 : 1)
        },
      ),
      { numRuns: 150 },
    )
  })
})
