/**
 * The core benches: bundle size, per-invocation overhead, cold import.
 * Prints each figure next to its goal, as markdown, and writes the raw
 * figures to .bench-tmp/core/results.json. Goals are reported, never
 * enforced: a missed goal does not fail the run, an error does.
 *
 *   node bench/core/index.mjs [size] [overhead] [cold]   (default: all three)
 */
import { fork } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { measureColdImport } from './cold-import.mjs'
import { repoRoot, snapshotDist } from './dist-snapshot.mjs'
import { measureSizes } from './size.mjs'
import { fmt, table } from './stats.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const parts = process.argv.slice(2)
const wanted = (part) => parts.length === 0 || parts.includes(part)

const SIZE_GOAL = 3000 // bytes, gzipped: "3 KB" read as 1000-byte kilobytes, the stricter reading
const OVERHEAD_GOAL = 1.5 // (b) time per call over (a)

const met = (ok) => (ok ? 'met' : '**not met**')

function versions() {
  // Read from node_modules directly: not every package exports its package.json.
  const version = (name) => JSON.parse(readFileSync(join(repoRoot, 'node_modules', name, 'package.json'), 'utf8')).version
  const own = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version
  return { faasade: own, esbuild: version('esbuild'), '@middy/core': version('@middy/core'), zod: version('zod'), valibot: version('valibot') }
}

function runOverhead(distDir) {
  // Its own process: the size bench's esbuild work and heap stay out of the JIT's way.
  return new Promise((resolve, reject) => {
    const child = fork(join(here, 'overhead.mjs'), [distDir], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'] })
    let result
    child.on('message', (message) => (result = message))
    child.on('error', reject)
    child.on('exit', (code) => (code === 0 && result ? resolve(result) : reject(new Error(`overhead bench exited with ${code}`))))
  })
}

const distDir = snapshotDist()
const v = versions()
const results = { date: new Date().toISOString(), node: process.version, cores: cpus().length, cpu: cpus()[0]?.model, versions: v }
console.log(`core benches — faasade ${v.faasade}, esbuild ${v.esbuild}, @middy/core ${v['@middy/core']}, zod ${v.zod}, valibot ${v.valibot}`)
console.log(`(faasade loaded from a snapshot of dist/ in ${distDir})\n`)

if (wanted('size')) {
  const s = await measureSizes({ distIndex: join(distDir, 'index.js'), repoRoot })
  results.size = s
  const goal = { hello: `≤ ${fmt.kb(SIZE_GOAL)}` }
  const rows = Object.entries(s).map(([id, r]) => [
    r.label,
    fmt.int(r.minified),
    fmt.int(r.gzipped),
    fmt.kb(r.gzipped),
    goal[id] ?? '—',
    goal[id] ? met(r.gzipped <= SIZE_GOAL) : '',
  ])
  console.log('## Bundle size (esbuild, platform neutral, ESM, minified; gzip -9)\n')
  console.log(table(['bundle', 'minified B', 'gzipped B', 'gzipped', 'goal', ''], rows))
  for (const id of ['hello', 'hello-fetch']) {
    const found = s[id].forbidden
    console.log(`- ${id}: ${found.length === 0 ? 'no `hono`, no `@hono/node-server`, no `cloudevents` SDK (bundled inputs and output imports checked) — met' : `**contains ${found.join(', ')}** — not met`}`)
  }
  console.log('')
}

if (wanted('overhead')) {
  const o = await runOverhead(distDir)
  results.overhead = o
  const r = o.results
  const ratio = { faasade: o.ratios.faasade, faasadeCtx: o.ratios.faasadeCtx, middy: o.ratios.middy, faasadeBare: o.ratios.faasadeBare, raw: 1 }
  const rows = Object.entries(r).map(([id, x]) => [
    x.label,
    fmt.int(x.opsPerSec),
    x.nsPerOp.toFixed(1),
    fmt.ratio(ratio[id]),
    id === 'faasade' ? `≤ ${fmt.ratio(OVERHEAD_GOAL)}` : '—',
    id === 'faasade' ? met(ratio.faasade <= OVERHEAD_GOAL) : '',
  ])
  console.log(`## Per-invocation overhead (one process; median of ${r.raw.rounds} rounds after warm-up)\n`)
  console.log(table(['variant', 'ops/s', 'ns/op', 'time vs (a)', 'goal', ''], rows))
  console.log('')
}

if (wanted('cold')) {
  const c = await measureColdImport({ distDir, repoRoot })
  results.cold = c
  const rows = Object.entries(c).map(([id, x]) => [
    x.label,
    fmt.ms(x.wall),
    id === 'empty' ? '—' : fmt.ms(x.overEmpty, 2),
    id === 'empty' ? '—' : fmt.ms(x.inProcess),
    id === 'empty' || id === 'trivial' ? '—' : fmt.ms(x.overLoader, 2),
    id === 'faasade' ? `≤ @middy/core (${fmt.ms(c.middy.overEmpty, 2)})` : '—',
    id === 'faasade' ? met(c.faasade.overEmpty <= c.middy.overEmpty) : '',
  ])
  console.log(`## Cold import (fresh node processes, ${c.empty.samples} of each kind, interleaved; medians)\n`)
  console.log(table(['process', 'wall', 'over empty', 'import() in-process', 'over one-line module', 'goal', ''], rows))
  console.log(`- faasade's dist/index.js loads ${c.faasade.moduleFiles} module files; @middy/core loads 1.`)
  console.log('')
}

const out = join(repoRoot, '.bench-tmp', 'core', 'results.json')
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`)
console.log(`raw figures: ${out}`)
