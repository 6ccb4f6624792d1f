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
})
