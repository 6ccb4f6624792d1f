/**
 * Suites that need a tool or a server the machine may not have (redis-server,
 * PostgreSQL, the compiled Lambda runtime client) skip without it, so that
 * `npm install && npm test` passes where there is only Node and npm. A skip
 * is recorded here, and `skip-summary.ts` (vitest's globalSetup) prints every
 * recorded skip in one block at the end of the run, with the command that
 * enables it; with FAASADE_REQUIRE_ALL_SUITES=1 (CI) a skip fails the run.
 *
 * Test files run in worker processes and the summary in the main one, so each
 * skip is written as a small JSON file in a directory the globalSetup makes
 * and hands over with `provide`. Test code, not public API.
 */
import { randomUUID } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, inject } from 'vitest'

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where the workers record their skips; set by `skip-summary.ts`. */
    faasadeSkipsDir: string
  }
}

/** What a suite needs that this machine lacks, and how to get it. */
export interface Missing {
  /** The tool or service, as a user would name it: `redis-server`. */
  readonly need: string
  /** Why it counts as missing: where it was looked for. */
  readonly why: string
  /** The one command that provides it: `apt-get install redis-server`. */
  readonly enable: string
}

/** One skipped suite, as written by a worker and read by the summary. */
export interface SkipRecord extends Missing {
  /** The test file, as vitest names it (an absolute path). */
  readonly file: string
  readonly suite: string
  /** Declaration order within the worker, so the summary lists a file's suites as written. */
  readonly order: number
}

/** The suite function `describeUnless` hands back: vitest's `describe` or a recording `describe.skip`. */
export type SuiteFunction = (name: string, factory: () => void) => void

/**
 * `describe` when nothing is missing; otherwise `describe.skip`, with the
 * skip recorded for the end-of-run summary. Use it in place of
 * `describe.skipIf(missing)` for a suite that needs a tool or a service.
 *
 * @example
 * describeUnless(redisMissing)('redis store specifics', () => {
 *   it('…', async () => {})
 * })
 */
export function describeUnless(missing: Missing | undefined): SuiteFunction {
  if (missing === undefined) return describe
  return (name, factory) => {
    recordSkip({ ...missing, file: expect.getState().testPath ?? 'unknown file', suite: name, order: recorded++ })
    describe.skip(name, factory)
  }
}

let recorded = 0

function recordSkip(record: SkipRecord): void {
  // Undefined when the run was not started through vitest.config.ts (no globalSetup):
  // the suite still skips, only the summary does not list it.
  const dir = inject('faasadeSkipsDir')
  if (dir === undefined) return
  // One file per skip: no two workers ever write to the same file.
  writeFileSync(join(dir, `${randomUUID()}.json`), JSON.stringify(record))
}
