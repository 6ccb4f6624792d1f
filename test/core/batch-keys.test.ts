/**
 * Ordered batches kept in order per key (a Kinesis partition key, a
 * DynamoDB item, an SQS FIFO message group), not per batch: items of other
 * keys run beside a slow or failed one. Properties over random keys,
 * random failures and random durations.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { RetryableError, runBatch, SkippedError } from 'faasade'

type Item = { key: string; fails: boolean; ms: number }

const item = fc.record({ key: fc.constantFrom('a', 'b', 'c', 'd'), fails: fc.boolean(), ms: fc.integer({ min: 0, max: 3 }) })

describe('runBatch with keyOf', () => {
  it('runs no item before every earlier item of its key has succeeded; skips the rest of a key after its failure; one outcome an item (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(item, { maxLength: 30 }), fc.integer({ min: 1, max: 6 }), async (items, concurrency) => {
        const finished: boolean[] = items.map(() => false)
        const started: number[] = []
        const violations: string[] = []
        const outcomes = await runBatch(
          items,
          async (it, i) => {
            for (let j = 0; j < i; j++) if (items[j]!.key === it.key && !(finished[j] && !items[j]!.fails)) violations.push(`${i} before ${j}`)
            started.push(i)
            await new Promise((resolve) => setTimeout(resolve, it.ms))
            finished[i] = true
            if (it.fails) throw new RetryableError(`item ${i}`)
            return i
          },
          { ordered: true, keyOf: (it) => it.key, concurrency },
        )
        expect(violations).toEqual([])
        expect(outcomes).toHaveLength(items.length)
        items.forEach((it, i) => {
          const earlierFailed = items.slice(0, i).some((e) => e.key === it.key && e.fails)
          const outcome = outcomes[i]!
          if (earlierFailed) {
            expect(started).not.toContain(i)
            expect(outcome.kind === 'retry' && outcome.error).toBeInstanceOf(SkippedError)
          } else if (it.fails) expect(outcome.kind).toBe('retry')
          else expect(outcome).toEqual({ kind: 'ok', result: i })
        })
      }),
      { numRuns: 60 },
    )
  })

  it('runs different keys at once, within the concurrency', async () => {
    let inFlight = 0
    let most = 0
    const items = Array.from({ length: 12 }, (_, i) => ({ key: `k${i % 4}` }))
    await runBatch(
      items,
      async () => {
        most = Math.max(most, ++inFlight)
        await new Promise((resolve) => setTimeout(resolve, 5))
        inFlight--
      },
      { ordered: true, keyOf: (it) => it.key, concurrency: 3 },
    )
    expect(most).toBe(3)
  })

  it('without keyOf an ordered batch is one key: nothing after the first failure runs', async () => {
    const ran: number[] = []
    const outcomes = await runBatch([0, 1, 2], (i) => {
      ran.push(i)
      if (i === 1) throw new RetryableError('no')
    }, { ordered: true })
    expect(ran).toEqual([0, 1])
    expect(outcomes.map((o) => o.kind)).toEqual(['ok', 'retry', 'retry'])
  })
})
