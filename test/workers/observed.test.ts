/**
 * `toWorker(observed(service))` in workerd: a queue message and a request
 * that carry a trace context give lines with that trace id and a span id
 * of their own, each delivery a summary line; a Worker that does not opt in
 * logs no trace fields and no summary (and ships none of the code: the
 * size budget in bundles.test.ts).
 */
import type { Miniflare } from 'miniflare'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { createEvent, toJsonFormat } from 'faasade'
import { buildPackage, type BuiltPackage } from './support/package.js'
import { startWorkerd, testWorker, workerScript, type TestMessage, type TestWorker } from './support/workerd.js'

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const SPAN = '00f067aa0ba902b7'
const TRACEPARENT = `00-${TRACE}-${SPAN}-01`

const entry = (observe: boolean) => `
import { observed, toWorker } from 'faasade/cloudflare-workers'
import { service } from './test/workers/fixtures/jobs.ts'
export default toWorker(${observe ? 'observed(service)' : 'service'}, { queue: { type: 'com.example.job' }, onDrop: 'ack' })
`

let pkg: BuiltPackage
let mf: Miniflare
let logs: Array<Record<string, unknown>>
let worker: TestWorker
let plain: TestWorker

const bindings = { GREETING: 'hello' }
const message = (id: string, body: unknown): TestMessage => ({ id, timestamp: new Date('2026-12-07T08:00:00.000Z'), body, attempts: 2 })
const linesOf = (eventId: string) => logs.filter((l) => l.eventId === eventId)

beforeAll(async () => {
  pkg = await buildPackage()
  ;({ mf, logs } = await startWorkerd([
    { name: 'observed', script: await workerScript(pkg, entry(true)), bindings },
    { name: 'plain', script: await workerScript(pkg, entry(false)), bindings },
  ]))
  worker = await testWorker(mf, 'observed')
  plain = await testWorker(mf, 'plain')
})

afterAll(async () => {
  await mf?.dispose()
  await pkg?.remove()
})

beforeEach(() => {
  logs.length = 0
})

describe('an observed Worker', () => {
  it('a queue message whose body a producer injected into: its trace id, a span id of its own, a summary line', async () => {
    await worker.queue('jobs', [message('q-1', { n: 1, traceparent: TRACEPARENT })])
    await vi.waitFor(() => expect(linesOf('q-1').some((l) => l.msg === 'delivery finished')).toBe(true))
    const done = linesOf('q-1').find((l) => l.msg === 'delivery finished')!
    expect(done).toMatchObject({ level: 'info', eventType: 'com.example.job', eventSource: '//queue.cloudflare.com/jobs', traceId: TRACE, outcome: 'ok', attempt: 2, retryable: false, trigger: 'pubsub' })
    expect(done.spanId).toMatch(/^[0-9a-f]{16}$/)
    expect(done.spanId).not.toBe(SPAN)
  })

  it("a structured CloudEvent body's distributed-tracing extension", async () => {
    const event = createEvent({ id: 'ce-q-2', source: '/shop', type: 'com.example.job', data: { n: 2 }, traceparent: TRACEPARENT })
    await worker.queue('jobs', [message('q-2', toJsonFormat(event))])
    await vi.waitFor(() => expect(linesOf('ce-q-2').find((l) => l.msg === 'delivery finished')).toMatchObject({ traceId: TRACE }))
  })

  it('a retryable and a permanent failure: their summary lines', async () => {
    await worker.queue('jobs', [message('q-3', { n: 3, fail: 'retry' }), message('q-4', { n: 4, fail: 'permanent' })])
    await vi.waitFor(() => {
      expect(linesOf('q-3').find((l) => l.msg === 'delivery finished')).toMatchObject({ outcome: 'retry', retryable: true })
      expect(linesOf('q-4').find((l) => l.msg === 'delivery finished')).toMatchObject({ outcome: 'drop', retryable: false })
    })
  })

  it('a CloudEvent over HTTP with a traceparent header', async () => {
    const response = await mf.dispatchFetch('http://observed/', {
      method: 'POST',
      headers: { 'ce-specversion': '1.0', 'ce-id': 'h-1', 'ce-source': '/bench', 'ce-type': 'com.example.job', 'content-type': 'application/json', traceparent: TRACEPARENT },
      body: JSON.stringify({ n: 5 }),
    })
    expect(response.status).toBe(200)
    await vi.waitFor(() => expect(linesOf('h-1').find((l) => l.msg === 'delivery finished')).toMatchObject({ traceId: TRACE, trigger: 'http', outcome: 'ok' }))
  })
})

describe('a Worker that does not opt in', () => {
  it('logs its failures as ever, with no trace fields and no summary line', async () => {
    await plain.queue('jobs', [message('p-1', { n: 1, fail: 'retry', traceparent: TRACEPARENT })])
    await vi.waitFor(() => expect(linesOf('p-1').length).toBeGreaterThan(0))
    expect(linesOf('p-1').some((l) => l.msg === 'delivery finished' || 'traceId' in l)).toBe(false)
  })
})
