/**
 * Workers built from the package's output and loaded into workerd through
 * Miniflare. Settlement is read from workerd itself: a Worker's `queue()` and
 * `scheduled()` are invoked through its service binding (`Fetcher.queue`,
 * `Fetcher.scheduled`, the runtime's own test hooks), whose result lists the
 * message ids acked and retried, with their delays, and whether `noRetry()`
 * was called.
 */
import { createInterface } from 'node:readline'
import type { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { Miniflare, type MiniflareOptions, type WorkerOptions } from 'miniflare'
import { bundleWorker } from '../../../bench/workers/bundle.mjs'
import type { BuiltPackage } from './package.js'

export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url))

/** At most the newest date the installed workerd supports (TOOLCHAIN.md). */
export const COMPATIBILITY_DATE = '2026-04-01'

/** A message as `Fetcher.queue` takes it. */
export interface TestMessage {
  id: string
  timestamp: Date
  body: unknown
  attempts: number
}

/** What workerd reports after a `queue()` invocation. */
export interface QueueResult {
  outcome: string
  ackAll: boolean
  retryBatch: { retry: boolean; delaySeconds?: number }
  explicitAcks: string[]
  retryMessages: Array<{ msgId: string; delaySeconds?: number }>
}

/** What workerd reports after a `scheduled()` invocation. */
export interface ScheduledResult {
  outcome: string
  noRetry: boolean
}

export interface TestWorker {
  fetch(url: string, init?: RequestInit): Promise<Response>
  queue(queue: string, messages: TestMessage[]): Promise<QueueResult>
  scheduled(options: { cron?: string; scheduledTime?: Date }): Promise<ScheduledResult>
}

/** Bundles Worker source text (resolved from the repository root) against the built package. */
export async function workerScript(pkg: BuiltPackage, source: string): Promise<string> {
  return (await bundleWorker({ source, resolveDir: repoRoot, distDir: pkg.distDir, minify: false })).code
}

/** Bundles a Worker entry file against the built package. */
export async function workerScriptFrom(pkg: BuiltPackage, entry: string): Promise<string> {
  return (await bundleWorker({ entry, distDir: pkg.distDir, minify: false })).code
}

export interface Workerd {
  readonly mf: Miniflare
  /** The JSON log lines the Workers wrote (faasade's logger), as they arrive. */
  readonly logs: Array<Record<string, unknown>>
}

/**
 * Starts workerd with these Workers, without `nodejs_compat` unless a Worker
 * asks for it. Their JSON log lines are collected instead of printed; other
 * output goes to the test's stderr.
 */
export async function startWorkerd(workers: Array<WorkerOptions & { name: string; script: string }>, shared: Partial<MiniflareOptions> = {}): Promise<Workerd> {
  const logs: Array<Record<string, unknown>> = []
  const mf = new Miniflare({
    ...shared,
    cf: false,
    handleRuntimeStdio(stdout: Readable, stderr: Readable) {
      createInterface({ input: stdout }).on('line', (line) => {
        if (line.startsWith('{')) logs.push(JSON.parse(line) as Record<string, unknown>)
        else process.stderr.write(`${line}\n`)
      })
      stderr.pipe(process.stderr)
    },
    workers: workers.map((w) => ({ modules: true, compatibilityDate: COMPATIBILITY_DATE, ...w })),
  } as MiniflareOptions)
  await mf.ready
  return { mf, logs }
}

/** The named Worker's queue and cron hooks. */
export async function testWorker(mf: Miniflare, name: string): Promise<TestWorker> {
  return (await mf.getWorker(name)) as unknown as TestWorker
}
