/**
 * Lambda's log lines: written to standard output as JSON objects (never
 * through the runtime's patched `console`), with Lambda's `timestamp` key,
 * the level of `AWS_LAMBDA_LOG_LEVEL`, and the request id on every line of
 * an invocation. runtime.test.ts reads the same lines from the real runtime
 * interface client in both log formats.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as esbuild from 'esbuild'
import fc from 'fast-check'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createLogger, defineHandler, PermanentError } from 'faasade'
import { toLambda } from 'faasade/aws-lambda'
import { lazyChild } from '../../src/lazy-logger.js'
import { createLambdaLogger, lambdaLine } from '../../adapters/aws-lambda/log.js'
import { captureLog, lambdaContext, sqsRecord } from './helpers.js'

const root = fileURLToPath(new URL('../../', import.meta.url))

describe('lambdaLine', () => {
  it("names the core logger's time `timestamp`, as Lambda's runtimes do", () => {
    const lines: string[] = []
    createLogger({ sink: (line) => lines.push(lambdaLine(line, 'warn')), now: () => Date.parse('2026-11-24T08:00:00Z') }).warn('slow', { ms: 3 })
    expect(JSON.parse(lines[0]!)).toEqual({ level: 'warn', timestamp: '2026-11-24T08:00:00.000Z', msg: 'slow', ms: 3 })
  })

  it('keeps every other member of any line as it was, whatever its fields', () => {
    fc.assert(
      fc.property(fc.constantFrom('debug', 'info', 'warn', 'error' as const), fc.string(), fc.dictionary(fc.string(), fc.jsonValue()), (level, msg, fields) => {
        // A field of that very name would stand beside the renamed time.
        fc.pre(!Object.hasOwn(fields, 'timestamp'))
        let line = ''
        createLogger({ level: 'debug', sink: (l) => (line = l) })[level](msg, fields)
        const { time, ...rest } = JSON.parse(line) as Record<string, unknown>
        const { timestamp, ...renamed } = JSON.parse(lambdaLine(line, level)) as Record<string, unknown>
        expect(timestamp).toEqual(time)
        expect(renamed).toEqual(rest)
      }),
    )
  })

  it('renames a time written out of place (an index-like field comes first), and leaves lines with none', () => {
    expect(lambdaLine('{"404":2,"level":"error","time":"x"}', 'error')).toBe('{"404":2,"level":"error","timestamp":"x"}')
    expect(lambdaLine('{"time":"x","level":"info"}', 'info')).toBe('{"level":"info","timestamp":"x"}')
    expect(lambdaLine('{"level":"info","msg":"no time"}', 'info')).toBe('{"level":"info","msg":"no time"}')
    expect(lambdaLine('plain text', 'info')).toBe('plain text')
  })
})

describe('writeLine, into a real pipe', () => {
  // A child process writes into a pipe its parent reads late, after process.stdout has
  // opened the pipe (which makes it non-blocking, as the runtime's own console can).
  it('keeps every line whole and in order when the pipe is full (EAGAIN)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faasade-pipe-'))
    try {
      const script = join(dir, 'child.mjs')
      await esbuild.build({
        stdin: {
          contents: `import { writeLine } from './adapters/aws-lambda/log.ts'
            process.stdout.write('{"first":true}\\n')
            writeLine(JSON.stringify({ n: 1, pad: 'a'.repeat(300000) }))
            writeLine(JSON.stringify({ n: 2 }))
            const t = Date.now(); while (Date.now() - t < 200) {}
            writeLine(JSON.stringify({ n: 3, pad: 'b'.repeat(100000) }))
            writeLine(JSON.stringify({ n: 4 }))`,
          resolveDir: root,
          loader: 'ts',
        },
        bundle: true,
        platform: 'node',
        format: 'esm',
        outfile: script,
        logLevel: 'silent',
      })
      const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] })
      child.stdout.pause()
      await new Promise((resolve) => setTimeout(resolve, 100))
      let out = ''
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk))
      child.stdout.resume()
      await new Promise((resolve) => child.on('close', resolve))
      const lines = out.trimEnd().split('\n').map((line) => JSON.parse(line) as { n?: number; pad?: string })
      expect(lines.map((l) => l.n)).toEqual([undefined, 1, 2, 3, 4])
      expect(lines[1]!.pad).toHaveLength(300000)
      expect(lines[3]!.pad).toHaveLength(100000)
    } finally {
      rmSync(dir, { recursive: true, force: true })
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

describe('lazyChild', () => {
  it('makes its child on the first line, once', () => {
    const { log, lines } = captureLog()
    const child = vi.spyOn(log, 'child')
    const lazy = lazyChild(log, { requestId: 'r-1' })
    expect(child).not.toHaveBeenCalled()
    lazy.info('one')
    lazy.error('two', { n: 2 })
    expect(child).toHaveBeenCalledTimes(1)
    expect(lines).toEqual([expect.objectContaining({ msg: 'one', requestId: 'r-1' }), expect.objectContaining({ msg: 'two', requestId: 'r-1', n: 2 })])
    // Its own child carries both sets of fields, and is made from the one child already there.
    lazy.child({ extra: true }).warn('three')
    expect(child).toHaveBeenCalledTimes(1)
    expect(lines[2]).toEqual({ level: 'warn', time: expect.any(String), msg: 'three', requestId: 'r-1', extra: true })
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
    expect(lines.filter((l) => l.msg !== 'delivery finished').map((l) => [l.msg, l.requestId, l.deliveryId ?? l.n])).toEqual([
      ['working', 'req-42', 1],
      ['working', 'req-42', 2],
      ['event failed permanently, reported failed for the dead-letter path', 'req-42', 'm2'],
      ['working', 'req-43', 3],
    ])
    // One summary line a delivery, with its request id too.
    expect(lines.filter((l) => l.msg === 'delivery finished').map((l) => [l.eventId, l.requestId, l.outcome])).toEqual([
      ['m1', 'req-42', 'ok'],
      ['m2', 'req-42', 'drop'],
      ['m3', 'req-43', 'ok'],
    ])
  })

  it('an unknown event, logged before any mapper, carries it too', async () => {
    const { log, lines } = captureLog()
    await expect(toLambda(defineHandler({ handle: () => {} }), { log })({ nothing: true }, lambdaContext(30_000, 'req-7'))).rejects.toThrow(PermanentError)
    expect(lines).toEqual([expect.objectContaining({ level: 'error', msg: 'unknown Lambda event', requestId: 'req-7' })])
  })
})
