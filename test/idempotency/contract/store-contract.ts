/**
 * The contract every idempotency store keeps, over the `IdempotencyStore`
 * interface alone: one suite, run against each store on a real server by
 * the files in test/idempotency/stores/.
 *
 * Times are real epoch ms a good while ahead (`T`), passed as `now`: a
 * record is dead from its `expiresAt` on whatever the store's clock says,
 * so no test sleeps. Records stay live by the server's clock too, so stores
 * that also expire keys themselves (Redis PEXPIREAT) agree with the rest.
 *
 * Besides the primitives, the suite runs the `idempotent()` middleware on
 * the store: the duplicate storm (50 concurrent deliveries, one run), a
 * replay of the stored result, a failed run released.
 */
import { randomUUID } from 'node:crypto'
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { createEvent, defineHandler } from 'faasade'
import {
  idempotent,
  IdempotencyInProgressError,
  IdempotencyKeyReusedError,
  memoryStore,
  recordBytes,
  type ClaimResult,
  type IdempotencyRecord,
  type IdempotencyStore,
} from 'faasade/idempotency'
import { invoke } from 'faasade/testing'
import { describeUnless, type Missing } from '../../support/skips.js'

export interface StoreContractOptions {
  /** Skip the suite for what the machine lacks (a server binary), recorded for the run's summary. */
  skip?: Missing | undefined
  /** Runs of each property. @defaultValue 25 */
  numRuns?: number
  /**
   * Cases of {@link AWKWARD_RESULTS} a local emulator cannot hold, each with
   * the reason (an emulator bug, never the store's): they are reported as
   * skipped, not run.
   */
  emulatorCannotHold?: Record<string, string>
}

/** JSON texts a handler's result can be, each a case the stores have got wrong somewhere. */
export const AWKWARD_RESULTS: Record<string, string> = {
  empty: '',
  'plain object': JSON.stringify({ charged: true, amount: 5 }),
  'unicode: CJK, emoji, RTL, combining': JSON.stringify({ note: '注文 ✓ 🧾👩🏽‍💻 مرحبا é ñ' }),
  'escapes: quotes, backslash, newline, tab, NUL': JSON.stringify({ s: 'a"b\\c\nd\te\u0000f' }),
  'lone surrogate (JSON.stringify escapes it)': JSON.stringify('\ud800 x \udfff'),
  'Lua/SQL/ARGV look-alikes': JSON.stringify(["'); DROP TABLE idempotency; --", "redis.call('DEL')", '%s %d ?1 $1', '__proto__']),
  // A surrogate pair straddles 30 000 characters (where the Azure store splits long results).
  'a surrogate pair across character 30 000': JSON.stringify('x'.repeat(29_998) + '😀'.repeat(4)),
  'large: 120 000 ASCII characters': JSON.stringify('x'.repeat(120_000)),
  'large: 40 000 astral characters': JSON.stringify('ab' + '😀'.repeat(20_000)),
  'large: 60 000 CJK characters': JSON.stringify('漢'.repeat(60_000)),
}

/** '' when equal, else where two texts part (a diff of 100 KB strings helps no one). */
export function difference(got: string | undefined, want: string): string {
  if (got === want) return ''
  if (got === undefined) return 'got undefined'
  let i = 0
  while (i < got.length && i < want.length && got.charCodeAt(i) === want.charCodeAt(i)) i++
  const code = (s: string) => (i < s.length ? `U+${s.charCodeAt(i).toString(16).padStart(4, '0')}` : 'end')
  return `lengths ${got.length} vs ${want.length}; first difference at ${i}: got ${code(got)}, want ${code(want)}`
}

export function describeStoreContract(name: string, makeStore: () => IdempotencyStore | Promise<IdempotencyStore>, options: StoreContractOptions = {}): void {
  const numRuns = options.numRuns ?? 25
  describeUnless(options.skip)(`store contract: ${name}`, () => {
    let store: IdempotencyStore
    // Keys of this run: a store may hold records of earlier runs.
    const run = randomUUID().slice(0, 8)
    let n = 0
    const newKey = (label: string) => `contract_${run}:${label}-${++n}`
    const T = Date.now() + 10 * 60_000
    const inProgress = (key: string, over: Partial<IdempotencyRecord> = {}): IdempotencyRecord => ({
      key,
      status: 'INPROGRESS',
      expiresAt: T + 1000,
      payloadHash: 'hash-1',
      owner: randomUUID(),
      ...over,
    })
    const completed = (claim: IdempotencyRecord, result: string | undefined, expiresAt = T + 60_000): IdempotencyRecord => ({
      key: claim.key,
      status: 'COMPLETED',
      expiresAt,
      payloadHash: claim.payloadHash,
      owner: claim.owner,
      ...(result === undefined ? {} : { result }),
    })
    /** The record a failed claim lost to: as returned, or read. */
    const heldBy = async (result: ClaimResult, key: string) => {
      expect(result.claimed).toBe(false)
      return result.claimed ? undefined : (result.existing ?? (await store.get(key)))
    }

    beforeAll(async () => {
      store = await makeStore()
    })

    describe('claim', () => {
      it('claims an absent key and writes the record as given', async () => {
        const record = inProgress(newKey('absent'))
        expect(await store.claim(record, T)).toEqual({ claimed: true })
        expect(await store.get(record.key)).toEqual(record)
      })

      it('of 20 concurrent claims of one key, exactly one wins; the others see the winner', async () => {
        const key = newKey('race')
        const claims = Array.from({ length: 20 }, () => inProgress(key))
        const results = await Promise.all(claims.map((c) => store.claim(c, T)))
        const winners = claims.filter((_, i) => results[i]!.claimed)
        expect(winners).toHaveLength(1)
        const stored = await store.get(key)
        expect(stored).toEqual(winners[0])
        for (const result of results) if (!result.claimed && result.existing !== undefined) expect(result.existing).toEqual(winners[0])
      })

      it('fails on a live INPROGRESS record and returns it (or lets get return it)', async () => {
        const first = inProgress(newKey('live'))
        await store.claim(first, T)
        const second = inProgress(first.key, { payloadHash: 'hash-2' })
        expect(await heldBy(await store.claim(second, T + 999), first.key)).toEqual(first)
        expect(await store.get(first.key)).toEqual(first)
      })

      it('fails on a live COMPLETED record and returns it with its result', async () => {
        const claim = inProgress(newKey('done'))
        await store.claim(claim, T)
        const done = completed(claim, '{"ok":true}')
        await store.complete(done)
        expect(await heldBy(await store.claim(inProgress(claim.key), T + 59_999), claim.key)).toEqual(done)
      })

      it('a record is dead from its expiresAt on: claimed then, not a millisecond before', async () => {
        const first = inProgress(newKey('lease'), { expiresAt: T + 1000 })
        await store.claim(first, T)
        expect((await store.claim(inProgress(first.key), T + 999)).claimed).toBe(false)
        const second = inProgress(first.key, { expiresAt: T + 5000, payloadHash: 'hash-2' })
        expect(await store.claim(second, T + 1000)).toEqual({ claimed: true })
        expect(await store.get(first.key)).toEqual(second)
      })

      it('a fractional expiresAt is never dead early', async () => {
        const first = inProgress(newKey('fraction'), { expiresAt: T + 1000.5 })
        await store.claim(first, T)
        expect((await store.claim(inProgress(first.key), T + 1000)).claimed).toBe(false)
        expect((await store.claim(inProgress(first.key), T + 1001)).claimed).toBe(true)
      })

      it('a dead COMPLETED record is claimed again, and its result does not survive', async () => {
        const claim = inProgress(newKey('ttl'))
        await store.claim(claim, T)
        await store.complete(completed(claim, '"old result"', T + 2000))
        const again = inProgress(claim.key, { expiresAt: T + 9000 })
        expect(await store.claim(again, T + 2000)).toEqual({ claimed: true })
        const stored = await store.get(claim.key)
        expect(stored).toEqual(again)
        expect(stored?.result).toBeUndefined()
      })

      it('of 20 concurrent takeovers of a dead record, exactly one wins', async () => {
        const dead = inProgress(newKey('takeover'), { expiresAt: T + 10 })
        await store.claim(dead, T)
        const claims = Array.from({ length: 20 }, () => inProgress(dead.key, { expiresAt: T + 5000 }))
        const results = await Promise.all(claims.map((c) => store.claim(c, T + 10)))
        const winners = claims.filter((_, i) => results[i]!.claimed)
        expect(winners).toHaveLength(1)
        expect(await store.get(dead.key)).toEqual(winners[0])
      })
    })

    describe('complete', () => {
      it("replaces the owner's claim with the COMPLETED record", async () => {
        const claim = inProgress(newKey('complete'))
        await store.claim(claim, T)
        const done = completed(claim, '{"charged":true}')
        await store.complete(done)
        expect(await store.get(claim.key)).toEqual(done)
      })

      it('by another owner changes nothing', async () => {
        const claim = inProgress(newKey('not-owner'))
        await store.claim(claim, T)
        await store.complete({ ...completed(claim, '"intruder"'), owner: randomUUID() })
        expect(await store.get(claim.key)).toEqual(claim)
      })

      it('after the lease was taken over, leaves the new claim alone', async () => {
        const late = inProgress(newKey('late'), { expiresAt: T + 100 })
        await store.claim(late, T)
        const next = inProgress(late.key, { expiresAt: T + 5000 })
        expect((await store.claim(next, T + 100)).claimed).toBe(true)
        await store.complete(completed(late, '"too late"'))
        expect(await store.get(late.key)).toEqual(next)
      })

      it('of a record already COMPLETED changes nothing', async () => {
        const claim = inProgress(newKey('twice'))
        await store.claim(claim, T)
        const done = completed(claim, '"first"')
        await store.complete(done)
        await store.complete(completed(claim, '"second"', T + 90_000))
        expect(await store.get(claim.key)).toEqual(done)
      })

      it('of a missing key does nothing', async () => {
        const ghost = inProgress(newKey('ghost'))
        await store.complete(completed(ghost, '"x"'))
        expect(await store.get(ghost.key)).toBeUndefined()
      })

      it('without a result records the completion only', async () => {
        const claim = inProgress(newKey('no-result'))
        await store.claim(claim, T)
        const done = completed(claim, undefined)
        await store.complete(done)
        const stored = await store.get(claim.key)
        expect(stored).toEqual(done)
        expect(stored && 'result' in stored ? stored.result : undefined).toBeUndefined()
      })
    })

    describe('release', () => {
      it('by the owner deletes the record', async () => {
        const claim = inProgress(newKey('release'))
        await store.claim(claim, T)
        await store.release(claim.key, claim.owner)
        expect(await store.get(claim.key)).toBeUndefined()
        expect(await store.claim(inProgress(claim.key), T)).toEqual({ claimed: true })
      })

      it('by another owner changes nothing', async () => {
        const claim = inProgress(newKey('release-other'))
        await store.claim(claim, T)
        await store.release(claim.key, randomUUID())
        expect(await store.get(claim.key)).toEqual(claim)
      })

      it('after the lease was taken over, leaves the new claim alone', async () => {
        const late = inProgress(newKey('release-late'), { expiresAt: T + 100 })
        await store.claim(late, T)
        const next = inProgress(late.key)
        await store.claim(next, T + 100)
        await store.release(late.key, late.owner)
        expect(await store.get(late.key)).toEqual(next)
      })

      it('of a missing key does nothing', async () => {
        await expect(store.release(newKey('release-ghost'), randomUUID())).resolves.toBeUndefined()
      })
    })

    describe('get and round trips', () => {
      it('is undefined for a key never written', async () => {
        expect(await store.get(newKey('never'))).toBeUndefined()
      })

      it.for(Object.entries(AWKWARD_RESULTS))('returns a result exactly as stored: %s', async ([label, result], ctx) => {
        const cannot = options.emulatorCannotHold?.[label]
        if (cannot !== undefined) return ctx.skip(cannot)
        const claim = inProgress(newKey('result'))
        await store.claim(claim, T)
        await store.complete(completed(claim, result))
        const stored = await store.get(claim.key)
        expect(difference(stored?.result, result)).toBe('')
        // And the record a failed claim returns carries it too.
        const existing = await heldBy(await store.claim(inProgress(claim.key), T), claim.key)
        expect(difference(existing?.result, result)).toBe('')
      })

      it('keeps an empty payload hash (payload: false) and odd key characters', async () => {
        for (const label of ['slash/back\\slash#hash?query%25', 'ünïcødé-鍵-🔑', 'colon:and spaces', "quote'\"`"]) {
          const record = inProgress(newKey(label), { payloadHash: '' })
          expect(await store.claim(record, T)).toEqual({ claimed: true })
          expect(await store.get(record.key)).toEqual(record)
        }
      })

      it('holds a record as large as its maxRecordBytes says', async (ctx) => {
        const limit = store.maxRecordBytes
        if (limit === undefined) return ctx.skip()
        const claim = inProgress(newKey('limit'))
        await store.claim(claim, T)
        const base = completed(claim, '')
        const result = 'x'.repeat(limit - recordBytes(base))
        const done = completed(claim, result)
        expect(recordBytes(done)).toBe(limit)
        await store.complete(done)
        expect((await store.get(claim.key))?.result?.length).toBe(result.length)
      })

      it('property: any JSON text round-trips', async () => {
        await fc.assert(
          fc.asyncProperty(fc.oneof(fc.json(), fc.string({ unit: 'binary' }).map((s) => JSON.stringify(s))), async (result) => {
            const claim = inProgress(newKey('json'))
            await store.claim(claim, T)
            await store.complete(completed(claim, result))
            expect((await store.get(claim.key))?.result).toBe(result)
          }),
          { numRuns },
        )
      })
    })

    describe('model', () => {
      // Any sequence of the four calls, at any times, leaves the store as the
      // in-process store would be left: claims win and lose the same way.
      type Command =
        | { op: 'claim'; who: number; at: number; lease: number; hash: number }
        | { op: 'complete'; who: number; ttl: number; result: string | undefined }
        | { op: 'release'; who: number }
        | { op: 'get' }
      const command: fc.Arbitrary<Command> = fc.oneof(
        fc.record({ op: fc.constant('claim' as const), who: fc.nat(2), at: fc.nat(3000), lease: fc.integer({ min: 1, max: 2000 }), hash: fc.nat(1) }),
        fc.record({ op: fc.constant('complete' as const), who: fc.nat(2), ttl: fc.integer({ min: 1, max: 4000 }), result: fc.option(fc.json(), { nil: undefined }) }),
        fc.record({ op: fc.constant('release' as const), who: fc.nat(2) }),
        fc.constant({ op: 'get' as const }),
      )

      it('property: agrees with the in-process store on every sequence of calls', async () => {
        await fc.assert(
          fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 10 }), async (commands) => {
            const model = memoryStore()
            const key = newKey('model')
            const owners = [randomUUID(), randomUUID(), randomUUID()]
            // Each owner's last claim, as complete is called with it.
            const claims = new Map<number, IdempotencyRecord>()
            let clock = T
            for (const c of commands) {
              if (c.op === 'claim') {
                clock = Math.max(clock, T + c.at)
                const record = inProgress(key, { owner: owners[c.who]!, expiresAt: clock + c.lease, payloadHash: `hash-${c.hash}` })
                claims.set(c.who, record)
                const [got, want] = [await store.claim(record, clock), await model.claim(record, clock)]
                expect(got.claimed).toBe(want.claimed)
                if (!got.claimed && !want.claimed && got.existing !== undefined) expect(got.existing).toEqual(want.existing)
              } else if (c.op === 'complete') {
                const claim = claims.get(c.who) ?? inProgress(key, { owner: owners[c.who]! })
                const done = completed(claim, c.result, clock + c.ttl)
                await store.complete(done)
                await model.complete(done)
              } else if (c.op === 'release') {
                await store.release(key, owners[c.who]!)
                await model.release(key, owners[c.who]!)
              }
              expect(await store.get(key)).toEqual(await model.get(key))
            }
          }),
          { numRuns },
        )
      })
    })

    describe('through idempotent()', () => {
      const event = (id: string, data: unknown = { orderId: 'A1', amount: 5, note: 'café ☕' }) =>
        createEvent({ id, source: `/contract/${run}`, type: 'com.example.order.placed', data })

      it('duplicate storm: 50 concurrent deliveries run the handler once; the rest are told to retry', async () => {
        const storm = event(randomUUID())
        let runs = 0
        let finished = 0
        let othersDone!: () => void
        const othersDoneP = new Promise<void>((resolve) => (othersDone = resolve))
        // Only if a second run wrongly blocks too: let the test fail on its count, not on a timeout.
        const bailout = setTimeout(() => othersDone(), 15_000)
        const handler = defineHandler({
          name: `storm-${name}`,
          use: [idempotent({ store })],
          async handle() {
            runs++
            // Hold the claim until every other delivery has been answered.
            await othersDoneP
            return { charged: '✓ once' }
          },
        })
        const outcomes = await Promise.all(
          Array.from({ length: 50 }, () =>
            invoke(handler, storm).then((outcome) => {
              if (++finished === 49) othersDone()
              return outcome
            }),
          ),
        )
        clearTimeout(bailout)
        expect(runs).toBe(1)
        const results = outcomes.filter((o) => o.ok && (o.result as { charged?: string }).charged === '✓ once')
        const retries = outcomes.filter((o) => !o.ok && o.outcome === 'retry' && o.error instanceof IdempotencyInProgressError)
        expect(results).toHaveLength(1)
        expect(retries).toHaveLength(49)

        // Their redeliveries get the stored result; on instances without a cache too.
        const cold = defineHandler({ name: `storm-${name}`, use: [idempotent({ store, cache: false })], handle: async () => (runs++, { charged: 'again' }) })
        const again = await Promise.all(Array.from({ length: 10 }, () => invoke(cold, storm)))
        expect(again.map((o) => o.ok && o.result)).toEqual(Array(10).fill({ charged: '✓ once' }))
        expect(runs).toBe(1)
      })

      it('50 deliveries on 50 instances (no shared cache) run the handler once', async () => {
        const storm = event(randomUUID())
        let runs = 0
        const instances = Array.from({ length: 50 }, () =>
          defineHandler({ name: `instances-${name}`, use: [idempotent({ store, cache: false })], handle: async () => (runs++, 'done') }),
        )
        const outcomes = await Promise.all(instances.map((h) => invoke(h, storm)))
        expect(runs).toBe(1)
        for (const o of outcomes) {
          if (o.ok) expect(o.result).toBe('done')
          else expect(o.error).toBeInstanceOf(IdempotencyInProgressError)
        }
      })

      it('a failed run is released: the redelivery runs the handler; different data under the key is refused', async () => {
        const e = event(randomUUID())
        let runs = 0
        const handler = defineHandler({
          name: `release-${name}`,
          use: [idempotent({ store, cache: false })],
          async handle() {
            if (++runs === 1) throw new Error('card processor down')
            return { attempt: runs }
          },
        })
        const first = await invoke(handler, e)
        expect(first.ok).toBe(false)
        const second = await invoke(handler, e)
        expect(second.ok && second.result).toEqual({ attempt: 2 })
        const third = await invoke(handler, e)
        expect(third.ok && third.result).toEqual({ attempt: 2 })
        const reused = await invoke(handler, event(e.id, { orderId: 'B2' }))
        expect(!reused.ok && reused.error).toBeInstanceOf(IdempotencyKeyReusedError)
        expect(runs).toBe(2)
      })
    })
  })
}
