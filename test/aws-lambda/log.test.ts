/**
 * Lambda's log lines: written to standard output as JSON objects (never
 * through the runtime's patched `console`), with Lambda's `timestamp` key,
 * the level of `AWS_LAMBDA_LOG_LEVEL`, and the request id on every line of
 * an invocation. runtime.test.ts reads the same lines from the real runtime
 * interface client in both log formats.
 */
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createLogger, defineHandler, PermanentError } from 'faasade'
import { toLambda } from 'faasade/aws-lambda'
import { createLambdaLogger, LazyChildLogger, lambdaLine, writeLine } from '../../adapters/aws-lambda/log.js'
import { captureLog, lambdaContext, sqsRecord } from './helpers.js'

describe('lambdaLine', () => {
  it("names the core logger's time `timestamp`, as Lambda's runtimes do", () => {
    const lines: string[] = []
    createLogger({ sink: (line) => lines.push(lambdaLine(line, 'warn')), now: () => Date.parse('2026-11-24T08:00:00Z') }).warn('slow', { ms: 3 })
    expect(JSON.parse(lines[0]!)).toEqual({ level: 'warn', timestamp: '2026-11-24T08:00:00.000Z', msg: 'slow', ms: 3 })
  })

  it('keeps every other member of any line as it was', () => {
    fc.assert(
      fc.property(fc.constantFrom('debug', 'info', 'warn', 'error' as const), fc.string(), fc.dictionary(fc.string(), fc.jsonValue()), (level, msg, fields) => {
        let line = ''
        createLogger({ level: 'debug', sink: (l) => (line = l) })[level](msg, fields)
        const out = lambdaLine(line, level)
        // A field named `level` overrides the core's own, and an index-like name ("0") is written
        // first by JSON.stringify: such a line does not start as the core's do, and is left alone.
        if (!line.startsWith(`{"level":"${level}","time":`)) {
          expect(out).toBe(line)
          return
        }
        const { time, ...rest } = JSON.parse(line) as Record<string, unknown>
        const { timestamp, ...renamed } = JSON.parse(out) as Record<string, unknown>
        expect(timestamp).toBe(time)
        expect(renamed).toEqual(rest)
      }),
    )
  })

  it('leaves a line of another shape unchanged', () => {
    expect(lambdaLine('{"time":"x","level":"info"}', 'info')).toBe('{"time":"x","level":"info"}')
    expect(lambdaLine('{"level":"error","time":"x"}', 'info')).toBe('{"level":"error","time":"x"}')
    expect(lambdaLine('plain text', 'info')).toBe('plain text')
  })
})

describe('writeLine', () => {
  const dir = mkdtempSync(join(tmpdir(), 'faasade-log-'))
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('writes the whole line and a newline before returning', () => {
    const file = join(dir, 'out.log')
    const fd = openSync(file, 'w')
    const long = JSON.stringify({ msg: 'x'.repeat(200_000), note: 'é✓' })
    writeLine('{"a":1}', fd)
    writeLine(long, fd)
    closeSync(fd)
    expect(readFileSync(file, 'utf8')).toBe(`{"a":1}\n${long}\n`)
  })

  it('hands what the descriptor refuses to process.stdout', () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
    try {
      writeLine('{"a":1}', 987_654) // not an open descriptor: EBADF
      expect(write).toHaveBeenCalledWith(Buffer.from('{"a":1}\n'))
    } finally {
      write.mockRestore()
    }
  })
})

describe('createLambdaLogger', () => {
  afterEach(() => vi.unstubAllEnvs())

  it.each([
    [{ AWS_LAMBDA_LOG_LEVEL: 'WARN' }, ['warn', 'error']],
    [{ AWS_LAMBDA_LOG_LEVEL: 'debug' }, ['debug', 'info', 'warn', 'error']],
    [{ AWS_LAMBDA_LOG_LEVEL: 'TRACE' }, ['debug', 'info', 'warn', 'error']],
    [{ AWS_LAMBDA_LOG_LEVEL: 'FATAL' }, ['error']],
    [{ AWS_LAMBDA_LOG_LEVEL: 'WARN', FAASADE_LOG_LEVEL: 'debug' }, ['debug', 'info', 'warn', 'error']],
    [{ AWS_LAMBDA_LOG_LEVEL: 'LOUD', LOG_LEVEL: 'error' }, ['error']],
    [{ LOG_LEVEL: 'error' }, ['error']],
    [{}, ['info', 'warn', 'error']],
  ])('with %o it writes %o', (env, written) => {
    for (const name of ['AWS_LAMBDA_LOG_LEVEL', 'FAASADE_LOG_LEVEL', 'LOG_LEVEL']) vi.stubEnv(name, (env as Record<string, string | undefined>)[name])
    const levels: string[] = []
    const logger = createLambdaLogger((line, level) => levels.push(level))
    for (const level of ['debug', 'info', 'warn', 'error'] as const) logger[level](level)
    expect(levels).toEqual(written)
  })
})

describe('LazyChildLogger', () => {
  it('makes its child on the first line, once', () => {
    const { log, lines } = captureLog()
    const child = vi.spyOn(log, 'child')
    const lazy = new LazyChildLogger(log, { requestId: 'r-1' })
    expect(child).not.toHaveBeenCalled()
    lazy.info('one')
    lazy.error('two', { n: 2 })
    expect(child).toHaveBeenCalledTimes(1)
    expect(lines).toEqual([expect.objectContaining({ msg: 'one', requestId: 'r-1' }), expect.objectContaining({ msg: 'two', requestId: 'r-1', n: 2 })])
    expect(lazy.child({ extra: true })).toBeDefined()
  })
})

describe('the request id on every line of an invocation', () => {
  it("a handler's lines and the batch's own lines carry context.awsRequestId", async () => {
    const { log, lines } = captureLog()
    const handler = toLambda(
      defineHandler({
        handle(event, ctx) {
          const { n } = event.data as { n: number }
          ctx.log.info('working', { n })
          if (n === 2) throw new PermanentError('no')
        },
      }),
      { log },
    )
    const body = (n: number) => JSON.stringify({ n })
    await handler({ Records: [sqsRecord('m1', body(1)), sqsRecord('m2', body(2))] }, lambdaContext(30_000, 'req-42'))
    await handler({ Records: [sqsRecord('m3', body(3))] }, lambdaContext(30_000, 'req-43'))
    expect(lines.map((l) => [l.msg, l.requestId, l.itemId ?? l.n])).toEqual([
      ['working', 'req-42', 1],
      ['working', 'req-42', 2],
      ['record dropped, will not be retried', 'req-42', 'm2'],
      ['working', 'req-43', 3],
    ])
  })

  it('an unknown event, logged before any mapper, carries it too', async () => {
    const { log, lines } = captureLog()
    await expect(toLambda(defineHandler({ handle: () => {} }), { log })({ nothing: true }, lambdaContext(30_000, 'req-7'))).rejects.toThrow(PermanentError)
    expect(lines).toEqual([expect.objectContaining({ level: 'error', msg: 'unknown Lambda event', requestId: 'req-7' })])
  })
})
