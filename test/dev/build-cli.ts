/**
 * Builds the `faasade` CLI from the sources into a directory of its own
 * under .scratch/ (gitignored), as tsup bundles it, so a test never runs a
 * stale dist/cli.js.
 */
import { mkdtemp, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { build } from 'esbuild'

export async function buildCli(): Promise<{ cli: string; dir: string }> {
  await mkdir('.scratch', { recursive: true })
  const dir = await mkdtemp(join('.scratch', 'cli-'))
  const cli = join(dir, 'cli.js')
  await build({
    entryPoints: ['src/dev/cli.ts'],
    bundle: true,
    packages: 'external',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outfile: cli,
    logLevel: 'error',
  })
  return { cli, dir }
}
