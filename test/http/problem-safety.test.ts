/**
 * What a problem reply may say (hardening item 7): a fixed title per class,
 * the `detail` the thrower chose as the only free text, and no registered
 * secret anywhere in it; and a size that the input cannot inflate.
 */
import { afterEach, describe, expect, it } from 'vitest'
import {
  addRedaction,
  batchReply,
  createEvent,
  InvalidEventError,
  NoHandlerError,
  PayloadTooLargeError,
  PermanentError,
  problemReply,
  removeRedaction,
  RetryableError,
  TimeoutError,
  toProblem,
  ValidationError,
  type Outcome,
} from 'faasade'
import { IdempotencyKeyMissingError } from 'faasade/idempotency'
import { problemOf } from './helpers.js'

const key = 'orders/A1-4471'

describe('problem titles', () => {
  it('never carry the message: the title is fixed by the class, the detail is the only free text', () => {
    const reply = problemReply(new RetryableError(`upstream refused ${key}`, { detail: 'upstream unavailable' }))
    expect(String(reply.body)).not.toContain(key)
    expect(problemOf(reply, 503)).toEqual({ type: 'about:blank', title: 'Temporarily unavailable', status: 503, detail: 'upstream unavailable' })
  })

  it.each([
    [new ValidationError(`order ${key} is bad`), 'Validation failed'],
    [new InvalidEventError(`event ${key} is bad`), 'Invalid CloudEvent'],
    [new PermanentError(`order ${key} does not exist`), 'Permanent failure'],
    [new NoHandlerError(`nobody takes ${key}`), 'No handler'],
    [new PayloadTooLargeError(`${key} is big`), 'Payload too large'],
    [new RetryableError(`stripe is down for ${key}`), 'Temporarily unavailable'],
    [new RetryableError(`stripe throttles ${key}`, { retryAfterMs: 1_000 }), 'Temporarily unavailable'],
    [new TimeoutError(`${key} took too long`), 'Timed out'],
    [new Error(`${key} broke`), 'Internal error'],
    [new IdempotencyKeyMissingError(`no key in ${key}`), 'Idempotency key missing'],
  ])('%s has the title %j', (error, title) => {
    const reply = problemReply(error)
    expect(problemOf(reply).title).toBe(title)
    expect(String(reply.body)).not.toContain(key)
  })

  it("lets a user's subclass choose its own title", () => {
    class OrderClosedError extends PermanentError {
      protected override title(): string {
        return 'Order closed'
      }
    }
    expect(toProblem(new OrderClosedError(`order ${key} is closed`))).toEqual({ type: 'about:blank', title: 'Order closed', status: 422 })
  })

  it('holds for the problems of a batch reply too', () => {
    const events = [createEvent({ id: '1', source: '/s', type: 't' })]
    const outcomes: Outcome[] = [{ kind: 'drop', error: new PermanentError(`order ${key} does not exist`, { detail: 'No such order' }) }]
    const body = String(batchReply(events, outcomes).body)
    expect(body).not.toContain(key)
    expect(JSON.parse(body)).toMatchObject([{ problem: { title: 'Permanent failure', detail: 'No such order', status: 422 } }])
  })
})

describe('problem bodies are scrubbed of registered secrets', () => {
  const secret = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc'
  afterEach(() => removeRedaction(secret))

  it('in the detail, the issues and their paths, for a single reply and a batch', () => {
    addRedaction(secret)
    const errors = [
      new PermanentError('x', { detail: `the key ${secret} was refused` }),
      new ValidationError('x', [{ message: `got "${secret}"`, path: ['config', secret] }], { detail: `bad: ${secret}` }),
    ]
    for (const error of errors) {
      const body = String(problemReply(error).body)
      expect(body).not.toContain(secret)
      expect(body).toContain('[redacted]')
    }
    expect(problemOf(problemReply(errors[1]))).toMatchObject({ detail: 'bad: [redacted]', issues: [{ message: 'got "[redacted]"', path: 'config.[redacted]' }] })
    const events = errors.map((_, i) => createEvent({ id: String(i), source: '/s', type: 't' }))
    const body = String(batchReply(events, errors.map((error): Outcome => ({ kind: 'drop', error }))).body)
    expect(body).not.toContain(secret)
  })

  it('leaves a body alone while no secret is registered', () => {
    expect(toProblem(new PermanentError('x', { detail: `the key ${secret} was refused` })).detail).toBe(`the key ${secret} was refused`)
  })
})

describe('problem bodies are bounded', () => {
  it('cuts a long detail, and an issue message and path', () => {
    const long = 'x'.repeat(100_000)
    const problem = toProblem(new ValidationError('x', [{ message: long, path: [long] }], { detail: long }))
    expect(problem.detail!.length).toBeLessThanOrEqual(1_000)
    expect(problem.detail!.endsWith('…')).toBe(true)
    expect(problem.issues![0]!.message.length).toBeLessThanOrEqual(300)
    expect(problem.issues![0]!.path!.length).toBeLessThanOrEqual(200)
  })

  it('never cuts a surrogate pair in two', () => {
    const detail = `${'x'.repeat(998)}😀${'y'.repeat(10)}`
    expect(toProblem(new PermanentError('x', { detail })).detail).toBe(`${'x'.repeat(998)}…`)
    expect(() => encodeURIComponent(toProblem(new PermanentError('x', { detail: `${'x'.repeat(997)}😀😀` })).detail!)).not.toThrow()
  })

  it('carries the first 20 issues and counts the rest', () => {
    const issues = Array.from({ length: 1_000 }, (_, i) => ({ message: 'is required', path: ['items', i] }))
    const problem = toProblem(new ValidationError('x', issues))
    expect(problem.issues).toHaveLength(20)
    expect(problem.issues![19]).toEqual({ message: 'is required', path: 'items.19' })
    expect(problem.issuesTruncated).toBe(980)
    expect(toProblem(new ValidationError('x', issues.slice(0, 20)))).not.toHaveProperty('issuesTruncated')
  })
})
