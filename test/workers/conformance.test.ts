/**
 * The shared conformance table (test/conformance/cases.ts) inside workerd,
 * each case in its native Workers shape:
 *
 * - `http-binary`, `http-structured`, `http-batch`: a request to `fetch`.
 * - `event`: one queue message whose body is the structured CloudEvent (the
 *   shape that carries every attribute a case sets); `batch`: one queue batch.
 * - `ordered-batch`: Workers Queues do not keep order ("Queues does not
 *   guarantee that messages will be delivered to a consumer in the same
 *   order in which they are published", developers.cloudflare.com/queues/
 *   reference/how-queues-works), so the adapter offers no ordered mode: a
 *   retried message goes back to the queue and may come after later ones
 *   anyway. The case is delivered as a plain batch and each message must be
 *   settled on its own: expected outcomes are those of its events one by one.
 * - cron: a trigger carries no payload, so no case of the table applies; the
 *   cron row of the outcome table is tested in scheduled.test.ts.
 *
 * Settlement is what workerd reports (acked ids, retried ids and delays).
 * Workers' `ack()` says the same for ok and drop, so the Worker under test
 * also records, per event id, what its handler returned or threw, and
 * serves that record on a plain HTTP route.
 */
import type { Miniflare } from 'miniflare'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEvent, encodeBatch, encodeBinary, encodeStructured, toJsonFormat, type CloudEvent, type Outcome } from 'faasade'
import { cases, httpStatusFor, type ConformanceCase } from '../conformance/cases.js'
import type { Recorded } from '../conformance/handler.js'
import { buildPackage, type BuiltPackage } from './support/package.js'
import { startWorkerd, testWorker, workerScript, type QueueResult, type TestWorker } from './support/workerd.js'

// The conformance handler, wrapped to record what each event came to.
const entry = (options: string) => `
import { defineService } from 'faasade'
import { toWorker } from 'faasade/cloudflare-workers'
import { recordingHandler } from './test/conformance/handler.ts'

const record = {}
const http = {
  fetch(request) {
    if (request.method === 'DELETE') for (const id in record) delete record[id]
    return Response.json(record)
  },
}
export default toWorker(defineService({ http, events: [recordingHandler(record)], cloudEvents: { path: '/' } }), ${options})
`

type Seen = { kind: Outcome['kind']; error?: string; observed?: Record<string, unknown>; delaySeconds?: number }

const WORKERS = {
  ack: `{ onDrop: 'ack' }`,
  dlq: `{ onDrop: 'dead-letter' }`,
  late: `{ timeoutMs: -1 }`,
} as const

let pkg: BuiltPackage
let mf: Miniflare
const workers = {} as Record<keyof typeof WORKERS, TestWorker>

beforeAll(async () => {
  pkg = await buildPackage()
  const defs = await Promise.all(Object.entries(WORKERS).map(async ([name, options]) => ({ name, script: await workerScript(pkg, entry(options)) })))
  ;({ mf } = await startWorkerd(defs))
  for (const name of Object.keys(WORKERS) as Array<keyof typeof WORKERS>) workers[name] = await testWorker(mf, name)
})

afterAll(async () => {
  await mf?.dispose()
  await pkg?.remove()
})

const workerFor = (c: ConformanceCase, policy: 'ack' | 'dlq' = 'ack') => workers[c.deadlinePassed ? 'late' : policy]

async function recorded(worker: TestWorker, reset = false): Promise<Recorded> {
  return (await (await worker.fetch('http://conformance/record', { method: reset ? 'DELETE' : 'GET' })).json()) as Recorded
}

/** Delivers a case's events as one queue batch and reads back each message's settlement and record. */
async function overQueue(c: ConformanceCase, policy: 'ack' | 'dlq'): Promise<{ seen: Seen[]; result: QueueResult }> {
  const worker = workerFor(c, policy)
  await recorded(worker, true)
  const events = c.events.map((e) => createEvent(e))
  const messages = events.map((event, i) => ({ id: `msg-${i}`, timestamp: new Date('2026-11-24T09:00:00Z'), body: toJsonFormat(event), attempts: 1 }))
  const result = await worker.queue('conformance', messages)
  const record = await recorded(worker)
  const seen = events.map((event, i): Seen => {
    const id = `msg-${i}`
    const retried = result.retryMessages.find((r) => r.msgId === id)
    const acked = result.explicitAcks.includes(id)
    // Exactly one settlement a message.
    expect(Number(acked) + Number(retried !== undefined)).toBe(1)
    const entry = record[event.id]
    if (retried) return { kind: 'retry', error: entry?.error, delaySeconds: retried.delaySeconds }
    if (entry?.error !== undefined) return { kind: 'drop', error: entry.error }
    return { kind: 'ok', observed: entry?.result?.observed }
  })
  return { seen, result }
}

/** Delivers a case over HTTP in its mode and reads back the outcomes from the reply. */
async function overHttp(c: ConformanceCase): Promise<Seen[]> {
  const events = c.events.map((e) => createEvent(e))
  const encoded = c.delivery === 'http-batch' ? encodeBatch(events) : c.delivery === 'http-binary' ? encodeBinary(events[0]!) : encodeStructured(events[0]!)
  const response = await workerFor(c).fetch('http://conformance/', { method: 'POST', headers: encoded.headers, body: encoded.body as BodyInit })
  expect(response.status).toBe(200)
  if (c.delivery === 'http-batch') {
    const items = (await response.json()) as Array<{ outcome: Outcome['kind']; result?: { observed: Record<string, unknown> } }>
    return items.map((item) => ({ kind: item.outcome, observed: item.result?.observed }))
  }
  const body = (await response.json()) as { observed: Record<string, unknown> }
  return [{ kind: 'ok', observed: body.observed }]
}

/** What a case must come to on Workers: the table's answer, but unordered for `ordered-batch` (see the header). */
function expected(c: ConformanceCase): { outcomes: readonly Outcome['kind'][]; errors?: readonly (string | undefined)[] } {
  if (c.delivery !== 'ordered-batch') return c.expect
  const one = { ok: 'ok', permanent: 'drop', retry: 'retry', throw: 'retry' } as const
  const errors = { ok: undefined, permanent: 'PermanentError', retry: 'RetryableError', throw: 'UnexpectedError' } as const
  const behaviours = c.events.map((e) => (e.data as { behaviour: keyof typeof one }).behaviour)
  return { outcomes: behaviours.map((b) => one[b]), errors: behaviours.map((b) => errors[b]) }
}

function check(c: ConformanceCase, seen: Seen[]): void {
  const want = expected(c)
  expect(seen.map((s) => s.kind)).toEqual(want.outcomes)
  if (want.errors) expect(seen.map((s) => s.error)).toEqual(want.errors)
  c.expect.observed?.forEach((observed, i) => {
    if (observed && seen[i]!.kind === 'ok') expect(seen[i]!.observed).toMatchObject(observed)
  })
}

describe('conformance in workerd', () => {
  for (const c of cases) {
    it(`${c.name} (${c.delivery})`, async () => {
      if (c.delivery.startsWith('http-')) {
        check(c, await overHttp(c))
        return
      }
      const { seen } = await overQueue(c, 'ack')
      check(c, seen)
      // retry() carries the RetryableError's retryAfterMs (2000 ms in the conformance handler) as 2 s; other retries no delay.
      for (const s of seen.filter((s) => s.kind === 'retry')) expect(s.delaySeconds).toBe(s.error === 'RetryableError' ? 2 : undefined)
    })
  }
})

describe("conformance in workerd with onDrop: 'dead-letter'", () => {
  for (const c of cases.filter((c) => !c.delivery.startsWith('http-') && c.expect.outcomes.includes('drop'))) {
    it(`${c.name}: dropped messages are retried without a delay, towards the DLQ`, async () => {
      const { seen, result } = await overQueue(c, 'dlq')
      const dropped = expected(c).outcomes.flatMap((kind, i) => (kind === 'drop' ? [`msg-${i}`] : []))
      for (const id of dropped) expect(result.retryMessages).toContainEqual({ msgId: id })
      expect(result.explicitAcks.filter((id) => dropped.includes(id))).toEqual([])
      // The handler still failed the same way; only the settlement differs.
      expect(seen.filter((s, i) => dropped.includes(`msg-${i}`)).map((s) => s.error)).toEqual(
        expected(c).errors!.filter((_, i) => dropped.includes(`msg-${i}`)),
      )
    })
  }
})

describe('conformance in workerd: errors of single events over HTTP', () => {
  for (const c of cases.filter((c) => c.delivery === 'event' && c.expect.outcomes[0] !== 'ok')) {
    const status = httpStatusFor[c.expect.errors![0]!]!
    it(`${c.name} -> ${status} problem+json`, async () => {
      const { headers, body } = encodeBinary(createEvent(c.events[0]!) as CloudEvent)
      const response = await workerFor(c).fetch('http://conformance/', { method: 'POST', headers, body: body as BodyInit })
      expect(response.status).toBe(status)
      expect(response.headers.get('content-type')).toBe('application/problem+json')
      const problem = (await response.json()) as { status: number }
      expect(problem.status).toBe(status)
      expect(JSON.stringify(problem)).not.toMatch(/\n\s+at /)
      if (status === 429) expect(response.headers.get('retry-after')).toBe('2')
    })
  }
})
