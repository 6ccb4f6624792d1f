/**
 * The core benches measure the built package, not the sources. They copy
 * `dist/` once, at the start, so that every figure of a run comes from the
 * same build even if something rebuilds `dist/` meanwhile. The copy stays
 * inside the repository so that `package.json` (`"type": "module"`,
 * `"sideEffects": false`) and `node_modules` apply to it as to `dist/`.
 */
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** Copies `dist/` to `.bench-tmp/core/dist` and returns the copy's directory. */
export function snapshotDist() {
  const source = join(repoRoot, 'dist')
  if (!existsSync(join(source, 'index.js'))) {
    throw new Error('dist/index.js is missing: run `npm run build` first (`npm run bench` does)')
  }
  const target = join(repoRoot, '.bench-tmp', 'core', 'dist')
  rmSync(target, { recursive: true, force: true })
  mkdirSync(dirname(target), { recursive: true })
  cpSync(source, target, { recursive: true })
  return target
}
