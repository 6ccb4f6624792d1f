/**
 * Loads `module[#export]` for `faasade dev`. TypeScript modules are bundled
 * with esbuild first (Node 20 cannot import `.ts`), packages left external so
 * the project's own `node_modules` serve them.
 */
import { rm } from 'node:fs/promises'
import { basename, dirname, extname, join, resolve } from 'node:path'
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
  // Written beside the source so that its imports resolve from the project.
  const out = join(dirname(file), `.faasade-dev-${process.pid}-${basename(file, extname(file))}.mjs`)
  await esbuild.build({ entryPoints: [file], bundle: true, packages: 'external', format: 'esm', platform: 'node', target: 'node20', outfile: out, logLevel: 'error' })
  try {
    return await import(pathToFileURL(out).href)
  } finally {
    await rm(out, { force: true })
  }
}
