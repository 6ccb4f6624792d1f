/**
 * The bench's Workers (bench/workers/workers.mjs), bundled from the built
 * package as a Workers project ships them: each runs in workerd with no
 * compatibility flag (no `nodejs_compat`) and answers its request, and none
 * carries a provider SDK, the `cloudevents` SDK or an import of a Node
 * built-in; the event-handler Worker carries no Hono. Sizes are measured by
 * the bench; the one size that is a goal of its own (issue 5: the hello
 * event-handler Worker at most 8 KB gzipped) is also a budget here, because
 * it is deterministic (esbuild is pinned) and was once crossed unnoticed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bundleWorker, nodeImportsIn, packagesIn, PROVIDER_SDKS, type WorkerBundle } from '../../bench/workers/bundle.mjs'
import { loadsInWorkerd, SDK_REFERENCE, WORKERS } from '../../bench/workers/workers.mjs'
import { buildPackage, type BuiltPackage } from './support/package.js'
import { repoRoot } from './support/workerd.js'

let pkg: BuiltPackage
const bundles: Record<string, WorkerBundle> = {}

beforeAll(async () => {
  pkg = await buildPackage()
  for (const [id, w] of Object.entries(WORKERS)) {
    bundles[id] = await bundleWorker({ source: w.source, entry: w.entry, resolveDir: repoRoot, distDir: pkg.distDir })
  }
})

afterAll(async () => {
  await pkg?.remove()
})

describe.each(Object.entries(WORKERS))('the %s Worker', (id, worker) => {
  it('runs in workerd without nodejs_compat and answers', async () => {
    await expect(loadsInWorkerd(bundles[id]!.code, worker.probe)).resolves.toBeTruthy()
  })

  it('holds no @aws-sdk, @azure/*, @google-cloud/*, cloudevents or Node built-in', () => {
    expect(packagesIn(bundles[id]!, [...PROVIDER_SDKS, 'cloudevents'])).toEqual([])
    expect(nodeImportsIn(bundles[id]!)).toEqual([])
  })
})

describe('the size budget', () => {
  // The goal is 8,000 B (issue 5), and it is missed: the hardening of this
  // release (bounded problem replies, media-type checks, a logger that never
  // throws, linear-time filters: about 1.2 KB) and the adapter kit (one
  // delivery path with the deadline cut and one HTTP path with event routing:
  // about 2.3 KB) took the hello Worker from 7,953 B to 11,5xx B. This budget
  // is a ratchet against growing further while the bytes are won back; lower
  // it with every cut, never raise it without saying why in bench/RESULTS.md
  // (11,600 to 11,603: ctx.signal following the platform's own signal;
  // 11,603 to 11,650: one log-level order on every adapter, a Worker's own
  // ack()/retry() no longer overridden, route contexts, copies by id).
  it('keeps the hello event-handler Worker (fetch + queue + cron) within its budget (11,650 B gzipped; the goal is 8,000 B)', () => {
    expect(bundles.hello!.gzipped).toBeLessThanOrEqual(11_650)
  })

  it('ships no secret scrubber in a Worker that registers no secret (it comes with addRedaction)', () => {
    expect(bundles.hello!.code).not.toContain('[redacted]')
  })
})

describe('Hono only where a Hono app is used', () => {
  it('the event-handler Workers hold no Hono', () => {
    expect(packagesIn(bundles.hello!, ['hono'])).toEqual([])
    expect(packagesIn(bundles['core-fetch']!, ['hono'])).toEqual([])
  })

  it('the Hono Workers hold it (the check can see it)', () => {
    expect(packagesIn(bundles['hono-faasade']!, ['hono'])).toEqual(['hono'])
  })
})

describe('the checks themselves', () => {
  it('the cloudevents SDK, which faasade does not use at run time, cannot be bundled for Workers without Node built-ins', async () => {
    await expect(bundleWorker({ source: SDK_REFERENCE, resolveDir: repoRoot, distDir: pkg.distDir })).rejects.toThrow(/Could not resolve/)
  })

  it('a provider SDK pulled into a Worker would be caught', async () => {
    const leaky = await bundleWorker({
      source: `export { DynamoDBClient } from '@aws-sdk/client-dynamodb'`,
      resolveDir: repoRoot,
      distDir: pkg.distDir,
    }).catch((error: Error) => error)
    // It either fails to bundle without Node built-ins or is found in the output.
    if (leaky instanceof Error) expect(leaky.message).toMatch(/Could not resolve/)
    else expect(packagesIn(leaky, PROVIDER_SDKS)).toEqual(['@aws-sdk/'])
  })
})
