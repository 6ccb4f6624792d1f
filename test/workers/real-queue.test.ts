/**
 * Real delivery through Miniflare's queue broker: a producer binding sends a
 * batch, workerd delivers it to the Worker's `queue()`, and what the adapter
 * settles is what the broker does next: acked messages are gone, a retried
 * one comes back with `attempts` + 1 after its delay, and a permanently
 * failing one (onDrop: 'dead-letter') reaches the dead-letter queue after
 * `maxRetries`. The waits poll for the end state; nothing asserts a duration.
 */
import type { Miniflare } from 'miniflare'
import { afterAll, beforeAll, expect, it, vi } from 'vitest'
import { buildPackage, type BuiltPackage } from './support/package.js'
import { startWorkerd, testWorker, workerScript } from './support/workerd.js'

let pkg: BuiltPackage
let mf: Miniflare

// The dead-letter queue's consumer: a plain Worker that records what arrives.
const deadLetterRecorder = `
const dead = []
export default {
  async queue(batch) { for (const m of batch.messages) { dead.push({ queue: batch.queue, body: m.body }); m.ack() } },
  async fetch() { return Response.json(dead) },
}`

beforeAll(async () => {
  pkg = await buildPackage()
  const script = await workerScript(
    pkg,
    `import { toWorker } from 'faasade/cloudflare-workers'
     import { service } from './test/workers/fixtures/jobs.ts'
     export default toWorker(service, { queue: { type: 'com.example.job' }, onDrop: 'dead-letter' })`,
  )
  ;({ mf } = await startWorkerd([
    {
      name: 'jobs',
      script,
      bindings: { GREETING: 'hi' },
      queueProducers: { JOBS: { queueName: 'jobs' } },
      queueConsumers: { jobs: { maxBatchSize: 5, maxBatchTimeout: 0, maxRetries: 2, deadLetterQueue: 'jobs-dlq' } },
    },
    { name: 'dlq', script: deadLetterRecorder, queueConsumers: { 'jobs-dlq': { maxBatchTimeout: 0 } } },
  ]))
})

afterAll(async () => {
  await mf?.dispose()
  await pkg?.remove()
})

it('acks the good messages once, redelivers the retried one, and sends the permanent failure to the DLQ after max_retries', async () => {
  const producer = await mf.getQueueProducer<Record<string, unknown>>('JOBS', 'jobs')
  await producer.sendBatch([{ body: { n: 1 } }, { body: { n: 2, fail: 'retry-once' } }, { body: { n: 3, fail: 'permanent' } }, { body: { n: 4 } }])

  const dlq = await testWorker(mf, 'dlq')
  type Seen = Array<{ kind: string; data: { n: number }; attempt: number; attributes: { source: string } }>
  let seen: Seen = []
  const runs = (n: number) => seen.filter((s) => s.kind === 'job' && s.data.n === n).map((s) => s.attempt)
  // The end state: the permanent failure is in the DLQ, and the delayed retry has run again.
  await vi.waitFor(
    async () => {
      const dead = (await (await dlq.fetch('http://dlq/')).json()) as unknown[]
      expect(dead).toEqual([{ queue: 'jobs-dlq', body: { n: 3, fail: 'permanent' } }])
      seen = (await (await mf.dispatchFetch('http://jobs/seen')).json()) as Seen
      expect(runs(2)).toHaveLength(2)
    },
    { timeout: 30_000, interval: 250 },
  )
  expect(runs(1)).toEqual([1])
  expect(runs(4)).toEqual([1])
  // Failed with retryAfterMs 1000 (retry({ delaySeconds: 1 })), then succeeded on its second delivery.
  expect(runs(2)).toEqual([1, 2])
  // One delivery and max_retries (2) redeliveries, then the dead-letter queue.
  expect(runs(3)).toEqual([1, 2, 3])
  expect(new Set(seen.filter((s) => s.kind === 'job').map((s) => s.attributes.source))).toEqual(new Set(['//queue.cloudflare.com/jobs']))
})
