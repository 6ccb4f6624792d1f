/**
 * Loads `module[#export]` for `faasade dev`. TypeScript modules are bundled
 * with esbuild first (Node 20 cannot import `.ts`) into a private temporary
 * directory, packages left external so the project's own `node_modules`
 * serve them.
 */
import { rmSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { isBuiltin } from 'node:module'
import { tmpdir } from 'node:os'
import { basename, extname, isAbsolute, join, resolve, sep } from 'node:path'
import { pathToFileURL } from 'node:url'
import { isHandler } from '../handler.js'
import { isService, type Target } from '../service.js'

export async function loadTarget(spec: string): Promise<Target> {
  const hash = spec.lastIndexOf('#')
  const file = resolve(hash > 0 ? spec.slice(0, hash) : spec)
  const name = hash > 0 ? spec.slice(hash + 1) : undefined
  const module = (await importModule(file)) as Record<string, unknown>
  const candidates = Object.entries(module).filter(([, value]) => isTarget(value))
  if (name !== undefined) {
    if (!isTarget(module[name])) throw new Error(`${file} has no export "${name}" that is a handler, service or HTTP app (targets: ${names(candidates)})`)
    return module[name] as Target
  }
  if (isTarget(module.default)) return module.default as Target
  if (candidates.length === 1) return candidates[0]![1] as Target
  throw new Error(`${file}: name the export to serve as ${spec}#<export> (targets: ${names(candidates)})`)
}

function isTarget(value: unknown): boolean {
  return isHandler(value) || isService(value) || typeof (value as { fetch?: unknown } | null)?.fetch === 'function'
}

function names(entries: Array<[string, unknown]>): string {
  return entries.length > 0 ? entries.map(([n]) => n).join(', ') : 'none'
}

async function importModule(file: string): Promise<unknown> {
  if (!['.ts', '.mts', '.cts', '.tsx'].includes(extname(file))) return import(pathToFileURL(file).href)
  let esbuild: typeof import('esbuild')
  try {
    esbuild = await import('esbuild')
  } catch {
    throw new Error(`Serving a TypeScript module needs esbuild: npm install -D esbuild (or build ${basename(file)} to .js first)`)
  }
  // A fresh directory of our own, not the source's: a name beside the source
  // can be predicted (and planted) by anyone who can write there, and was
  // left behind when the process died mid-import. mkdtemp makes it 0700.
  const dir = await mkdtemp(join(tmpdir(), 'faasade-dev-'))
  // Should the process exit while importing, the directory goes too.
  const cleanUp = () => rmSync(dir, { recursive: true, force: true })
  process.once('exit', cleanUp)
  try {
    const out = join(dir, `${basename(file, extname(file))}.mjs`)
    await esbuild.build({ entryPoints: [file], bundle: true, format: 'esm', platform: 'node', target: 'node20', outfile: out, logLevel: 'error', plugins: [packagesFromSource] })
    return await import(pathToFileURL(out).href)
  } finally {
    process.removeListener('exit', cleanUp)
    await rm(dir, { recursive: true, force: true })
  }
}

/**
 * Packages stay out of the bundle, as the project's node_modules serve them,
 * but the bundle is no longer beside the source, where Node would find them
 * by their names: each is resolved from the importing file and left external
 * under its full location. An import that resolves outside node_modules (a
 * tsconfig path alias to the project's own source) is bundled; one that does
 * not resolve at all is left as written, to fail, if ever run, as it would.
 */
const packagesFromSource: import('esbuild').Plugin = {
  name: 'faasade-dev-packages-from-source',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === RESOLVING || isBuiltin(args.path) || isAbsolute(args.path)) return undefined
      const found = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: RESOLVING })
      if (found.errors.length > 0 || found.path === '') return { path: args.path, external: true }
      if (!found.path.split(sep).includes('node_modules')) return { path: found.path }
      // import() takes a URL; require() a path.
      return { path: args.kind === 'require-call' ? found.path : pathToFileURL(found.path).href, external: true }
    })
  },
}
const RESOLVING = Symbol('resolving')
