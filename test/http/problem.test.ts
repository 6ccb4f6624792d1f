/**
 * problem+json replies (RFC 9457): status and type from the error class,
 * nothing from a stack, a cause or a foreign error's message.
 */
import { describe, expect, it } from 'vitest'
import {
  batchReply,
  createEvent,
  InvalidEventError,
  NoHandlerError,
  PayloadTooLargeError,
  PermanentError,
  problemReply,
  RetryableError,
  TimeoutError,
  toProblem,
  ValidationError,
  type Outcome,
} from 'faasade'
import { problemOf } from './helpers.js'

describe('problemReply', () => {
  it('renders each error of the family with its status and type', () => {
    const cases: Array<[unknown, number, string]> = [
      [new ValidationError('bad'), 400, 'https://faasade.dev/problems/validation'],
      [new InvalidEventError('bad event'), 400, 'https://faasade.dev/problems/invalid-cloudevent'],
      [new NoHandlerError('nobody'), 503, 'https://faasade.dev/problems/no-handler'],
      [new PayloadTooLargeError('big'), 413, 'about:blank'],
      [new PermanentError('never'), 422, 'about:blank'],
      [new RetryableError('later'), 503, 'about:blank'],
      [new TimeoutError('late'), 503, 'about:blank'],
      [new Error('boom'), 503, 'about:blank'],
    ]
    for (const [error, status, type] of cases) expect(problemOf(problemReply(error), status).type).toBe(type)
  })

  it('says nothing of a cause, a stack or a foreign message', () => {
    const cause = new Error('password=hunter2')
    for (const error of [new PermanentError('no such order', { cause }), new TypeError('password=hunter2'), cause]) {
      const reply = problemReply(error)
      problemOf(reply)
      expect(String(reply.body)).not.toContain('hunter2')
    }
    expect(toProblem(new TypeError('secret'))).toEqual({ type: 'about:blank', title: 'Internal error', status: 503 })
  })

  it('adds Retry-After in whole seconds, rounded up, never negative', () => {
    const retryAfter = (ms: number) => problemReply(new RetryableError('wait', { retryAfterMs: ms })).headers['retry-after']
    expect(retryAfter(1)).toBe('1')
    expect(retryAfter(1000)).toBe('1')
    expect(retryAfter(1001)).toBe('2')
    expect(retryAfter(0)).toBe('0')
    expect(retryAfter(-1500)).toBe('0')
    expect(retryAfter(Number.NaN)).toBe('0')
  })

  // Hardening item 5: `Infinity` went out as `Retry-After: Infinity`.
  it('is a whole number of seconds, at most 12 hours, for any wait', () => {
    const retryAfter = (ms: number) => problemReply(new RetryableError('wait', { retryAfterMs: ms })).headers['retry-after']
    expect(retryAfter(Number.POSITIVE_INFINITY)).toBe('43200')
    expect(retryAfter(Number.MAX_VALUE)).toBe('43200')
    expect(retryAfter(12 * 3_600_000 + 1)).toBe('43200')
    expect(retryAfter(12 * 3_600_000)).toBe('43200')
    expect(retryAfter(3_600_000)).toBe('3600')
    expect(retryAfter(Number.NEGATIVE_INFINITY)).toBe('0')
    expect(retryAfter(-0)).toBe('0')
  })
})

describe('batchReply Retry-After', () => {
  const events = [0, 1].map((i) => createEvent({ id: String(i), source: '/s', type: 't' }))
  const wait = (ms: number): Outcome => ({ kind: 'retry', error: new RetryableError('w', { retryAfterMs: ms }), retryAfterMs: ms })

  it('follows the same rule as a single reply', () => {
    expect(batchReply(events, [wait(-1500), wait(-3000)]).headers['retry-after']).toBe('0')
    expect(batchReply(events, [wait(Number.NaN), wait(1)]).headers['retry-after']).toBe('1')
    expect(batchReply(events, [wait(2500), wait(1)]).headers['retry-after']).toBe('3')
    expect(batchReply(events, [wait(Number.POSITIVE_INFINITY), wait(1)]).headers['retry-after']).toBe('43200')
  })
})
