/**
 * Settling by hand and whole batches, in workerd: a handler that settles
 * its own message (`raw.message.retry()`) is not overruled by the adapter,
 * and `wholeBatch` hands a batch to one handler and settles it with
 * `ackAll()`/`retryAll()`, as workerd's queue hook reports.
 */
import type { Miniflare } from 'miniflare'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { buildPackage, type BuiltPackage } from './support/package.js'
import { startWorkerd, testWorker, workerScript, type TestMessage, type TestWorker } from './support/workerd.js'

// Per message (toWorker): `byHand` retries its message itself, with a delay of its own.
const perMessage = `
import { defineHandler } from 'faasade'
import { toWorker } from 'faasade/cloudflare-workers'
export default toWorker(defineHandler({
  type: 'com.example.job',
  handle(event, ctx) {
    if (event.data.byHand) ctx.provider.raw.message.retry({ delaySeconds: 7 })
  },
}), { queue: { type: 'com.example.job' } })
`

// Whole batches: the first event's \`cmd\` says what the handler does.
const whole = (options: string) => `
import { PermanentError, RetryableError } from 'faasade'
import { wholeBatch, workerEnv } from 'faasade/cloudflare-workers'
import * as z from 'zod/mini'
const seen = []
export default {
  fetch(request) {
    if (request.method === 'DELETE') seen.length = 0
    return Response.json(seen)
  },
  queue: wholeBatch({
    data: z.object({ n: z.number(), cmd: z.optional(z.string()) }),
    async handle(events, ctx) {
      seen.push({ ns: events.map((e) => e.data.n), types: [...new Set(events.map((e) => e.type))], attempt: ctx.attempt, provider: ctx.provider.name, bindings: Object.keys(workerEnv(ctx)) })
      const { batch } = ctx.provider.raw
      switch (events[0].data.cmd) {
        case 'retry': throw new RetryableError('the database is busy', { retryAfterMs: 2_500 })
        case 'permanent': throw new PermanentError('these rows can never be written')
        case 'ack-first-then-fail':
          batch.messages[0].ack()
          throw new RetryableError('the rest failed')
        case 'retry-all-by-hand':
          batch.retryAll({ delaySeconds: 60 })
          return
      }
    },
  }, ${options}),
}
`

let pkg: BuiltPackage
let mf: Miniflare
let logs: Array<Record<string, unknown>>
let single: TestWorker
let batches: TestWorker
let batchesAck: TestWorker

const at = new Date('2026-11-24T08:00:00.000Z')
const message = (id: string, body: unknown, attempts = 1): TestMessage => ({ id, timestamp: at, body, attempts })
const sorted = (ids: readonly string[]) => [...ids].sort()

async function seen(): Promise<Array<Record<string, unknown>>> {
  return (await (await mf.dispatchFetch('http://batches/')).json()) as Array<Record<string, unknown>>
}

beforeAll(async () => {
  pkg = await buildPackage()
  ;({ mf, logs } = await startWorkerd([
    { name: 'batches', script: await workerScript(pkg, whole(`{ queue: { type: 'com.example.rows' } }`)), bindings: { REGION: 'weur' } },
    { name: 'batches-ack', script: await workerScript(pkg, whole(`{ onDrop: 'ack' }`)) },
    { name: 'single', script: await workerScript(pkg, perMessage) },
  ]))
  single = await testWorker(mf, 'single')
  batches = await testWorker(mf, 'batches')
  batchesAck = await testWorker(mf, 'batches-ack')
})

afterAll(async () => {
  await mf?.dispose()
  await pkg?.remove()
})

beforeEach(async () => {
  await mf.dispatchFetch('http://batches/', { method: 'DELETE' })
})

describe('a message the handler settles by hand (toWorker)', () => {
  it('keeps the settlement the handler gave it: retried with its delay, not also acked', async () => {
    const result = await single.queue('jobs', [message('h1', { byHand: true }), message('h2', {})])
    expect(result.explicitAcks).toEqual(['h2'])
    expect(result.retryMessages).toEqual([{ msgId: 'h1', delaySeconds: 7 }])
  })
})

describe('wholeBatch', () => {
  it('hands every event to one handler call, in order, and settles a success with ackAll()', async () => {
    const result = await batches.queue('rows', [message('r1', { n: 1 }, 2), message('r2', { n: 2 }), message('r3', { n: 3 })])
    expect(result).toMatchObject({ outcome: 'ok', ackAll: true, retryBatch: { retry: false }, explicitAcks: [], retryMessages: [] })
    expect(await seen()).toEqual([{ ns: [1, 2, 3], types: ['com.example.rows'], attempt: 2, provider: 'cloudflare-workers', bindings: ['REGION'] }])
  })

  it('settles a retryable failure with retryAll(), after its retryAfterMs, and logs it once', async () => {
    const result = await batches.queue('rows', [message('r4', { n: 4, cmd: 'retry' }), message('r5', { n: 5 })])
    expect(result).toMatchObject({ ackAll: false, retryBatch: { retry: true, delaySeconds: 3 }, explicitAcks: [], retryMessages: [] })
    await vi.waitFor(() =>
      expect(logs).toContainEqual(expect.objectContaining({ level: 'error', msg: 'batch failed, will be retried', trigger: 'queue:rows', messages: 2, errorName: 'RetryableError' })),
    )
  })

  it("settles a permanent failure by onDrop: retryAll() towards the dead-letter queue by default, ackAll() with 'ack'", async () => {
    expect(await batches.queue('rows', [message('r6', { n: 6, cmd: 'permanent' })])).toMatchObject({ ackAll: false, retryBatch: { retry: true } })
    expect((await batches.queue('rows', [message('r7', { n: 7, cmd: 'permanent' })])).retryBatch.delaySeconds).toBeUndefined()
    expect(await batchesAck.queue('rows', [message('r8', { n: 8, cmd: 'permanent' })])).toMatchObject({ ackAll: true, retryBatch: { retry: false } })
  })

  it('drops a message whose data fails the schema on its own, and settles the others one by one', async () => {
    const result = await batches.queue('rows', [message('r9', { n: 9 }), message('bad', { n: 'ten' }), message('r11', { n: 11 })])
    expect(result).toMatchObject({ ackAll: false, retryBatch: { retry: false } })
    expect(sorted(result.explicitAcks)).toEqual(['r11', 'r9'])
    expect(result.retryMessages).toEqual([{ msgId: 'bad' }])
    expect(await seen()).toEqual([expect.objectContaining({ ns: [9, 11] })])
    await vi.waitFor(() =>
      expect(logs).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'message dropped from its batch, will not be retried', deliveryId: 'bad', errorName: 'ValidationError' })),
    )
  })

  it('leaves a message the handler settled by hand as it said, and settles the rest one by one', async () => {
    const result = await batches.queue('rows', [message('r12', { n: 12, cmd: 'ack-first-then-fail' }), message('r13', { n: 13 }), message('r14', { n: 14 })])
    expect(result).toMatchObject({ ackAll: false, retryBatch: { retry: false }, explicitAcks: ['r12'] })
    expect(result.retryMessages.map((r) => r.msgId).sort()).toEqual(['r13', 'r14'])
  })

  it('does not settle a batch the handler settled whole itself', async () => {
    const result = await batches.queue('rows', [message('r15', { n: 15, cmd: 'retry-all-by-hand' }), message('r16', { n: 16 })])
    expect(result).toMatchObject({ ackAll: false, retryBatch: { retry: true, delaySeconds: 60 }, explicitAcks: [], retryMessages: [] })
  })

  it('runs no handler for a batch of only bad messages', async () => {
    const runs = async () => ((await (await batchesAck.fetch('http://batches-ack/')).json()) as unknown[]).length
    const before = await runs()
    const result = await batchesAck.queue('rows', [message('bad2', { n: null })])
    expect(result).toMatchObject({ ackAll: false, explicitAcks: ['bad2'] })
    expect(await runs()).toBe(before)
  })
})
