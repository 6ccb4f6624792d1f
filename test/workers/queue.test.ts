/**
 * `queue()` in workerd: each message a CloudEvent, settled on its own. The
 * Workers are built from the package's output (test/workers/support) and
 * invoked through workerd's own queue hook, whose result says which message
 * ids were acked and which retried, with what delay.
 */
import type { Miniflare } from 'miniflare'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { createEvent, toJsonFormat } from 'faasade'
import { buildPackage, type BuiltPackage } from './support/package.js'
import { startWorkerd, testWorker, workerScript, type TestMessage, type TestWorker, type Workerd } from './support/workerd.js'

const entry = (options: string) => `
import { toWorker } from 'faasade/cloudflare-workers'
import { service } from './test/workers/fixtures/jobs.ts'
export default toWorker(service, ${options})
`

// Counts the calls that reach the Worker's own ctx.waitUntil.
const spyEntry = `
import { toWorker } from 'faasade/cloudflare-workers'
import { service } from './test/workers/fixtures/jobs.ts'
const worker = toWorker(service, { queue: { type: 'com.example.job' } })
let waited = 0
const spy = (ctx) => ({ waitUntil(promise) { waited++; ctx.waitUntil(promise) } })
export default {
  fetch(request, env, ctx) {
    if (new URL(request.url).pathname === '/waited') return Response.json(waited)
    return worker.fetch(request, env, spy(ctx))
  },
  queue: (batch, env, ctx) => worker.queue(batch, env, spy(ctx)),
}
`

let pkg: BuiltPackage
let mf: Miniflare
let logs: Array<Record<string, unknown>>
let consoleLines: Workerd['consoleLines']
let jobs: TestWorker
let toDlq: TestWorker
let untyped: TestWorker
let spied: TestWorker

const bindings = { GREETING: 'hello from env', REGION: 'weur' }
const at = new Date('2026-11-24T08:00:00.000Z')
const message = (id: string, body: unknown, attempts = 1): TestMessage => ({ id, timestamp: at, body, attempts })

async function seen(): Promise<Array<Record<string, any>>> {
  return (await (await mf.dispatchFetch('http://jobs/seen')).json()) as Array<Record<string, any>>
}

beforeAll(async () => {
  pkg = await buildPackage()
  ;({ mf, logs, consoleLines } = await startWorkerd([
    // The first Worker answers dispatchFetch.
    { name: 'jobs', script: await workerScript(pkg, entry(`{ queue: { type: 'com.example.job' }, onDrop: 'ack' }`)), bindings },
    // The default drop policy: nothing lost, a dropped message goes towards the dead-letter queue.
    { name: 'jobs-dlq', script: await workerScript(pkg, entry(`{ queue: { type: 'com.example.job' } }`)), bindings },
    { name: 'jobs-untyped', script: await workerScript(pkg, entry('{}')), bindings },
    { name: 'jobs-spy', script: await workerScript(pkg, spyEntry), bindings },
  ]))
  jobs = await testWorker(mf, 'jobs')
  toDlq = await testWorker(mf, 'jobs-dlq')
  untyped = await testWorker(mf, 'jobs-untyped')
  spied = await testWorker(mf, 'jobs-spy')
})

afterAll(async () => {
  await mf?.dispose()
  await pkg?.remove()
})

beforeEach(async () => {
  await mf.dispatchFetch('http://jobs/seen', { method: 'DELETE' })
})

const batchOfFive = [
  message('m1', { n: 1 }),
  message('m2', { n: 2 }),
  message('m3', { n: 3, fail: 'retry' }),
  message('m4', { n: 4, fail: 'permanent' }),
  message('m5', { n: 5 }),
]

describe('a batch of 5: message 3 retryable, message 4 permanent', () => {
  it("acks 1, 2, 4 and 5 and retries 3 after ceil(2500 ms) = 3 s (onDrop: 'ack')", async () => {
    const result = await jobs.queue('jobs', batchOfFive)
    expect(result.outcome).toBe('ok')
    expect(result.ackAll).toBe(false)
    expect(result.retryBatch.retry).toBe(false)
    expect([...result.explicitAcks].sort()).toEqual(['m1', 'm2', 'm4', 'm5'])
    expect(result.retryMessages).toEqual([{ msgId: 'm3', delaySeconds: 3 }])
  })

  it("with the default onDrop ('dead-letter'), message 4 is retried (towards the dead-letter queue) without a delay", async () => {
    const result = await toDlq.queue('jobs', batchOfFive)
    expect([...result.explicitAcks].sort()).toEqual(['m1', 'm2', 'm5'])
    const retried = [...result.retryMessages].sort((a, b) => a.msgId.localeCompare(b.msgId))
    expect(retried.map((r) => r.msgId)).toEqual(['m3', 'm4'])
    expect(retried[0]!.delaySeconds).toBe(3)
    expect(retried[1]!.delaySeconds).toBeUndefined()
  })

  it('logs the retried and the dropped message, naming the message and the error', async () => {
    await jobs.queue('jobs', batchOfFive)
    await vi.waitFor(() => {
      expect(logs).toContainEqual(
        expect.objectContaining({ level: 'error', msg: 'event failed, will be retried', trigger: 'queue:jobs', deliveryId: 'm3', outcome: 'retry', errorName: 'RetryableError' }),
      )
      expect(logs).toContainEqual(
        expect.objectContaining({ level: 'warn', msg: 'event dropped, will not be retried', trigger: 'queue:jobs', deliveryId: 'm4', outcome: 'drop', errorName: 'PermanentError' }),
      )
    })
  })

  it('logs each line to Workers Logs as an object, through the console method of its level', async () => {
    // Ids of its own: the Tail Worker hears every Worker of this file, and the batch of 5 runs in several tests.
    await jobs.queue('jobs', [message('level-retry', { n: 6, fail: 'retry' }), message('level-drop', { n: 7, fail: 'permanent' })])
    await vi.waitFor(() => {
      expect(consoleLines).toContainEqual({ level: 'error', message: [expect.objectContaining({ level: 'error', msg: 'event failed, will be retried', deliveryId: 'level-retry' })] })
      expect(consoleLines).toContainEqual({ level: 'warn', message: [expect.objectContaining({ level: 'warn', msg: 'event dropped, will not be retried', deliveryId: 'level-drop' })] })
    })
  })

  it('runs the handler once for each message', async () => {
    await jobs.queue('jobs', batchOfFive)
    const runs = (await seen()).filter((s) => s.kind === 'job')
    expect(runs.map((s) => s.data.n).sort()).toEqual([1, 2, 3, 4, 5])
  })
})

describe('a message as a CloudEvent', () => {
  it('maps id, source, type, time, datacontenttype and data; ctx.attempt is message.attempts', async () => {
    await jobs.queue('orders-eu', [message('msg-42', { n: 42 }, 3)])
    const [run] = (await seen()).filter((s) => s.kind === 'job')
    expect(run).toEqual({
      kind: 'job',
      attributes: {
        specversion: '1.0',
        id: 'msg-42',
        source: '//queue.cloudflare.com/orders-eu',
        type: 'com.example.job',
        time: '2026-11-24T08:00:00.000Z',
        datacontenttype: 'application/json',
      },
      data: { n: 42 },
      attempt: 3,
      provider: 'cloudflare-workers',
      // fromEnv (faasade/secrets) read the binding through ctx.provider.raw.env.
      greeting: 'hello from env',
      bindings: ['GREETING', 'REGION'],
    })
  })

  it("hands ctx.waitUntil work to the Worker's own waitUntil, from queue() and from fetch()", async () => {
    const waited = async () => (await (await spied.fetch('http://jobs/waited')).json()) as number
    const before = await waited()
    await spied.queue('jobs', [message('w1', { n: 7 })])
    expect(await waited()).toBe(before + 1)
    const response = await spied.fetch('http://jobs/', {
      method: 'POST',
      headers: { 'ce-specversion': '1.0', 'ce-id': 'h-1', 'ce-source': '/http', 'ce-type': 'com.example.job', 'content-type': 'application/json' },
      body: JSON.stringify({ n: 8 }),
    })
    expect(response.status).toBe(200)
    expect(await waited()).toBe(before + 2)
  })

  it('over fetch, env bindings reach the handler as well (ctx.provider.raw.env)', async () => {
    const response = await mf.dispatchFetch('http://jobs/', {
      method: 'POST',
      headers: { 'ce-specversion': '1.0', 'ce-id': 'h-2', 'ce-source': '/http', 'ce-type': 'com.example.job', 'content-type': 'application/json' },
      body: JSON.stringify({ n: 11 }),
    })
    expect(response.status).toBe(200)
    expect(await seen()).toContainEqual(expect.objectContaining({ kind: 'job', provider: 'cloudflare-workers', greeting: 'hello from env', attempt: null, bindings: ['GREETING', 'REGION'] }))
  })

  it('unwraps a body that is already a structured CloudEvent instead of wrapping it twice', async () => {
    const event = createEvent({
      id: 'order-9',
      source: '//orders.example.com/eu',
      type: 'com.example.job',
      subject: 'orders/9',
      time: '2026-11-23T10:00:00Z',
      tenant: 'acme',
      datacontenttype: 'application/json',
      data: { n: 9 },
    })
    const result = await jobs.queue('jobs', [message('queue-assigned-id', toJsonFormat(event), 2)])
    expect(result.explicitAcks).toEqual(['queue-assigned-id'])
    const [run] = (await seen()).filter((s) => s.kind === 'job')
    const { data, ...attributes } = event
    expect(run!.attributes).toEqual(attributes)
    expect(run!.data).toEqual(data)
    expect(run!.attempt).toBe(2)
  })

  it('acks a malformed structured CloudEvent without running the handler (a drop), or retries it into the DLQ', async () => {
    const malformed = { specversion: '1.0', type: 'com.example.job', data: { n: 1 } }
    expect((await jobs.queue('jobs', [message('bad-1', malformed)])).explicitAcks).toEqual(['bad-1'])
    expect((await toDlq.queue('jobs', [message('bad-2', malformed)])).retryMessages).toEqual([{ msgId: 'bad-2' }])
    expect(await seen()).toEqual([])
  })

  it('acks a body that fails the schema (a ValidationError is never retried)', async () => {
    const result = await jobs.queue('jobs', [message('s1', 'plain text'), message('s2', { n: 'one' })])
    expect([...result.explicitAcks].sort()).toEqual(['s1', 's2'])
    expect(result.retryMessages).toEqual([])
  })

  it('retries an unknown error, and a RetryableError without retryAfterMs, with no delay of its own', async () => {
    const result = await jobs.queue('jobs', [message('t1', { n: 1, fail: 'throw' }), message('t2', { n: 2, fail: 'retry-no-delay' })])
    expect(result.explicitAcks).toEqual([])
    expect([...result.retryMessages].sort((a, b) => a.msgId.localeCompare(b.msgId))).toEqual([{ msgId: 't1' }, { msgId: 't2' }])
  })

  it('without a queue.type option, a plain message is com.cloudflare.queue.message: no handler here, a fault of the deployment, so it is retried, not lost', async () => {
    const result = await untyped.queue('jobs', [message('u1', { n: 1 })])
    expect(result.explicitAcks).toEqual([])
    expect(result.retryMessages).toEqual([{ msgId: 'u1' }])
    expect(await seen()).toEqual([])
  })
})
