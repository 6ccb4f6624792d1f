import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ConfigurationError } from 'faasade'
import { memoryStore, type IdempotencyRecord } from 'faasade/idempotency'

const claim = (key: string, owner: string, expiresAt: number): IdempotencyRecord => ({ key, owner, expiresAt, status: 'INPROGRESS', payloadHash: 'h' })
const done = (r: IdempotencyRecord, expiresAt: number, result = '"ok"'): IdempotencyRecord => ({ ...r, status: 'COMPLETED', expiresAt, result })

describe('memoryStore', () => {
  it('lets exactly one of many concurrent claims win, and returns the holder to the others', async () => {
    const store = memoryStore()
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.claim(claim('k', `o${i}`, 100), 0)))
    expect(results.filter((r) => r.claimed)).toHaveLength(1)
    const losers = results.filter((r) => !r.claimed)
    expect(losers.every((r) => !r.claimed && r.existing?.owner === 'o0')).toBe(true)
  })

  it('lets a dead record be claimed again, INPROGRESS or COMPLETED, at exactly expiresAt', async () => {
    const store = memoryStore()
    await store.claim(claim('k', 'a', 100), 0)
    expect((await store.claim(claim('k', 'b', 200), 99)).claimed).toBe(false)
    expect((await store.claim(claim('k', 'b', 200), 100)).claimed).toBe(true)
    await store.complete(done(claim('k', 'b', 0), 300))
    expect((await store.claim(claim('k', 'c', 400), 299)).claimed).toBe(false)
    expect((await store.claim(claim('k', 'c', 400), 300)).claimed).toBe(true)
  })

  it("completes and releases only its owner's claim", async () => {
    const store = memoryStore()
    const mine = claim('k', 'a', 100)
    await store.claim(mine, 0)
    await store.complete(done(claim('k', 'b', 100), 500))
    await store.release('k', 'b')
    expect((await store.get('k'))?.status).toBe('INPROGRESS')
    expect((await store.get('k'))?.owner).toBe('a')
    // a's lease ran out and b took the key: a's late completion changes nothing.
    await store.claim(claim('k', 'b', 300), 100)
    await store.complete(done(mine, 900))
    expect(await store.get('k')).toMatchObject({ owner: 'b', status: 'INPROGRESS' })
    await store.release('k', 'b')
    expect(await store.get('k')).toBeUndefined()
  })

  it('holds copies: changing a record after writing it changes nothing stored', async () => {
    const store = memoryStore()
    const record = { ...claim('k', 'a', 100) }
    await store.claim(record, 0)
    ;(record as { owner: string }).owner = 'mallory'
    expect((await store.get('k'))?.owner).toBe('a')
  })

  it('stays within maxEntries: dead records go first, then the oldest COMPLETED, never a live claim', async () => {
    const store = memoryStore({ maxEntries: 3 })
    await store.claim(claim('dead', 'a', 10), 0)
    await store.claim(claim('old', 'a', 1_000), 0)
    await store.complete(done(claim('old', 'a', 0), 1_000))
    await store.claim(claim('live', 'a', 1_000), 0)
    await store.claim(claim('new1', 'a', 1_000), 20)
    expect(store.size).toBe(3)
    expect(await store.get('dead')).toBeUndefined()
    await store.claim(claim('new2', 'a', 1_000), 20)
    expect(await store.get('old')).toBeUndefined()
    expect(await store.get('live')).toEqual(claim('live', 'a', 1_000))
    // Every slot a live claim: the claim is refused rather than dropping one.
    await expect(store.claim(claim('new3', 'a', 1_000), 20)).rejects.toThrow(/full/)
    expect(store.size).toBe(3)
  })

  it('makes room for a tenth at once when full, so a full store does not scan on every claim', async () => {
    const store = memoryStore({ maxEntries: 100 })
    for (let i = 0; i < 100; i++) {
      await store.claim(claim(`k${i}`, 'a', 1_000), 0)
      await store.complete(done(claim(`k${i}`, 'a', 0), 1_000))
    }
    await store.claim(claim('one-more', 'a', 1_000), 0)
    expect(store.size).toBe(91)
    expect(await store.get('k0')).toBeUndefined()
    expect(await store.get('k10')).toEqual(done(claim('k10', 'a', 0), 1_000))
  })

  it('keeps exactly the records the documented policy keeps, for any run of claims, completions, releases and clock', async () => {
    // The policy as written in memoryStore's docs, the plain way: a full store
    // drops every dead record, then the oldest COMPLETED ones down to nine
    // tenths, and refuses a claim only when that frees nothing.
    function reference(maxEntries: number) {
      const records = new Map<string, IdempotencyRecord>()
      return {
        records,
        claim(record: IdempotencyRecord, now: number): boolean | 'full' {
          const held = records.get(record.key)
          if (held && held.expiresAt > now) return false
          records.delete(record.key)
          if (records.size >= maxEntries) {
            for (const [k, r] of records) if (r.expiresAt <= now) records.delete(k)
            const target = maxEntries - Math.max(1, Math.floor(maxEntries / 10))
            for (const [k, r] of records) {
              if (records.size <= target) break
              if (r.status === 'COMPLETED') records.delete(k)
            }
            if (records.size >= maxEntries) return 'full'
          }
          records.set(record.key, record)
          return true
        },
        complete(record: IdempotencyRecord) {
          const held = records.get(record.key)
          if (held && held.owner === record.owner && held.status === 'INPROGRESS') records.set(record.key, record)
        },
        release(key: string, owner: string) {
          if (records.get(key)?.owner === owner) records.delete(key)
        },
      }
    }
    const op = fc.oneof(
      fc.record({ kind: fc.constant('claim' as const), key: fc.integer({ min: 0, max: 14 }), owner: fc.constantFrom('a', 'b'), lease: fc.integer({ min: 1, max: 30 }), tick: fc.integer({ min: 0, max: 10 }) }),
      fc.record({ kind: fc.constant('complete' as const), key: fc.integer({ min: 0, max: 14 }), owner: fc.constantFrom('a', 'b'), ttl: fc.integer({ min: 1, max: 60 }), tick: fc.integer({ min: 0, max: 10 }) }),
      fc.record({ kind: fc.constant('release' as const), key: fc.integer({ min: 0, max: 14 }), owner: fc.constantFrom('a', 'b'), tick: fc.integer({ min: 0, max: 10 }) }),
    )
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 12 }), fc.array(op, { maxLength: 80 }), async (maxEntries, ops) => {
      const store = memoryStore({ maxEntries })
      const model = reference(maxEntries)
      let now = 0
      for (const o of ops) {
        now += o.tick
        const key = `k${o.key}`
        if (o.kind === 'claim') {
          const record = claim(key, o.owner, now + o.lease)
          const expected = model.claim(record, now)
          if (expected === 'full') await expect(store.claim(record, now)).rejects.toThrow(/full/)
          else expect((await store.claim(record, now)).claimed).toBe(expected)
        } else if (o.kind === 'complete') {
          const record = done(claim(key, o.owner, 0), now + o.ttl)
          await store.complete(record)
          model.complete(record)
        } else {
          await store.release(key, o.owner)
          model.release(key, o.owner)
        }
        expect(store.size).toBe(model.records.size)
        for (const [k, r] of model.records) expect(await store.get(k)).toEqual(r)
      }
    }), { numRuns: 300 })
  })

  it('advertises maxRecordBytes only when given, and checks its options', () => {
    expect(memoryStore().maxRecordBytes).toBeUndefined()
    expect(memoryStore({ maxRecordBytes: 400 * 1024 }).maxRecordBytes).toBe(409_600)
    expect(() => memoryStore({ maxEntries: 0 })).toThrow(ConfigurationError)
    expect(() => memoryStore({ maxRecordBytes: -1 })).toThrow(ConfigurationError)
    expect(() => memoryStore({ maxEntrys: 5 } as never)).toThrow(/did you mean "maxEntries"/)
  })

  it('clear() empties it', async () => {
    const store = memoryStore()
    await store.claim(claim('k', 'a', 10), 0)
    store.clear()
    expect(store.size).toBe(0)
  })
})
