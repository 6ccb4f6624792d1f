import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { PermanentError, RetryableError, runBatch, settle, SkippedError, type Outcome } from 'faasade'

type Kind = 'ok' | 'retry' | 'drop'
const act = (kind: Kind, i: number) => {
  if (kind === 'retry') throw new RetryableError(`item ${i}`)
  if (kind === 'drop') throw new PermanentError(`item ${i}`)
  return i
}

describe('runBatch', () => {
  it('reports each item on its own, in input order', async () => {
    const outcomes = await runBatch(['ok', 'retry', 'ok', 'drop'] as Kind[], act)
    expect(outcomes.map((o) => o.kind)).toEqual(['ok', 'retry', 'ok', 'drop'])
  })

  it('ordered: stops at the first retry and marks the rest skipped without running them', async () => {
    const ran: number[] = []
    const outcomes = await runBatch(['ok', 'drop', 'retry', 'ok', 'ok'] as Kind[], (k, i) => (ran.push(i), act(k, i)), { ordered: true })
    expect(outcomes.map((o) => o.kind)).toEqual(['ok', 'drop', 'retry', 'retry', 'retry'])
    expect(ran).toEqual([0, 1, 2])
    expect(outcomes[3]!.kind === 'retry' && outcomes[3]!.error).toBeInstanceOf(SkippedError)
  })

  it('settled: each outcome is written as its item settles, and the array ends equal to the result (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom<Kind>('ok', 'retry', 'drop'), { maxLength: 12 }), fc.boolean(), fc.integer({ min: 1, max: 5 }), async (kinds, ordered, concurrency) => {
        const settled: Outcome[] = []
        const earlierWritten: boolean[] = []
        const run = async (k: Kind, i: number) => {
          await Promise.resolve()
          // Ordered items run one after another: the one before has been written by now.
          if (ordered && i > 0) earlierWritten.push(settled[i - 1] !== undefined)
          return act(k, i)
        }
        const outcomes = await runBatch(kinds, run, { ordered, concurrency: ordered ? undefined : concurrency, settled })
        expect(settled).toEqual(outcomes)
        expect(earlierWritten.every(Boolean)).toBe(true)
      }),
      { numRuns: 150 },
    )
  })

  it("ordered with stopOn 'any': a drop stops it too", async () => {
    const outcomes = await runBatch(['ok', 'drop', 'ok'] as Kind[], act, { ordered: true, stopOn: 'any' })
    expect(outcomes.map((o) => o.kind)).toEqual(['ok', 'drop', 'retry'])
  })

  it('never has more items in flight than the concurrency bound', async () => {
    let inFlight = 0
    let peak = 0
    await runBatch(Array.from({ length: 40 }, (_, i) => i), async (i) => {
      peak = Math.max(peak, ++inFlight)
      await new Promise((r) => setTimeout(r, i % 3))
      inFlight--
    }, { concurrency: 4 })
    expect(peak).toBe(4)
  })

  it('unordered outcomes match each item, whatever the mix (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom<Kind>('ok', 'retry', 'drop'), { maxLength: 30 }), fc.integer({ min: 1, max: 8 }), async (kinds, concurrency) => {
        const outcomes = await runBatch(kinds, async (k, i) => { await Promise.resolve(); return act(k, i) }, { concurrency })
        expect(outcomes.map((o) => o.kind)).toEqual(kinds)
      }),
    )
  })

  it('ordered outcomes are the prefix up to the first retry, then retries (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom<Kind>('ok', 'retry', 'drop'), { maxLength: 30 }), async (kinds) => {
        const outcomes = await runBatch(kinds, act, { ordered: true })
        const first = kinds.indexOf('retry')
        const expected = first === -1 ? kinds : [...kinds.slice(0, first), ...kinds.slice(first).map(() => 'retry')]
        expect(outcomes.map((o) => o.kind)).toEqual(expected)
      }),
    )
  })
})

describe('settle', () => {
  it('answers with a promise even when reading the thrown value throws (a hostile Proxy)', async () => {
    const hostile = new Proxy({}, { get: () => { throw new Error('no reading me') } })
    let settled: Promise<unknown> | undefined
    expect(() => (settled = settle(() => { throw hostile }))).not.toThrow()
    await expect(settled).rejects.toThrow('no reading me')
  })
})
