/**
 * `npm run bench` (after the build): the core benches, then every area's
 * bench/<area>/index.mjs, each in its own Node process, one after the other,
 * so that no two compete for the CPU. An area plugs in by adding its
 * index.mjs; nothing here changes.
 *
 *   node bench/run.mjs                 every area, core first
 *   node bench/run.mjs core secrets    only those areas, in that order
 *
 * Exits non-zero if an area's process failed; figures that miss a goal are
 * reported by the area, not treated as failures.
 */
import { spawn } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const benchDir = dirname(fileURLToPath(import.meta.url))
const repoRoot = join(benchDir, '..')

function areas() {
  const found = readdirSync(benchDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(benchDir, entry.name, 'index.mjs')))
    .map((entry) => entry.name)
    .sort()
  return ['core', ...found.filter((name) => name !== 'core')].filter((name) => found.includes(name))
}

function runArea(name) {
  return new Promise((resolve) => {
    const started = Date.now()
    const child = spawn(process.execPath, [join(benchDir, name, 'index.mjs')], { cwd: repoRoot, stdio: 'inherit' })
    child.on('error', (error) => resolve({ name, ok: false, detail: error.message, seconds: 0 }))
    child.on('exit', (code, signal) =>
      resolve({ name, ok: code === 0, detail: signal ?? `exit ${code}`, seconds: (Date.now() - started) / 1000 }),
    )
  })
}

const available = areas()
const asked = process.argv.slice(2)
const unknown = asked.filter((name) => !available.includes(name))
if (unknown.length > 0) {
  console.error(`unknown bench area(s): ${unknown.join(', ')}; available: ${available.join(', ')}`)
  process.exit(2)
}
const selected = asked.length > 0 ? asked : available

const cpu = cpus()
console.log(`faasade benchmarks — ${new Date().toISOString()}`)
console.log(`node ${process.version}, ${process.platform}/${process.arch}, ${cpu.length} cores (${cpu[0]?.model ?? 'unknown CPU'})`)
console.log(`load average at start: ${loadavg().map((n) => n.toFixed(2)).join(' ')} (other work on the machine skews timings)`)
console.log(`areas: ${selected.join(', ')}\n`)

const summary = []
for (const name of selected) {
  console.log(`\n# bench/${name}\n`)
  summary.push(await runArea(name))
}

console.log('\n# summary\n')
for (const s of summary) console.log(`${s.ok ? 'ok  ' : 'FAIL'} ${s.name.padEnd(16)} ${s.seconds.toFixed(1)} s${s.ok ? '' : ` (${s.detail})`}`)
process.exitCode = summary.every((s) => s.ok) ? 0 : 1
