/** The small parts: canonical JSON, keys, the cache of completed records, the decision table. */
import fc from 'fast-check'
import { describe, expect, it, vi } from 'vitest'
import { createEvent } from 'faasade'
import { canonicalJson, DELIVERY_TABLE, IdempotencyKeyMissingError, RECORD_TRANSITIONS, recordBytes, type IdempotencyRecord } from 'faasade/idempotency'
import { createRecordCache } from '../../../src/idempotency/cache.js'
import { keyText, sourceAndId, storeKey } from '../../../src/idempotency/key.js'
import { createHash } from 'node:crypto'
import { fromBase64, toBase64 } from 'faasade'
import { sha256, sha256Bytes, utf8Length, webSha256 } from '../../../src/idempotency/hash.js'
import { decide, found } from '../../../src/idempotency/state-machine.js'
import { newOwner } from '../../../src/idempotency/owner.js'

/** The same object with its keys in another order, all the way down. */
function shuffled(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((v) => shuffled(v, seed))
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
    const order = entries.map((_, i) => i).sort((a, b) => ((a * 7919 + seed) % 13) - ((b * 7919 + seed) % 13))
    return Object.fromEntries(order.map((i) => [entries[i]![0], shuffled(entries[i]![1], seed)]))
  }
  return value
}

describe('canonicalJson', () => {
  it('is the same text whatever the key order', () => {
    fc.assert(fc.property(fc.jsonValue(), fc.integer({ min: 0, max: 100 }), (value, seed) => {
      expect(canonicalJson(shuffled(value, seed))).toBe(canonicalJson(value))
    }))
  })

  it('is JSON that parses back to the same value', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => {
      expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value) ?? 'null'))
    }))
  })

  it('tells different JSON values apart', () => {
    fc.assert(fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
      fc.pre(JSON.stringify(JSON.parse(canonicalJson(a))) !== JSON.stringify(JSON.parse(canonicalJson(b))))
      expect(canonicalJson(a)).not.toBe(canonicalJson(b))
    }))
  })

  it('writes any string, as a value or a key, as JSON.stringify does (escapes, lone surrogates)', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
      expect(canonicalJson(text)).toBe(JSON.stringify(text))
      expect(canonicalJson({ [text]: text })).toBe(JSON.stringify({ [text]: text }))
    }), { numRuns: 500 })
    expect(canonicalJson('a"b\\c\n\u0001\ud800\u2028')).toBe(JSON.stringify('a"b\\c\n\u0001\ud800\u2028'))
  })

  it('orders keys by UTF-16 code units, as Array.prototype.sort does, for few keys and many', () => {
    fc.assert(fc.property(fc.uniqueArray(fc.string({ unit: 'binary', maxLength: 6 }), { maxLength: 40 }), (keys) => {
      const object = Object.fromEntries(keys.map((k, i) => [k, i]))
      const sorted = Object.keys(object).sort()
      expect(Object.keys(JSON.parse(canonicalJson(object)))).toEqual(Object.keys(JSON.parse(`{${sorted.map((k) => `${JSON.stringify(k)}:0`).join(',')}}`)))
      expect(canonicalJson(object)).toBe(`{${sorted.map((k) => `${JSON.stringify(k)}:${object[k]}`).join(',')}}`)
    }))
  })

  it('hashes bytes, bigints, Maps and Sets by content, Dates by toJSON, and refuses cycles', () => {
    expect(canonicalJson(new Uint8Array([1, 2, 3]))).toBe('{"$bytes":"AQID"}')
    expect(canonicalJson(Buffer.from([1, 2, 3]))).toBe('{"$bytes":"AQID"}')
    expect(canonicalJson({ n: 10n })).toBe('{"n":{"$bigint":"10"}}')
    expect(canonicalJson(new Map([['b', 1], ['a', 2]]))).toBe(canonicalJson(new Map([['a', 2], ['b', 1]])))
    expect(canonicalJson(new Set([1, 2]))).not.toBe(canonicalJson(new Set([1, 3])))
    expect(canonicalJson({ at: new Date(0) })).toBe('{"at":"1970-01-01T00:00:00.000Z"}')
    expect(canonicalJson({ a: undefined, b: [undefined] })).toBe('{"b":[null]}')
    const cycle: Record<string, unknown> = {}
    cycle.self = cycle
    expect(() => canonicalJson(cycle)).toThrow(/cycle/)
  })
})

describe('hashing and encoding', () => {
  it('is SHA-256 as base64url', async () => {
    // SHA-256("abc"), FIPS 180-2 appendix B.1.
    const hex = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
    const expected = Buffer.from(hex, 'hex').toString('base64url')
    expect(await sha256('abc')).toBe(expected)
  })

  it('hashes any text and any bytes as node:crypto does, synchronously on Node', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
      const hash = sha256(text)
      expect(typeof hash).toBe('string')
      expect(hash).toBe(createHash('sha256').update(text, 'utf8').digest('base64url'))
    }), { numRuns: 300 })
    for (const n of [0, 55, 56, 64, 4097, 100_000]) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => i & 255)
      expect(sha256Bytes(bytes)).toBe(createHash('sha256').update(bytes).digest('base64url'))
    }
  })

  it('gives the same hash through createHash where node:crypto has no one-shot hash (Node before 20.12)', async () => {
    // A fresh copy of the module, whose first call finds a node:crypto without `hash`.
    const real = process.getBuiltinModule
    const { hash: _oneShot, ...older } = await import('node:crypto')
    process.getBuiltinModule = ((id: string) => (id === 'node:crypto' ? older : real(id))) as typeof real
    try {
      vi.resetModules()
      const fresh = await import('../../../src/idempotency/hash.js')
      fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 100 }), (text) => {
        expect(fresh.sha256(text)).toBe(createHash('sha256').update(text, 'utf8').digest('base64url'))
      }), { numRuns: 100 })
      expect(fresh.sha256Bytes(Uint8Array.of(1, 2, 3))).toBe(createHash('sha256').update(Uint8Array.of(1, 2, 3)).digest('base64url'))
    } finally {
      process.getBuiltinModule = real
      vi.resetModules()
    }
  })

  it('gives the same hash on the Web Crypto path (Workers), for any bytes', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 5000 }), async (bytes) => {
      expect(await webSha256(bytes)).toBe(createHash('sha256').update(bytes).digest('base64url'))
    }), { numRuns: 100 })
  })

  it('base64 round-trips any bytes, and utf8Length agrees with TextEncoder', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      expect(toBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'))
      expect(fromBase64(toBase64(bytes))).toEqual(bytes)
    }))
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (text) => {
      expect(utf8Length(text)).toBe(new TextEncoder().encode(text).length)
    }))
  })
})

describe('claim owners', () => {
  it('are version 4 UUIDs, never the same twice across many batches of entropy, with every random digit varying', () => {
    const owners = Array.from({ length: 5000 }, () => newOwner())
    for (const owner of owners) expect(owner).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(new Set(owners).size).toBe(owners.length)
    for (let i = 0; i < 36; i++) {
      if ([8, 13, 14, 18, 23].includes(i)) continue
      expect(new Set(owners.map((o) => o[i])).size).toBeGreaterThan(i === 19 ? 3 : 12)
    }
  })
})

describe('keys', () => {
  const event = createEvent({ id: 'e/1', source: 'arn:aws:sqs:eu-west-1:1:q', type: 't', data: { orderId: 'A1' } })

  it('defaults to source + id, and namespaces by handler name in a store-safe string', async () => {
    const text = keyText(sourceAndId, event)
    expect(text).toBe('["arn:aws:sqs:eu-west-1:1:q","e/1"]')
    const a = await storeKey('orders', text)
    expect(a).toMatch(/^orders:[A-Za-z0-9_-]{43}$/)
    expect(await storeKey('billing', text)).not.toBe(a)
    // Names that clean up alike still differ.
    expect(await storeKey('a/b', text)).not.toBe(await storeKey('a:b', text))
    expect(await storeKey('com.example/order placed#v2', text)).toMatch(/^com\.example_order_placed_v2:/)
  })

  it('does not confuse ("a","b c") with ("a b","c")', () => {
    expect(keyText(() => ['a', 'b c'], event)).not.toBe(keyText(() => ['a b', 'c'], event))
    expect(keyText(() => 1, event)).not.toBe(keyText(() => '1', event))
  })

  it('refuses a key that is not there, or not a key', () => {
    for (const pick of [() => undefined, () => null, () => '', () => [], () => ['a', null], () => ({ id: 1 }) as never, () => [Symbol('x')] as never]) {
      expect(() => keyText(pick, event)).toThrow(IdempotencyKeyMissingError)
    }
  })
})

describe('the cache of completed records', () => {
  const completed = (key: string, expiresAt: number, result = '"r"'): IdempotencyRecord => ({ key, status: 'COMPLETED', expiresAt, payloadHash: 'h', owner: 'o', result })

  it('never holds an INPROGRESS record, nor a dead one', () => {
    const cache = createRecordCache()
    cache.set({ ...completed('k', 100), status: 'INPROGRESS' }, 0)
    cache.set(completed('d', 100), 100)
    expect(cache.size).toBe(0)
  })

  it('forgets a record when it expires', () => {
    const cache = createRecordCache()
    const record = completed('k', 100)
    cache.set(record, 0)
    expect(cache.get('k', 99)).toBe(record)
    expect(cache.get('k', 100)).toBeUndefined()
    expect(cache.size).toBe(0)
  })

  it('evicts the least recently used past maxEntries or maxBytes', () => {
    const cache = createRecordCache({ maxEntries: 2, maxBytes: 10 })
    const a = completed('a', 100, '"1"')
    cache.set(a, 0)
    cache.set(completed('b', 100, '"2"'), 0)
    cache.get('a', 0)
    cache.set(completed('c', 100, '"3"'), 0)
    expect(cache.get('b', 0)).toBeUndefined()
    expect(cache.get('a', 0)).toBe(a)
    const big = completed('big', 100, '"12345678"')
    cache.set(big, 0)
    expect(cache.size).toBe(1)
    cache.set(completed('huge', 100, 'x'.repeat(11)), 0)
    expect(cache.get('huge', 0)).toBeUndefined()
    expect(cache.get('big', 0)).toBe(big)
  })
})

describe('the cache of completed records, as a model', () => {
  const completed = (key: string, result: string): IdempotencyRecord => ({ key, status: 'COMPLETED', expiresAt: 100, payloadHash: 'h', owner: 'o', result })

  it('keeps within its bounds, returns only what was last set under a key, and holds the latest set', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), key: fc.integer({ min: 0, max: 12 }), result: fc.string({ maxLength: 6 }) }),
      fc.record({ kind: fc.constant('get' as const), key: fc.integer({ min: 0, max: 12 }) }),
    )
    fc.assert(fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 30 }), fc.array(op, { maxLength: 60 }), (maxEntries, maxBytes, ops) => {
      const cache = createRecordCache({ maxEntries, maxBytes })
      const last = new Map<string, IdempotencyRecord>()
      for (const o of ops) {
        const key = String(o.key)
        if (o.kind === 'set') {
          const record = completed(key, o.result)
          cache.set(record, 0)
          last.set(key, record)
          if (utf8Length(o.result) <= maxBytes) expect(cache.get(key, 0)).toBe(record)
        } else {
          const got = cache.get(key, 0)
          if (got !== undefined) {
            expect(got).toBe(last.get(key))
            expect(cache.get(key, 0)).toBe(got)
          }
        }
        expect(cache.size).toBeLessThanOrEqual(maxEntries)
      }
    }))
  })

  it('does not evict a record just read to make room for the next one', () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 6 }), fc.array(fc.integer({ min: 0, max: 12 }), { maxLength: 60 }), (maxEntries, keys) => {
      const cache = createRecordCache({ maxEntries })
      let read: IdempotencyRecord | undefined
      const set = new Map<string, IdempotencyRecord>()
      for (const k of keys) {
        const key = String(k)
        const hit = cache.get(key, 0)
        if (hit !== undefined) {
          expect(hit).toBe(set.get(key))
          read = hit
          continue
        }
        const record = completed(key, '1')
        cache.set(record, 0)
        set.set(key, record)
        if (read !== undefined) expect(cache.get(read.key, 0)).toBe(read)
        read = undefined
      }
    }))
  })

  it('evicts exactly as a least-recently-used list would, by entries and by bytes', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), key: fc.integer({ min: 0, max: 9 }), result: fc.string({ maxLength: 5 }) }),
      fc.record({ kind: fc.constant('get' as const), key: fc.integer({ min: 0, max: 9 }) }),
      fc.record({ kind: fc.constant('delete' as const), key: fc.integer({ min: 0, max: 9 }) }),
    )
    fc.assert(fc.property(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 12 }), fc.array(op, { maxLength: 80 }), (maxEntries, maxBytes, ops) => {
      const cache = createRecordCache({ maxEntries, maxBytes })
      // The reference: an array, least recently used first.
      let model: IdempotencyRecord[] = []
      const bytesOf = () => model.reduce((n, r) => n + utf8Length(r.result ?? ''), 0)
      for (const o of ops) {
        const key = String(o.key)
        if (o.kind === 'set') {
          const record = completed(key, o.result)
          cache.set(record, 0)
          model = model.filter((r) => r.key !== key)
          if (utf8Length(o.result) <= maxBytes && maxEntries > 0) {
            model.push(record)
            while (model.length > maxEntries || bytesOf() > maxBytes) model.shift()
          }
        } else if (o.kind === 'get') {
          const expected = model.find((r) => r.key === key)
          expect(cache.get(key, 0)).toBe(expected)
          if (expected) model = [...model.filter((r) => r !== expected), expected]
        } else {
          cache.delete(key)
          model = model.filter((r) => r.key !== key)
        }
        expect(cache.size).toBe(model.length)
      }
      for (const r of model) expect(cache.get(r.key, 0)).toBe(r)
    }))
  })
})

describe('the state tables', () => {
  const record = (status: 'INPROGRESS' | 'COMPLETED', expiresAt: number, payloadHash = 'h'): IdempotencyRecord => ({ key: 'k', status, expiresAt, payloadHash, owner: 'o' })

  // The delivery table as docs/idempotency.md states it, written out here rather than read
  // from DELIVERY_TABLE, so that a changed entry there fails these tests.
  // Rows: the record as the delivery finds it; columns: its payload hash.
  const EXPECTED = {
    absent: { same: 'claim', different: 'claim' },
    dead: { same: 'claim', different: 'claim' },
    INPROGRESS: { same: 'in-progress', different: 'reused' },
    COMPLETED: { same: 'replay', different: 'reused' },
  } as const

  it('is the documented table, entry by entry', () => {
    const literal = Object.fromEntries(Object.entries(EXPECTED).flatMap(([state, row]) => Object.entries(row).map(([match, verdict]) => [`${state}/${match}`, verdict])))
    expect(DELIVERY_TABLE).toStrictEqual(literal)
    expect(DELIVERY_TABLE).toStrictEqual({
      'absent/same': 'claim',
      'absent/different': 'claim',
      'dead/same': 'claim',
      'dead/different': 'claim',
      'INPROGRESS/same': 'in-progress',
      'INPROGRESS/different': 'reused',
      'COMPLETED/same': 'replay',
      'COMPLETED/different': 'reused',
    })
  })

  it('has a verdict for every case, and claims every dead or absent record', () => {
    expect(Object.keys(DELIVERY_TABLE)).toHaveLength(8)
    expect(decide(record('INPROGRESS', 10), 10, 'h')).toBe('claim')
    expect(decide(record('COMPLETED', 10), 10, 'h')).toBe('claim')
    expect(decide(undefined, 0, 'h')).toBe('claim')
    expect(decide(record('INPROGRESS', 10), 10, 'x')).toBe('claim')
    expect(decide(record('COMPLETED', 10), 10, 'x')).toBe('claim')
    expect(decide(record('INPROGRESS', 10), 9, 'h')).toBe('in-progress')
    expect(decide(record('INPROGRESS', 10), 9, 'x')).toBe('reused')
    expect(decide(record('COMPLETED', 10), 9, 'h')).toBe('replay')
    expect(decide(record('COMPLETED', 10), 9, 'x')).toBe('reused')
    // A live record in a status the table does not know (a user's store, say one reading Powertools' EXPIRED rows):
    // held by someone else, never run a second time.
    expect(decide({ ...record('INPROGRESS', 10), status: 'EXPIRED' as 'INPROGRESS' }, 9, 'h')).toBe('in-progress')
    // An unchecked side matches anything.
    expect(decide(record('COMPLETED', 10, ''), 9, 'x')).toBe('replay')
    expect(decide(record('COMPLETED', 10), 9, '')).toBe('replay')
    expect(found(record('COMPLETED', 10), 10)).toBe('dead')
  })

  it('decides as the documented table says, for any record, time and hash', () => {
    const status = fc.constantFrom<IdempotencyRecord['status']>('INPROGRESS', 'COMPLETED')
    const hash = fc.constantFrom('', 'h', 'x')
    const someRecord = fc.option(fc.record({ key: fc.constant('k'), status, expiresAt: fc.integer({ min: 0, max: 20 }), payloadHash: hash, owner: fc.constant('o') }), { nil: undefined })
    fc.assert(fc.property(someRecord, fc.integer({ min: 0, max: 20 }), hash, (record, now, payloadHash) => {
      const state = record === undefined ? 'absent' : record.expiresAt <= now ? 'dead' : record.status
      const match = record === undefined || record.payloadHash === '' || payloadHash === '' || record.payloadHash === payloadHash ? 'same' : 'different'
      expect(decide(record, now, payloadHash)).toBe(EXPECTED[state][match])
    }))
  })

  it('lists every record transition once', () => {
    expect(new Set(RECORD_TRANSITIONS.map((t) => `${t.from}|${t.on}`)).size).toBe(RECORD_TRANSITIONS.length)
  })

  it('sizes a record as its key, result, hash and owner plus overhead', () => {
    expect(recordBytes({ ...record('COMPLETED', 1), result: 'é' })).toBe(1 + 2 + 1 + 1 + 128)
  })
})
