/**
 * Cold import: what `import 'faasade'` adds to a fresh Node process, next to
 * `import '@middy/core'` and a process that imports nothing.
 *
 * Every sample is a new `node` process running an ES module one-liner; the
 * three kinds run interleaved (empty, faasade, middy, empty, ...) so that
 * load from elsewhere on the machine hits them alike. Two figures a sample:
 * - wall: spawn to exit, as the parent sees it (the figure the goal is on);
 * - in-process: `performance.now()` around a dynamic `import()` in the child,
 *   which leaves out process start-up and its noise.
 * Both import by absolute file URL, so neither pays for bare-specifier
 * resolution and the comparison is of loading and evaluating the modules.
 * A fourth kind imports a one-line module: the first `import()` of a process
 * starts Node's ES module loader, a fixed cost that no package can avoid, and
 * its in-process time tells that cost apart from the package's own.
 * Two more kinds import the esbuild bundles of the hello handlers (faasade's
 * and Middy's, as in the size bench): one file each, as a bundled function is
 * deployed, where an unbundled package pays for each of its module files.
 */
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { writeBundle } from './size.mjs'
import { median, range } from './stats.mjs'

const SAMPLES = Number(process.env.BENCH_COLD_SAMPLES ?? 20)

function probe(url) {
  // The child prints the in-process import time; an empty process imports nothing.
  const body = url
    ? `const t = performance.now(); await import(${JSON.stringify(url)}); process.stdout.write(String(performance.now() - t))`
    : `process.stdout.write('0')`
  return ['--input-type=module', '-e', body]
}

function sample(args, cwd) {
  const start = process.hrtime.bigint()
  const child = spawnSync(process.execPath, args, { cwd, encoding: 'utf8' })
  const wall = Number(process.hrtime.bigint() - start) / 1e6
  if (child.status !== 0) throw new Error(`cold import child failed: ${child.stderr}`)
  return { wall, inProcess: Number(child.stdout) }
}

/** How many files a static import of `entry` loads, following its relative imports. */
export function moduleFiles(entry, seen = new Set()) {
  if (seen.has(entry)) return seen.size
  seen.add(entry)
  const source = readFileSync(entry, 'utf8')
  for (const match of source.matchAll(/(?:from|import)\s*["'](\.{1,2}\/[^"']+)["']/g)) moduleFiles(join(dirname(entry), match[1]), seen)
  return seen.size
}

/** Runs SAMPLES fresh processes of each kind, interleaved; returns medians in ms. */
export async function measureColdImport({ distDir, repoRoot }) {
  const require = createRequire(join(repoRoot, 'package.json'))
  const trivial = join(repoRoot, '.bench-tmp', 'core', 'one-line.js')
  mkdirSync(join(repoRoot, '.bench-tmp', 'core'), { recursive: true })
  writeFileSync(trivial, 'export const one = 1\n')
  const bundles = join(repoRoot, '.bench-tmp', 'core', 'bundles')
  const distIndex = join(distDir, 'index.js')
  await writeBundle('hello', { distIndex, repoRoot, file: join(bundles, 'faasade-hello.js') })
  await writeBundle('middy', { distIndex, repoRoot, file: join(bundles, 'middy-hello.js') })
  const kinds = {
    empty: { label: 'empty process', args: probe(undefined) },
    trivial: { label: 'a one-line module (the ES module loader alone)', args: probe(pathToFileURL(trivial).href) },
    faasade: { label: "`import 'faasade'` (dist/index.js)", args: probe(pathToFileURL(join(distDir, 'index.js')).href) },
    middy: { label: "`import '@middy/core'`", args: probe(pathToFileURL(require.resolve('@middy/core')).href) },
    faasadeBundled: { label: 'faasade hello handler, bundled (one file)', args: probe(pathToFileURL(join(bundles, 'faasade-hello.js')).href) },
    middyBundled: { label: 'Middy hello handler, bundled (one file)', args: probe(pathToFileURL(join(bundles, 'middy-hello.js')).href) },
  }
  const ids = Object.keys(kinds)
  // One throw-away round: the first spawn pays for a cold file cache.
  for (const id of ids) sample(kinds[id].args, repoRoot)
  const samples = Object.fromEntries(ids.map((id) => [id, []]))
  for (let i = 0; i < SAMPLES; i++) {
    for (const id of ids) samples[id].push(sample(kinds[id].args, repoRoot))
  }
  const out = {}
  for (const id of ids) {
    const wall = samples[id].map((s) => s.wall)
    out[id] = {
      label: kinds[id].label,
      wall: median(wall),
      wallRange: range(wall),
      inProcess: median(samples[id].map((s) => s.inProcess)),
      samples: SAMPLES,
    }
  }
  out.faasade.moduleFiles = moduleFiles(distIndex)
  for (const id of ids) {
    out[id].overEmpty = out[id].wall - out.empty.wall
    out[id].overLoader = out[id].inProcess - out.trivial.inProcess
  }
  return out
}
