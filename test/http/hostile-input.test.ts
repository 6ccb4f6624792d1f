/**
 * Hostile input gets a bounded reply (hardening item 8). Before: a 3 MB
 * batch of a million `{}` got a 400 of 301 MB, one event with 400k bad
 * attribute names a reply of 76 MB, and past about 120k issues in one batch
 * item `push(...issues)` overflowed the stack and the reply became a
 * retryable 503. Bounds are asserted by size and by count, never by time.
 */
import { describe, expect, it } from 'vitest'
import { decodeCloudEvents, defineHandler, InvalidEventError, PayloadTooLargeError, ValidationError } from 'faasade'
import { ceHeaders, JSON_BATCH, JSON_EVENT, post, problemOf, recorder, serve, text } from './helpers.js'

const valid = { specversion: '1.0', id: '1', source: '/s', type: 't' }
const batch = (body: string) => post({ 'content-type': JSON_BATCH }, body)
const structured = (event: unknown) => post({ 'content-type': JSON_EVENT }, JSON.stringify(event))
/** An event with `count` extensions named by `name`. */
const withExtensions = (count: number, name = (i: number) => `x${i}`) => {
  const event: Record<string, unknown> = { ...valid }
  for (let i = 0; i < count; i++) event[name(i)] = 0
  return event
}
/** What `decodeCloudEvents` throws for `request`. */
const decodeError = (request: ReturnType<typeof post>) => {
  try {
    decodeCloudEvents(request)
  } catch (error) {
    return error
  }
  throw new Error('decoded')
}

describe('a batch', () => {
  it('of a million {} is a small 413, decided before any member is read', async () => {
    const body = `[${'{},'.repeat(999_999)}{}]`
    expect(body.length).toBe(3_000_001)
    const error = decodeError(batch(body))
    expect(error).toBeInstanceOf(PayloadTooLargeError)
    const { reply } = await serve(recorder().handler, batch(body))
    const problem = problemOf(reply, 413)
    expect(text(reply).length).toBeLessThan(500)
    expect(problem).toMatchObject({ title: 'Payload too large', detail: expect.stringMatching(/at most 1000 events.*1000000/) })
  })

  it('of 1,000 events is served, of 1,001 refused', async () => {
    const events = (n: number) => JSON.stringify(Array.from({ length: n }, (_, i) => ({ ...valid, id: String(i) })))
    const { handler, seen } = recorder()
    expect((await serve(handler, batch(events(1_000)))).reply.status).toBe(200)
    expect(seen).toHaveLength(1_000)
    problemOf((await serve(handler, batch(events(1_001)))).reply, 413)
    expect(seen).toHaveLength(1_000)
  })

  it('with 100 bad attributes in each of 1,000 members names 20 issues and counts the other 99,980', async () => {
    const member = withExtensions(100, (i) => `X${i}`)
    const body = JSON.stringify(Array.from({ length: 1_000 }, () => member))
    const error = decodeError(batch(body)) as InvalidEventError
    expect(error.issues).toHaveLength(100_000)
    const { reply, logs } = await serve(recorder().handler, batch(body))
    const problem = problemOf(reply, 400)
    expect(problem.issues).toHaveLength(20)
    expect(problem.issues![0]).toEqual({ message: expect.stringContaining('extension attribute name'), path: '0.X0' })
    expect(problem.issuesTruncated).toBe(99_980)
    expect(text(reply).length).toBeLessThan(5_000)
    expect(JSON.stringify(logs).length).toBeLessThan(5_000)
  })

  // Found in review: the spread passed every issue of a member as an argument.
  it('with a member of 200k bad attributes is a 400, not a stack overflow made a 503', async () => {
    const body = JSON.stringify([valid, withExtensions(200_000, (i) => `X${i}`)])
    const { reply } = await serve(recorder().handler, batch(body))
    const problem = problemOf(reply, 400)
    expect(problem.issues).toEqual([{ message: 'has 200000 extension attributes; at most 100 are accepted', path: '1' }])
    expect(text(reply).length).toBeLessThan(1_000)
  })
})

describe('extension attributes', () => {
  it('400k bad names in one event are one issue, in a small reply', async () => {
    // 4.8 MB: under the default body limit.
    const request = structured(withExtensions(400_000, (i) => `X${i}`))
    expect((decodeError(request) as InvalidEventError).issues).toHaveLength(1)
    const { reply } = await serve(recorder().handler, request)
    expect(problemOf(reply, 400).issues).toEqual([{ message: 'has 400000 extension attributes; at most 100 are accepted' }])
    expect(text(reply).length).toBeLessThan(1_000)
  })

  it('100 are accepted, 101 are not, in structured and binary mode', async () => {
    const { handler, seen } = recorder()
    expect((await serve(handler, structured(withExtensions(100)))).reply.status).toBe(204)
    expect(Object.keys(seen[0]!)).toHaveLength(104)
    const headers = (n: number) => ceHeaders(Object.fromEntries(Array.from({ length: n }, (_, i) => [`ce-x${i}`, 'v'])))
    expect((await serve(handler, post(headers(100)))).reply.status).toBe(204)
    expect(seen).toHaveLength(2)
    for (const request of [structured(withExtensions(101)), post(headers(101))]) {
      expect(problemOf((await serve(handler, request)).reply, 400).issues).toEqual([{ message: 'has 101 extension attributes; at most 100 are accepted' }])
    }
    expect(seen).toHaveLength(2)
    // The context attributes and data are not extensions, and do not count.
    const full = { ...withExtensions(100), subject: 's', time: '2024-01-01T00:00:00Z', datacontenttype: 'text/plain', dataschema: 'x:y', data: 'd' }
    expect((await serve(handler, structured(full))).reply.status).toBe(204)
  })

  it('a name of 100 characters is accepted, a longer one is named in short', async () => {
    const { handler, seen } = recorder()
    const name = 'a'.repeat(100)
    expect((await serve(handler, structured({ ...valid, [name]: 'v' }))).reply.status).toBe(204)
    expect(seen[0]![name]).toBe('v')
    for (const request of [structured({ ...valid, [`${name}b`.repeat(10_000)]: 'v' }), post(ceHeaders({ [`ce-${name}b`.repeat(10_000)]: 'v' }))]) {
      const { reply } = await serve(handler, request)
      const [issue, ...others] = problemOf(reply, 400).issues!
      expect(others).toEqual([])
      expect(issue!.message).toBe('is not a valid extension attribute name: longer than 100 characters')
      expect(issue!.path!.length).toBeLessThanOrEqual(30)
      expect(text(reply).length).toBeLessThan(1_000)
    }
    expect(seen).toHaveLength(1)
  })
})

describe('a validation error with a million issues', () => {
  it('is a bounded reply and a bounded log line', async () => {
    const issues = Array.from({ length: 1_000_000 }, (_, i) => ({ message: 'is required', path: ['items', i] }))
    const handler = defineHandler({
      handle: () => {
        throw new ValidationError('bad order', issues)
      },
    })
    const { reply, logs } = await serve(handler, structured(valid))
    expect(problemOf(reply, 400)).toMatchObject({ issuesTruncated: 999_980 })
    expect(text(reply).length).toBeLessThan(5_000)
    const line = logs.find((l) => l.msg === 'event dropped, will not be retried')!
    expect(line).toMatchObject({ issuesTruncated: 999_980 })
    expect(line.issues).toHaveLength(20)
    expect(JSON.stringify(logs).length).toBeLessThan(5_000)
  })
})
