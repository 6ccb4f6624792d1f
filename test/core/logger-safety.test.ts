import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { addRedaction, createLogger, removeRedaction, type LogFields } from 'faasade'

const HEADING = { level: 'info', time: '1970-01-01T00:00:00.000Z', msg: 'm' }

/** Logs one line and returns it parsed; fails if the call throws or writes other than one line. */
const logOne = (fields: unknown, message = 'm'): Record<string, unknown> => {
  const lines: string[] = []
  const log = createLogger({ now: () => 0, sink: (line) => lines.push(line) })
  log.info(message, fields as LogFields)
  expect(lines).toHaveLength(1)
  return JSON.parse(lines[0]!) as Record<string, unknown>
}

/** `{ child: { child: … } }`, `levels` objects deep, built without recursion. */
const nested = (levels: number, key = 'child'): Record<string, unknown> => {
  let value: Record<string, unknown> = { leaf: true }
  for (let i = 1; i < levels; i++) value = { [key]: value }
  return value
}

/** How many objects deep `value` goes before it ends (at a leaf or a marker). */
const depthOf = (value: unknown): { depth: number; end: unknown } => {
  let depth = 0
  let at = value
  while (typeof at === 'object' && at !== null) {
    depth++
    const values = Object.values(at)
    at = values.length === 1 ? values[0] : undefined
    if (values.length !== 1) break
  }
  return { depth, end: at }
}

describe('logger: deeply nested data', () => {
  it('a 1,000,000-deep body writes one line, cut at the depth limit, instead of throwing', () => {
    const line = logOne({ body: nested(1_000_000) })
    expect(line).toMatchObject(HEADING)
    // The line is depth 1, so the body's 63 levels fill it to 64; the next is the marker.
    expect(depthOf(line.body)).toEqual({ depth: 63, end: '[depth limit]' })
  })

  it('a 1,000,000-deep array too', () => {
    let deep: unknown[] = []
    for (let i = 0; i < 1_000_000; i++) deep = [deep]
    const line = logOne({ deep })
    expect(depthOf(line.deep)).toEqual({ depth: 63, end: '[depth limit]' })
  })

  it('data within the limit is written whole', () => {
    // 63 levels of body under the line's own level: exactly 64, nothing cut.
    const line = logOne({ body: nested(63) })
    expect(line.body).toEqual(nested(63))
  })

  it('keeps a deep secret scrubbed', () => {
    addRedaction('d33p-s3cr3t')
    try {
      const line = logOne({ body: nested(60, 'd33p-s3cr3t'), also: 'x d33p-s3cr3t' })
      expect(JSON.stringify(line)).not.toContain('d33p-s3cr3t')
    } finally {
      removeRedaction('d33p-s3cr3t')
    }
  })
})

describe('logger: fields that throw', () => {
  const throwingGetter = () => Object.defineProperty({ fine: 1 }, 'bad', { enumerable: true, get: () => { throw new Error('getter boom') } })
  const hostileProxy = () =>
    new Proxy({}, {
      ownKeys: () => { throw new Error('ownKeys boom') },
      get: () => { throw new Error('get boom') },
      getPrototypeOf: () => { throw new Error('prototype boom') },
    })
  const cyclicCause = () => {
    const error = new Error('loop')
    ;(error as { cause?: unknown }).cause = error
    return error
  }

  it.each<[string, () => unknown]>([
    ['a throwing getter on the fields', throwingGetter],
    ['a throwing getter one level down', () => ({ ok: 'yes', nested: throwingGetter() })],
    ['a Proxy as the fields', hostileProxy],
    ['a Proxy among the fields', () => ({ ok: 'yes', p: hostileProxy() })],
    ['a toJSON that throws', () => ({ ok: 'yes', v: { toJSON: () => { throw new Error('toJSON boom') } } })],
    ['a toJSON that throws a non-Error', () => ({ v: { toJSON: () => { throw 'a string' } } })],
    ['a toJSON on the fields that makes a string', () => ({ toJSON: () => 'not an object', ok: 'yes' })],
    ['an error that is its own cause', () => ({ error: cyclicCause() })],
    ['a getter throwing an object whose own getters throw', () => Object.defineProperty({}, 'bad', {
      enumerable: true,
      get: () => { throw Object.defineProperty({}, 'message', { get: () => { throw new Error('again') } }) },
    })],
    ['a symbol and a function', () => ({ s: Symbol('x'), f: () => 1 })],
  ])('%s: the call does not throw and the line keeps its message', (_what, fields) => {
    const line = logOne(fields())
    expect(line).toMatchObject(HEADING)
  })

  it('keeps the fields that could be written next to the one that could not', () => {
    const line = logOne({ before: 1, nested: Object.defineProperty({}, 'bad', { enumerable: true, get: () => { throw new TypeError('nope') } }), after: 'two' })
    expect(line).toEqual({ ...HEADING, before: 1, nested: expect.stringMatching(/^\[unserialisable/), after: 'two' })
  })

  it('scrubs a secret from the text of the error that stopped a field', () => {
    addRedaction('g3tt3r-s3cr3t')
    try {
      const line = logOne({ v: { toJSON: () => { throw new Error('saw g3tt3r-s3cr3t') } }, w: 'g3tt3r-s3cr3t' })
      expect(JSON.stringify(line)).not.toContain('g3tt3r-s3cr3t')
      expect(line.msg).toBe('m')
    } finally {
      removeRedaction('g3tt3r-s3cr3t')
    }
  })

  it('a clock that throws or gives NaN still writes the line', () => {
    for (const now of [() => Number.NaN, () => { throw new Error('clock') }]) {
      const lines: string[] = []
      createLogger({ now, sink: (line) => lines.push(line) }).warn('tick', { a: 1 })
      expect(lines).toHaveLength(1)
      expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'warn', msg: 'tick', a: 1 })
    }
  })

  it('bindings of a child that throw do not stop the line', () => {
    const lines: string[] = []
    const log = createLogger({ now: () => 0, sink: (line) => lines.push(line) }).child(Object.defineProperty({}, 'bad', { enumerable: true, get: () => { throw new Error('x') } }))
    log.error('still here')
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'error', msg: 'still here' })
  })
})

describe('logger: ordinary data is unchanged', () => {
  it('writes any JSON value of normal depth exactly as JSON.stringify would', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string().filter((key) => !['level', 'time', 'msg', '__proto__'].includes(key)), fc.jsonValue({ maxDepth: 6 })), (fields) => {
        expect(logOne(fields)).toEqual({ ...HEADING, ...(JSON.parse(JSON.stringify(fields)) as object) })
      }),
      { numRuns: 300 },
    )
  })

  it('an object met twice is still written once, then as [circular]', () => {
    const shared = { a: 1 }
    expect(logOne({ x: shared, y: shared })).toEqual({ ...HEADING, x: { a: 1 }, y: '[circular]' })
  })
})
