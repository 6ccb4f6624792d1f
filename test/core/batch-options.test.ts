import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ConfigurationError, PermanentError, RetryableError, runBatch, runConcurrently, SkippedError, type Outcome } from 'faasade'

type Kind = 'ok' | 'retry' | 'drop' | 'reject'
const act = async (kind: Kind, i: number, ticks: number) => {
  for (let t = 0; t < ticks; t++) await Promise.resolve()
  if (kind === 'retry') throw new RetryableError(`item ${i}`)
  if (kind === 'drop') throw new PermanentError(`item ${i}`)
  if (kind === 'reject') throw new Error(`item ${i}`)
  return i
}

const rejection = async (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error)

describe('runBatch and runConcurrently: the concurrency option', () => {
  // Number(process.env.UNSET) is NaN: it used to run nothing and return empty slots.
  it.each([Number.NaN, 0, -1, -Infinity, 1.5, 0.5, Number('')])('refuses concurrency %s with a ConfigurationError naming it, running nothing', async (concurrency) => {
    const ran: number[] = []
    const run = (_item: string, i: number) => void ran.push(i)
    for (const call of [() => runBatch(['a', 'b', 'c'], run, { concurrency }), () => runConcurrently(['a', 'b', 'c'], run, concurrency)]) {
      const error = await rejection(call())
      expect(error).toBeInstanceOf(ConfigurationError)
      expect((error as Error).message).toContain('concurrency')
    }
    expect(ran).toEqual([])
  })

  it.each(['5', null, true, {}])('refuses a concurrency that is not a number (%j)', async (concurrency) => {
    const error = await rejection(runBatch([1], () => 1, { concurrency: concurrency as unknown as number }))
    expect(error).toBeInstanceOf(ConfigurationError)
  })

  it('refuses a bad concurrency even with no items, and for an ordered batch', async () => {
    expect(await rejection(runBatch([], () => 1, { concurrency: Number.NaN }))).toBeInstanceOf(ConfigurationError)
    expect(await rejection(runConcurrently([], () => 1, 0))).toBeInstanceOf(ConfigurationError)
    expect(await rejection(runBatch([1], () => 1, { ordered: true, concurrency: -3 }))).toBeInstanceOf(ConfigurationError)
  })

  it('refuses other bad options by name', async () => {
    expect(await rejection(runBatch([1], () => 1, { stopOn: 'all' as 'any' }))).toBeInstanceOf(ConfigurationError)
  })

  it('Infinity runs every item at once', async () => {
    let inFlight = 0
    let most = 0
    const run = async (i: number) => {
      most = Math.max(most, ++inFlight)
      await new Promise((resolve) => setTimeout(resolve, 1))
      inFlight--
      return i
    }
    const items = Array.from({ length: 40 }, (_, i) => i)
    for (const outcomes of [await runBatch(items, run, { concurrency: Infinity }), await runConcurrently(items, run, Infinity)]) {
      expect(outcomes.map((o) => o.kind === 'ok' && o.result)).toEqual(items)
    }
    expect(most).toBe(40)
  })

  it('never has more than `concurrency` items in flight', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 8 }), async (count, concurrency) => {
        let inFlight = 0
        let most = 0
        const run = async () => {
          most = Math.max(most, ++inFlight)
          await Promise.resolve()
          await Promise.resolve()
          inFlight--
        }
        await runBatch(Array.from({ length: count }), run, { concurrency })
        expect(most).toBe(Math.min(count, concurrency))
      }),
      { numRuns: 100 },
    )
  })
})

describe('runBatch: one outcome an item, in order (property)', () => {
  it('for random items, outcomes, delays, order and concurrency; a bad concurrency is refused whole', async () => {
    const item = fc.record({ kind: fc.constantFrom<Kind>('ok', 'retry', 'drop', 'reject'), ticks: fc.integer({ min: 0, max: 4 }) })
    await fc.assert(
      fc.asyncProperty(
        fc.array(item, { maxLength: 25 }),
        fc.boolean(),
        // Any number: the bad ones (NaN, 0, negatives, fractions) are part of the property.
        fc.oneof(fc.constant(undefined), fc.integer({ min: -2, max: 12 }), fc.double(), fc.constantFrom(Number.NaN, Infinity, -Infinity)),
        fc.boolean(),
        async (items, ordered, concurrency, withSettled) => {
          const calls: number[] = []
          const settled: Outcome[] | undefined = withSettled ? [] : undefined
          const batch = runBatch(items, (it, i) => (calls.push(i), act(it.kind, i, it.ticks)), { ordered, concurrency, settled })
          const valid = concurrency === undefined || concurrency === Infinity || (Number.isInteger(concurrency) && concurrency >= 1)
          if (!valid) {
            expect(await rejection(batch)).toBeInstanceOf(ConfigurationError)
            expect(calls).toEqual([])
            return
          }
          const outcomes = await batch
          // Exactly one outcome for each item: no hole, no extra.
          expect(outcomes).toHaveLength(items.length)
          expect(Object.keys(outcomes)).toHaveLength(items.length)
          // Each item ran at most once.
          expect(new Set(calls).size).toBe(calls.length)
          const stopAt = ordered ? items.findIndex((it) => it.kind === 'retry' || it.kind === 'reject') : -1
          items.forEach((it, i) => {
            const outcome = outcomes[i]!
            if (stopAt >= 0 && i > stopAt) {
              expect(outcome.kind === 'retry' && outcome.error).toBeInstanceOf(SkippedError)
              expect(calls).not.toContain(i)
              return
            }
            expect(calls).toContain(i)
            // In order: the outcome at i is item i's own.
            if (it.kind === 'ok') expect(outcome).toEqual({ kind: 'ok', result: i })
            else {
              expect(outcome.kind).toBe(it.kind === 'drop' ? 'drop' : 'retry')
              // A plain Error arrives wrapped (an UnexpectedError), with it as the cause.
              const error = outcome.kind !== 'ok' && (it.kind === 'reject' ? (outcome.error.cause as Error) : outcome.error)
              expect(error && error.message).toBe(`item ${i}`)
            }
          })
          if (settled) expect(settled).toEqual(outcomes)
        },
      ),
      { numRuns: 300 },
    )
  })
})
