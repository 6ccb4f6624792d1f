/**
 * The conformance table through `faasade/testing` (single events and native
 * batches) and `createFetchHandler` (CloudEvents over HTTP, every mode).
 */
import { describe, expect, it } from 'vitest'
import { createEvent, createFetchHandler, encodeBatch, encodeBinary, encodeStructured, runBatch, type CloudEvent, type Outcome } from 'faasade'
import { invoke } from 'faasade/testing'
import { cases, httpStatusFor, type ConformanceCase } from './cases.js'
import { conformanceHandler } from './handler.js'

type Seen = { kind: Outcome['kind']; error?: string; result?: { observed: Record<string, unknown> } }

async function deliver(c: ConformanceCase): Promise<Seen[]> {
  const events = c.events.map((e) => createEvent(e))
  const timeoutMs = c.deadlinePassed ? -1 : 30_000
  switch (c.delivery) {
    case 'event': {
      const run = await invoke(conformanceHandler, events[0]!, { timeoutMs })
      return [run.ok ? { kind: 'ok', result: run.result } : { kind: run.outcome, error: run.error.name }]
    }
    case 'batch':
    case 'ordered-batch': {
      const outcomes = await runBatch(
        events,
        async (event) => {
          const run = await invoke(conformanceHandler, event, { timeoutMs })
          if (!run.ok) throw run.error
          return run.result
        },
        { ordered: c.delivery === 'ordered-batch' },
      )
      return outcomes.map((o) => (o.kind === 'ok' ? { kind: 'ok', result: o.result } : { kind: o.kind, error: o.error.name }))
    }
    default:
      return overHttp(c.delivery, events)
  }
}

async function overHttp(mode: 'http-binary' | 'http-structured' | 'http-batch', events: CloudEvent[]): Promise<Seen[]> {
  const fetch = createFetchHandler(conformanceHandler)
  const encoded = mode === 'http-batch' ? encodeBatch(events) : mode === 'http-binary' ? encodeBinary(events[0]!) : encodeStructured(events[0]!)
  const response = await fetch(new Request('http://localhost/', { method: 'POST', headers: encoded.headers, body: encoded.body as BodyInit }))
  const body = (await response.json()) as unknown
  if (mode === 'http-batch') {
    expect(response.status).toBe(200)
    return (body as Array<{ outcome: Outcome['kind']; result?: Seen['result'] }>).map((item) => ({ kind: item.outcome, result: item.result }))
  }
  expect(response.status).toBe(200)
  return [{ kind: 'ok', result: body as Seen['result'] }]
}

describe('conformance through faasade/testing', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const seen = await deliver(c)
      expect(seen.map((s) => s.kind)).toEqual(c.expect.outcomes)
      if (c.expect.errors) expect(seen.map((s) => s.error)).toEqual(c.expect.errors)
      c.expect.observed?.forEach((observed, i) => {
        if (observed) expect(seen[i]!.result?.observed).toMatchObject(observed)
      })
    })
  }
})

describe('conformance: errors of single events over HTTP', () => {
  for (const c of cases.filter((c) => c.delivery === 'event' && c.expect.outcomes[0] !== 'ok')) {
    it(`${c.name} -> ${httpStatusFor[c.expect.errors![0]!]}`, async () => {
      const fetch = createFetchHandler(conformanceHandler, { context: () => (c.deadlinePassed ? { deadline: Date.now() - 1 } : {}) })
      const { headers, body } = encodeBinary(createEvent(c.events[0]!))
      const response = await fetch(new Request('http://localhost/', { method: 'POST', headers, body: body as BodyInit }))
      expect(response.status).toBe(httpStatusFor[c.expect.errors![0]!])
      expect(response.headers.get('content-type')).toBe('application/problem+json')
      const problem = (await response.json()) as { status: number; title: string }
      expect(problem.status).toBe(response.status)
      expect(JSON.stringify(problem)).not.toMatch(/\n\s+at /)
      if (response.status === 429) expect(response.headers.get('retry-after')).toBe('2')
    })
  }
})
