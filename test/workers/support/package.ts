/**
 * The package's built output for the workerd tests: tsup with the package's
 * own config (same entries, externals and chunking as `npm run build`), ESM
 * only and without declarations, into a private temporary directory. A
 * private build, not `dist/`: other suites rebuild `dist/` (`rm -rf dist &&
 * tsup`) and a shared one could vanish under a running test.
 */
import { rmSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build, type Options } from 'tsup'
import config from '../../../tsup.config.js'

export interface BuiltPackage {
  /** The directory holding `index.js`, `cloudflare-workers.js`, … */
  readonly distDir: string
  remove(): Promise<void>
}

export async function buildPackage(): Promise<BuiltPackage> {
  const configs = typeof config === 'function' ? await config({}) : config
  // The library is more than one build (the core door alone, then the
  // others, which import it as `faasade`); the CLI's build is not needed.
  const library = (Array.isArray(configs) ? configs : [configs]).filter(
    (c: Options) => typeof c.entry === 'object' && c.entry !== null && !Array.isArray(c.entry) && !('cli' in c.entry),
  )
  if (!library.some((c) => 'cloudflare-workers' in (c.entry as Record<string, string>))) throw new Error('tsup.config.ts has no entry named cloudflare-workers')
  const root = await mkdtemp(join(tmpdir(), 'faasade-workers-'))
  const distDir = join(root, 'dist')
  // Also gone if the run is cut short before afterAll.
  process.once('exit', () => rmSync(root, { recursive: true, force: true }))
  for (const options of library) await build({ ...options, format: ['esm'], dts: false, outDir: distDir, clean: false, silent: true, config: false })
  return { distDir, remove: () => rm(root, { recursive: true, force: true }) }
}
