import { describe, expect, it } from 'vitest'
import { addRedaction, createLogger, removeRedaction } from 'faasade'

const capture = (level?: 'debug' | 'info' | 'warn' | 'error') => {
  const lines: Record<string, unknown>[] = []
  const log = createLogger({ level, now: () => 0, sink: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) })
  return { log, lines }
}

describe('logger', () => {
  it('writes one JSON object a line with bindings and fields', () => {
    const { log, lines } = capture()
    log.child({ eventId: 'e1' }).info('charging', { orderId: 'A1' })
    expect(lines).toEqual([{ level: 'info', time: '1970-01-01T00:00:00.000Z', msg: 'charging', eventId: 'e1', orderId: 'A1' }])
  })

  it('drops lines under its level, children keep the level', () => {
    const { log, lines } = capture('warn')
    log.info('no')
    log.child({ a: 1 }).debug('no')
    log.child({ a: 1 }).error('yes')
    expect(lines.map((l) => l.msg)).toEqual(['yes'])
  })

  it('serialises errors, causes, bigints and cycles without throwing', () => {
    const { log, lines } = capture()
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    log.error('failed', { error: new Error('outer', { cause: new Error('inner') }), big: 10n, cyclic })
    const line = lines[0]!
    expect((line.error as { message: string }).message).toBe('outer')
    expect(((line.error as { cause: { message: string } }).cause).message).toBe('inner')
    expect(line.big).toBe('10')
    expect(line.cyclic).toEqual({ self: '[circular]' })
  })

  it('scrubs registered secret values from every line, escaped or not', () => {
    const { log, lines } = capture()
    addRedaction('s3cr3t"value')
    try {
      log.info('leak s3cr3t"value', { nested: { v: 's3cr3t"value' } })
      expect(JSON.stringify(lines)).not.toContain('s3cr3t')
    } finally {
      removeRedaction('s3cr3t"value')
    }
  })

  // Scrubbing the finished text broke lines: a secret that is also a number
  // left `"pin":[redacted]`, and one that spans JSON punctuation merged fields.
  // Every case below must still be one valid JSON object with its fields.
  it.each([
    ['a number', '4242', { pin: 4242, attempts: 1 }, { pin: '[redacted]', attempts: 1 }],
    ['a boolean', 'true', { ok: true }, { ok: '[redacted]' }],
    ['a bigint', '90071992547409931', { big: 90071992547409931n }, { big: '[redacted]' }],
    ['JSON punctuation between fields', '","orderId', { sku: 'x', orderId: 'A1' }, { sku: 'x', orderId: 'A1' }],
    ['a key', 'k3y-s3cr3t', { 'k3y-s3cr3t': 1, 'in-k3y-s3cr3t-too': 2 }, { '[redacted]': 1, 'in-[redacted]-too': 2 }],
    ['in no member', 'zzzz', { none: null, list: [1, 'a', true, null], big: 7n }, { none: null, list: [1, 'a', true, null], big: '7' }],
    ['a boxed string, number or boolean', 's3cr3tpw', { pw: new String('s3cr3tpw'), pin: new Number(42), ok: new Boolean(true) }, { pw: '[redacted]', pin: 42, ok: true }],
    ['inside an error', 'p4ssw0rd', { error: new Error('login p4ssw0rd refused') }, { error: expect.objectContaining({ message: 'login [redacted] refused' }) }],
  ])('a secret that is %s leaves the line valid JSON, scrubbed', (_what, secret, fields, expected) => {
    const lines: string[] = []
    const log = createLogger({ now: () => 0, sink: (line) => lines.push(line) })
    addRedaction(secret)
    try {
      log.info('m', fields)
    } finally {
      removeRedaction(secret)
    }
    expect(lines).toHaveLength(1)
    const line = JSON.parse(lines[0]!) as Record<string, unknown>
    expect(line).toEqual({ level: 'info', time: '1970-01-01T00:00:00.000Z', msg: 'm', ...expected })
    // In no key and no value (the punctuation one may still be the line's own structure).
    expect(keysAndValues(line).filter((text) => text.includes(secret))).toEqual([])
  })
})

describe('a line whose fields serialise to nothing', () => {
  it('still writes the level, time and message, as JSON', () => {
    const lines: string[] = []
    const log = createLogger({ now: () => 0, sink: (line) => lines.push(line) })
    log.warn('odd fields', { toJSON: () => undefined })
    expect(lines.map((line) => JSON.parse(line))).toEqual([{ level: 'warn', time: '1970-01-01T00:00:00.000Z', msg: 'odd fields' }])
  })
})

function keysAndValues(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return [String(value)]
  return Object.entries(value).flatMap(([key, member]) => [key, ...keysAndValues(member)])
}
