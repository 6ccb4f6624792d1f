/**
 * Builds the `faasade` CLI from the sources into a directory of its own
 * under .scratch/ (gitignored), as tsup bundles it, so a test never runs a
 * stale dist/cli.js; and bundles a module to serve with it, its `faasade`
 * imports taken from the sources (tsconfig.json's paths), where the CLI
 * would have resolved them to dist/.
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

/** Bundles `entry` (TypeScript) into `dir` as an ES module, `faasade/*` from the sources, other packages left external. */
export async function bundleFromSources(entry: string, dir: string): Promise<string> {
  const outfile = join(dir, `${entry.replace(/^.*\//, '').replace(/\.ts$/, '')}.mjs`)
  await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outfile,
    logLevel: 'error',
    // Bare imports but faasade's stay packages, found from the repository's node_modules.
    plugins: [
      {
        name: 'packages-but-faasade-external',
        setup(b) {
          b.onResolve({ filter: /^[^./]/ }, (args) => (args.path === 'faasade' || args.path.startsWith('faasade/') ? undefined : { path: args.path, external: true }))
        },
      },
    ],
  })
  return outfile
}
