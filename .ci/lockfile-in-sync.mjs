/**
 * Whether `npm install` left package-lock.json as committed, apart from the
 * optional packages of other platforms (`@rollup/rollup-darwin-arm64`,
 * `@cloudflare/workerd-windows-64`, the musl builds on a glibc machine, …).
 *
 * Why apart: whether npm writes those into the lockfile depends on whether
 * the registry it reaches has them. The registry of this project's machines
 * has lacked them (TOOLCHAIN.md) and, on 2026-11-24, started serving
 * rollup's: the same package.json then gives either lockfile. Neither kind
 * of entry is ever installed on this machine, so they say nothing about
 * whether the lockfile is in sync with package.json; every other entry must
 * match exactly.
 *
 * Usage (after `npm install`): node .ci/lockfile-in-sync.mjs
 * Exit 0 when in sync (and the committed lockfile is restored), 1 with the
 * differing entries otherwise.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { isDeepStrictEqual } from 'node:util'

const committed = JSON.parse(execFileSync('git', ['show', 'HEAD:package-lock.json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }))
const installed = JSON.parse(readFileSync('package-lock.json', 'utf8'))

/** An npm `os`/`cpu` list (`["darwin"]`, `["!win32"]`) allows `value`. */
function allows(list, value) {
  if (!Array.isArray(list) || list.length === 0) return true
  const denied = list.filter((v) => v.startsWith('!')).map((v) => v.slice(1))
  const allowed = list.filter((v) => !v.startsWith('!'))
  return !denied.includes(value) && (allowed.length === 0 || allowed.includes(value))
}

// npm's own test for the C library: glibc when the process report names its version.
const LIBC = process.platform !== 'linux' ? undefined : process.report?.getReport().header.glibcVersionRuntime ? 'glibc' : 'musl'

/** Optional, and for another OS, CPU or C library: never installed here. */
function elsewhere(entry) {
  return entry.optional === true && !(allows(entry.os, process.platform) && allows(entry.cpu, process.arch) && (LIBC === undefined || allows(entry.libc, LIBC)))
}

function relevant(lock) {
  const packages = {}
  for (const [path, entry] of Object.entries(lock.packages ?? {})) if (!elsewhere(entry)) packages[path] = entry
  return { ...lock, packages }
}

const a = relevant(committed)
const b = relevant(installed)
const paths = new Set([...Object.keys(a.packages), ...Object.keys(b.packages)])
const differing = [...paths].filter((path) => !isDeepStrictEqual(a.packages[path], b.packages[path]))
const { packages: _a, ...restA } = a
const { packages: _b, ...restB } = b
if (differing.length > 0 || !isDeepStrictEqual(restA, restB)) {
  console.error('package-lock.json is out of sync with package.json:')
  for (const path of differing.slice(0, 40)) console.error(`  ${path}: ${a.packages[path] ? (b.packages[path] ? 'changed' : 'removed') : 'added'}`)
  if (!isDeepStrictEqual(restA, restB)) console.error('  (top-level fields differ)')
  process.exit(1)
}
const skipped = Object.keys(installed.packages).length - Object.keys(b.packages).length
const skippedCommitted = Object.keys(committed.packages).length - Object.keys(a.packages).length
console.log(`package-lock.json in sync (other platforms' optional packages left aside: ${skippedCommitted} committed, ${skipped} after install)`)
// The working tree keeps the committed lockfile, so that later steps see the repository as cloned.
execFileSync('git', ['checkout', '--', 'package-lock.json'])
