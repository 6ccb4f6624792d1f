/**
 * The adapter kit's promise: a third party writes an adapter for a platform
 * faasade does not know in under 100 lines (fixtures/made-up-queue.ts), and
 * it keeps the semantics of every adapter. The adapter is bundled against
 * the package as built (not the sources), and the shared conformance table
 * runs through it: per-message ack/retry, an ordered (FIFO) batch, a
 * deadline, both drop policies.
 */
import { readFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import * as esbuild from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cases, type ConformanceCase } from '../conformance/cases.js'
import { recordingHandler, type Recorded } from '../conformance/handler.js'
import { buildPackage, type BuiltPackage } from '../workers/support/package.js'
import type { Batch, Message, toMadeUpQueue as ToMadeUpQueue } from './fixtures/made-up-queue.js'

const here = fileURLToPath(new URL('.', import.meta.url))
let pkg: BuiltPackage
let toMadeUpQueue: typeof ToMadeUpQueue

beforeAll(async () => {
  pkg = await buildPackage()
  const dist = pkg.distDir
  // `faasade` and `faasade/adapter` from the build; zod (the handler's schema) from node_modules.
  const result = await esbuild.build({
    stdin: { contents: `export { toMadeUpQueue } from './made-up-queue.ts'\nexport { recordingHandler } from '../../conformance/handler.ts'`, resolveDir: join(here, 'fixtures'), loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    write: false,
    logLevel: 'silent',
    plugins: [{ name: 'built-package', setup: (b) => void b.onResolve({ filter: /^faasade(\/adapter)?$/ }, (a) => ({ path: join(dist, a.path === 'faasade' ? 'index.js' : 'adapter.js') })) }],
  })
  const file = join(dist, 'made-up-queue.bundle.mjs')
  await writeFile(file, result.outputFiles[0]!.text)
  const bundled = (await import(pathToFileURL(file).href)) as { toMadeUpQueue: typeof ToMadeUpQueue }
  toMadeUpQueue = bundled.toMadeUpQueue
}, 120_000)

afterAll(async () => {
  await pkg?.remove()
})

it('the adapter is under 100 lines, and imports only the public doors', () => {
  const source = readFileSync(join(here, 'fixtures/made-up-queue.ts'), 'utf8')
  expect(source.split('\n').length).toBeLessThan(100)
  expect([...source.matchAll(/from '([^']+)'/g)].map((m) => m[1])).toEqual(['faasade', 'faasade/adapter'])
})

type Settlement = 'ack' | `retry:${number | '-'}`

async function run(c: ConformanceCase, onDrop: 'ack' | 'dead-letter'): Promise<{ settled: Settlement[]; record: Recorded }> {
  const record: Recorded = {}
  const handler = toMadeUpQueue(recordingHandler(record), { onDrop, log: { debug() {}, info() {}, warn() {}, error() {}, child() { return this } } })
  const settled: Settlement[] = []
  const messages: Message[] = c.events.map((e, i) => ({
    id: `msg-${i}`,
    body: { specversion: '1.0', ...e },
    attempts: 1,
    ack: () => void (settled[i] = 'ack'),
    retry: (delayMs) => void (settled[i] = `retry:${delayMs ?? '-'}`),
  }))
  const batch: Batch = { queue: 'jobs', fifo: c.delivery === 'ordered-batch', messages, remainingMs: c.deadlinePassed ? 0 : 30_000 }
  await handler(batch)
  return { settled, record }
}

// The made-up platform has no HTTP: the CloudEvents-over-HTTP cases are the HTTP adapters'.
const queueCases = cases.filter((c) => !c.delivery.startsWith('http'))

describe.each(['ack', 'dead-letter'] as const)('the conformance table through the made-up queue adapter (onDrop: %s)', (onDrop) => {
  for (const c of queueCases) {
    it(c.name, async () => {
      const { settled, record } = await run(c, onDrop)
      // ok: ack; retry: retry (with the delay the error asked for); drop: ack, or retry towards the dead-letter queue.
      const expected = c.expect.outcomes.map((kind, i) => (kind === 'ok' ? 'ack' : kind === 'drop' ? (onDrop === 'ack' ? 'ack' : 'retry') : 'retry') + (c.expect.errors?.[i] === 'RetryableError' ? ':2000' : ''))
      expect(settled.map((s) => (s.startsWith('retry') && !s.endsWith(':2000') ? 'retry' : s))).toEqual(expected)
      c.expect.errors?.forEach((error, i) => {
        const seen = record[c.events[i]!.id!]
        if (error && seen) expect(seen.error).toBe(error)
      })
      c.expect.observed?.forEach((observed, i) => {
        if (observed) expect(record[c.events[i]!.id!]?.result?.observed).toMatchObject(observed)
      })
    })
  }
})
