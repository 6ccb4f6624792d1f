/**
 * The end-of-run summary of suites skipped for a missing tool or service:
 * its text, and a real vitest run (fixtures/skip-run) in which a worker
 * records a skip and the main process prints it, and fails the run only with
 * FAASADE_REQUIRE_ALL_SUITES=1.
 */
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { formatSkipSummary } from './skip-summary.js'
import type { SkipRecord } from './skips.js'

const run = promisify(execFile)
const root = '/repo'
const redis = { need: 'redis-server', why: 'not on PATH (and FAASADE_REDIS_SERVER is unset)', enable: 'apt-get install redis-server' }
const ric = { need: 'aws-lambda-ric', why: 'not installed', enable: 'npm run setup:lambda-ric' }
const skip = (over: Partial<SkipRecord>): SkipRecord => ({ ...redis, file: '/repo/test/a.test.ts', suite: 's', order: 0, ...over })

describe('formatSkipSummary', () => {
  it('prints nothing when nothing skipped, and one line saying so when strict', () => {
    expect(formatSkipSummary([], { root, strict: false })).toBe('')
    expect(formatSkipSummary([], { root, strict: true })).toBe(' FAASADE_REQUIRE_ALL_SUITES=1: every suite ran.')
  })

  it('groups suites under what they miss, with why and the command, in file then declaration order', () => {
    const text = formatSkipSummary(
      [
        skip({ file: '/repo/test/z.test.ts', suite: 'z1' }),
        skip({ ...ric, file: '/repo/test/lambda.test.ts', suite: 'runtime', order: 0 }),
        skip({ file: '/repo/test/a.test.ts', suite: 'a2', order: 1 }),
        skip({ file: '/repo/test/a.test.ts', suite: 'a1', order: 0 }),
      ],
      { root, strict: false },
    )
    expect(text).toBe(
      [
        ' Skipped for a missing tool or service: 4 suites',
        '',
        '   redis-server: not on PATH (and FAASADE_REDIS_SERVER is unset)',
        '     enable: apt-get install redis-server',
        '     - test/a.test.ts > a1',
        '     - test/a.test.ts > a2',
        '     - test/z.test.ts > z1',
        '',
        '   aws-lambda-ric: not installed',
        '     enable: npm run setup:lambda-ric',
        '     - test/lambda.test.ts > runtime',
        '',
        ' A skip is not a failure here; CI installs all of these, runs every suite and fails on a skip (FAASADE_REQUIRE_ALL_SUITES=1).',
      ].join('\n'),
    )
  })

  it('lists a suite recorded twice once, and says the run failed when strict', () => {
    const text = formatSkipSummary([skip({}), skip({ order: 3 })], { root, strict: true })
    expect(text.match(/- test\/a\.test\.ts > s/g)).toHaveLength(1)
    expect(text).toContain(' Skipped for a missing tool or service: 1 suite\n')
    expect(text.split('\n').at(-1)).toBe(' FAILED: FAASADE_REQUIRE_ALL_SUITES=1 and 1 suite was skipped (CI installs everything these need: an install step is broken).')
  })
})

describe('a vitest run with a suite skipped for a missing tool', () => {
  const vitest = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url))
  const config = fileURLToPath(new URL('./fixtures/skip-run/vitest.config.ts', import.meta.url))
  // The child is a run of its own: none of this worker's VITEST_* variables, and strict only when asked.
  const baseEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST') && key !== 'FAASADE_REQUIRE_ALL_SUITES'))
  const vitestRun = async (strict: boolean, ...filters: string[]) => {
    const env = strict ? { ...baseEnv, FAASADE_REQUIRE_ALL_SUITES: '1' } : baseEnv
    try {
      const { stdout } = await run(process.execPath, [vitest, 'run', '--config', config, ...filters], { env, timeout: 60_000 })
      return { code: 0, stdout }
    } catch (error) {
      const { code, stdout } = error as { code: number; stdout: string }
      return { code, stdout }
    }
  }

  it('passes, and ends with the summary naming the suite, why, and the command', async () => {
    const { code, stdout } = await vitestRun(false)
    expect(code).toBe(0)
    const summary = stdout.slice(stdout.indexOf(' Skipped for a missing tool or service'))
    expect(summary).toMatch(/^ Skipped for a missing tool or service: 1 suite\n\n {3}frobd: not on PATH\n {5}enable: apt-get install frobd\n {5}- skips\.fixture\.ts > talks to frobd\n/)
    // After the reporter's own summary, once.
    expect(stdout.indexOf('Test Files')).toBeLessThan(stdout.indexOf(' Skipped for a missing tool or service'))
    expect(stdout.split(' Skipped for a missing tool or service')).toHaveLength(2)
  })

  it('fails with FAASADE_REQUIRE_ALL_SUITES=1, saying why', async () => {
    const { code, stdout } = await vitestRun(true)
    expect(code).toBe(1)
    expect(stdout).toContain('- skips.fixture.ts > talks to frobd')
    expect(stdout).toContain(' FAILED: FAASADE_REQUIRE_ALL_SUITES=1 and 1 suite was skipped')
  })

  it('passes with FAASADE_REQUIRE_ALL_SUITES=1 when nothing skipped', async () => {
    const { code, stdout } = await vitestRun(true, 'nothing-missing')
    expect(code).toBe(0)
    expect(stdout).toContain(' FAASADE_REQUIRE_ALL_SUITES=1: every suite ran.')
  })
})
