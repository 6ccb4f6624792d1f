/**
 * Workers built from the package's output and loaded into workerd through
 * Miniflare. Settlement is read from workerd itself: a Worker's `queue()` and
 * `scheduled()` are invoked through its service binding (`Fetcher.queue`,
 * `Fetcher.scheduled`, the runtime's own test hooks), whose result lists the
 * message ids acked and retried, with their delays, and whether `noRetry()`
 * was called.
 */
import { fileURLToPath } from 'node:url'
import { Miniflare, Response as MiniflareResponse, type MiniflareOptions, type WorkerOptions } from 'miniflare'
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
  /** The objects faasade's logger logged, as a Tail Worker (and so Workers Logs) receives them. */
  readonly logs: Array<Record<string, unknown>>
  /** Every console line the Workers wrote, with the console method's level, from the same Tail Worker. */
  readonly consoleLines: Array<{ level: string; message: unknown[] }>
}

/** The Tail Worker attached to every Worker: it forwards the trace items' log lines to the test. */
const TAIL = 'faasade-test-tail'
const TAIL_SCRIPT = `export default {
  async tail(events, env) {
    const lines = events.flatMap((event) => event.logs.map(({ level, message }) => ({ level, message })))
    await env.COLLECT.fetch('http://collect/', { method: 'POST', body: JSON.stringify(lines) })
  },
}`

/** How workerd prints an object faasade's logger logged (`{ level: 'info', … }`): collected by the tail instead. */
const OWN_LINE = /^\{\s*level: '/

/**
 * Starts workerd with these Workers, without `nodejs_compat` unless a Worker
 * asks for it. Their log lines reach the test the way they reach Workers
 * Logs in production: through a Tail Worker, as the objects logged with the
 * level of the console method. Other output goes to the test's stderr.
 */
export async function startWorkerd(workers: Array<WorkerOptions & { name: string; script: string }>, shared: Partial<MiniflareOptions> = {}): Promise<Workerd> {
  const logs: Array<Record<string, unknown>> = []
  const consoleLines: Array<{ level: string; message: unknown[] }> = []
  const mf = new Miniflare({
    ...shared,
    cf: false,
    structuredWorkerdLogs: true,
    handleStructuredLogs({ level, message }: { level: string; message: string }) {
      if (!OWN_LINE.test(message)) process.stderr.write(`[workerd ${level}] ${message}\n`)
    },
    workers: [
      ...workers.map((w) => ({ modules: true, compatibilityDate: COMPATIBILITY_DATE, tails: [TAIL], ...w })),
      {
        name: TAIL,
        modules: true,
        compatibilityDate: COMPATIBILITY_DATE,
        script: TAIL_SCRIPT,
        serviceBindings: {
          async COLLECT(request: { json(): Promise<unknown> }) {
            for (const line of (await request.json()) as Array<{ level: string; message: unknown[] }>) {
              consoleLines.push(line)
              const [first] = line.message
              if (line.message.length === 1 && typeof first === 'object' && first !== null && 'msg' in first) logs.push(first as Record<string, unknown>)
            }
            return new MiniflareResponse(null, { status: 204 })
          },
        },
      },
    ],
  } as MiniflareOptions)
  await mf.ready
  return { mf, logs, consoleLines }
}

/** The named Worker's queue and cron hooks. */
export async function testWorker(mf: Miniflare, name: string): Promise<TestWorker> {
  return (await mf.getWorker(name)) as unknown as TestWorker
}
