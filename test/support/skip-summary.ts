/**
 * vitest's globalSetup (vitest.config.ts): makes the directory where the
 * workers record the suites they skip for a missing tool or service
 * (`skips.ts`), and at the end of the run prints them in one block: what is
 * missing, why, the command that enables it, and the suites it skipped. It
 * runs in teardown, after the reporter's own summary, whatever the reporter.
 *
 * With FAASADE_REQUIRE_ALL_SUITES=1 (CI sets it), any such skip fails the run:
 * CI installs everything, so a skip there means an install step is broken.
 * Test code, not public API.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import type { TestProject } from 'vitest/node'
import type { SkipRecord } from './skips.js'

/** The variable that turns a skip for a missing tool or service into a failed run. */
export const REQUIRE_ALL_SUITES = 'FAASADE_REQUIRE_ALL_SUITES'

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'faasade-skips-'))
  project.provide('faasadeSkipsDir', dir)
  return () => {
    const records = readSkips(dir)
    rmSync(dir, { recursive: true, force: true })
    const strict = process.env[REQUIRE_ALL_SUITES] === '1'
    const text = formatSkipSummary(records, { root: project.config.root, strict })
    if (text !== '') process.stdout.write(`${text}\n`)
    // vitest has set its own exit code by now (1 if a test failed); only raise it.
    if (strict && records.length > 0) process.exitCode = 1
  }
}

function readSkips(dir: string): SkipRecord[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as SkipRecord)
}

/**
 * The summary block: '' when nothing skipped and the run is not strict.
 * Skips are grouped by what is missing; a suite recorded twice (watch mode
 * reruns) is listed once.
 */
export function formatSkipSummary(records: readonly SkipRecord[], options: { root: string; strict: boolean }): string {
  const groups = new Map<string, { head: SkipRecord; suites: Set<string> }>()
  const sorted = [...records].sort((a, b) => a.file.localeCompare(b.file) || a.order - b.order)
  for (const record of sorted) {
    const key = JSON.stringify([record.need, record.why, record.enable])
    const group = groups.get(key) ?? { head: record, suites: new Set<string>() }
    group.suites.add(`${relative(options.root, record.file)} > ${record.suite}`)
    groups.set(key, group)
  }
  const count = [...groups.values()].reduce((n, group) => n + group.suites.size, 0)
  if (count === 0) return options.strict ? ` ${REQUIRE_ALL_SUITES}=1: every suite ran.` : ''
  const lines = [` Skipped for a missing tool or service: ${count} suite${count === 1 ? '' : 's'}`]
  for (const { head, suites } of groups.values()) {
    lines.push('', `   ${head.need}: ${head.why}`, `     enable: ${head.enable}`, ...[...suites].map((suite) => `     - ${suite}`))
  }
  lines.push('')
  lines.push(
    options.strict
      ? ` FAILED: ${REQUIRE_ALL_SUITES}=1 and ${count} suite${count === 1 ? ' was' : 's were'} skipped (CI installs everything these need: an install step is broken).`
      : ` A skip is not a failure here; CI installs all of these, runs every suite and fails on a skip (${REQUIRE_ALL_SUITES}=1).`,
  )
  return lines.join('\n')
}
