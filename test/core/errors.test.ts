import { describe, expect, it } from 'vitest'
import {
  DeploymentError, FaasadeError, InvalidEventError, isFaasadeError, NoHandlerError, outcomeOf, PayloadTooLargeError, PermanentError,
  problemReply, RetryableError, TimeoutError, toFaasadeError, UnexpectedError, ValidationError,
} from 'faasade'

describe('error family', () => {
  it.each([
    [new ValidationError('bad', [{ message: 'required', path: ['a', 0] }]), 400, 'drop'],
    [new InvalidEventError('bad event', [{ message: 'is required', path: ['source'] }]), 400, 'drop'],
    [new PermanentError('never'), 422, 'drop'],
    [new NoHandlerError('no one'), 503, 'retry'],
    [new DeploymentError('STRIPE_ACCOUNT is not set'), 503, 'retry'],
    [new PayloadTooLargeError('big'), 413, 'drop'],
    [new RetryableError('later'), 503, 'retry'],
    [new RetryableError('later', { retryAfterMs: 1_500 }), 429, 'retry'],
    [new TimeoutError('late'), 503, 'retry'],
    [new Error('anything else'), 503, 'retry'],
    ['a thrown string', 503, 'retry'],
  ])('%s -> %i, %s', (error, status, kind) => {
    expect(toFaasadeError(error).status).toBe(status)
    expect(outcomeOf(error).kind).toBe(kind)
    const reply = problemReply(error)
    expect(reply.status).toBe(status)
    expect(reply.headers['content-type']).toBe('application/problem+json')
    const problem = JSON.parse(reply.body as string) as Record<string, unknown>
    expect(problem.status).toBe(status)
    expect(typeof problem.title).toBe('string')
    expect(reply.body).not.toMatch(/\bat .*:\d+:\d+/)
  })

  it('never renders the message of an error that is not ours', () => {
    const reply = problemReply(new Error('password=hunter2 at db.internal'))
    expect(reply.body).not.toContain('hunter2')
    expect(JSON.parse(reply.body as string)).toEqual({ type: 'about:blank', title: 'Internal error', status: 503 })
  })

  it('renders validation issues with their paths', () => {
    const problem = new ValidationError('bad', [{ message: 'Required', path: ['items', 2, { key: 'sku' }] }]).toProblem()
    expect(problem.issues).toEqual([{ message: 'Required', path: 'items.2.sku' }])
  })

  it('sends Retry-After in whole seconds', () => {
    expect(problemReply(new RetryableError('x', { retryAfterMs: 1_001 })).headers['retry-after']).toBe('2')
    expect(problemReply(new RetryableError('x', { retryAfterMs: 0 })).headers['retry-after']).toBe('0')
  })

  it('recognises errors by brand, not only by instanceof', () => {
    const foreign = Object.create(PermanentError.prototype) as object
    expect(isFaasadeError(foreign)).toBe(false)
    const ours = new PermanentError('x')
    expect(isFaasadeError(ours)).toBe(true)
    expect(isFaasadeError({ name: 'PermanentError', status: 422 })).toBe(false)
    expect(ours).toBeInstanceOf(FaasadeError)
  })

  it('keeps the cause of an unexpected error for logs', () => {
    const cause = new Error('root')
    const wrapped = toFaasadeError(cause)
    expect(wrapped).toBeInstanceOf(UnexpectedError)
    expect(wrapped.cause).toBe(cause)
    expect(wrapped.name).toBe('UnexpectedError')
  })

  // Its frames would all be faasade's: the cause holds the user's. Capturing
  // them cost a failed batch record about 3 µs (bench/aws-lambda).
  it('wraps a foreign error without a stack of its own, and leaves the stack limit as it was', () => {
    const limit = Error.stackTraceLimit
    const cause = new Error('root')
    const wrapped = toFaasadeError(cause)
    expect(wrapped.stack).toBe('UnexpectedError: Internal error')
    expect(Error.stackTraceLimit).toBe(limit)
    expect(cause.stack).toContain('errors.test.ts')
    expect(new UnexpectedError('made by hand').stack).toContain('errors.test.ts')
  })

  // Found in review: a stack overflow inside the wrapper's constructor left
  // every later stack in the process empty, and a frozen Error (SES,
  // --frozen-intrinsics) made the assignment throw, so settle() rejected.
  it('restores the stack limit when the wrapper cannot be made, and works when the limit cannot be changed', () => {
    const limit = Error.stackTraceLimit
    const overflow = (): unknown => {
      try {
        return overflow()
      } catch {
        return toFaasadeError(new Error('deep'))
      }
    }
    overflow()
    expect(Error.stackTraceLimit).toBe(limit)
    const descriptor = Object.getOwnPropertyDescriptor(Error, 'stackTraceLimit')!
    Object.defineProperty(Error, 'stackTraceLimit', { ...descriptor, writable: false })
    try {
      expect(toFaasadeError(new Error('root'))).toBeInstanceOf(UnexpectedError)
    } finally {
      Object.defineProperty(Error, 'stackTraceLimit', descriptor)
    }
  })
})
