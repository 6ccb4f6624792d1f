/**
 * Bundles a Worker the way a Workers project ships one: esbuild, ESM,
 * platform neutral with the `workerd`/`worker`/`browser` conditions (as
 * wrangler resolves packages), minified, no Node built-ins (no
 * `nodejs_compat`). `faasade` and its subpaths resolve to a built `dist/`
 * directory, never to the sources, so the figures are those of the package.
 *
 * Shared by bench/workers/index.mjs and the workerd tests in test/workers/.
 */
import { existsSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { resolve } from 'node:path'
import { gzipSync } from 'node:zlib'
import * as esbuild from 'esbuild'

/** Packages that must never reach a Worker bundle (docs/architecture.md: provider SDKs are optional peers). */
export const PROVIDER_SDKS = ['@aws-sdk/', '@azure/', '@google-cloud/']

/**
 * An esbuild plugin resolving `faasade` to `<distDir>/index.js` and
 * `faasade/a/b` to `<distDir>/a-b.js` (the file names of tsup.config.ts).
 */
export function faasadeFromDist(distDir) {
  return {
    name: 'faasade-from-dist',
    setup(build) {
      build.onResolve({ filter: /^faasade(\/.*)?$/ }, (args) => {
        const sub = args.path.slice('faasade'.length)
        const file = resolve(distDir, `${sub === '' ? 'index' : sub.slice(1).replaceAll('/', '-')}.js`)
        if (!existsSync(file)) return { errors: [{ text: `${args.path}: ${file} does not exist (build the package first)` }] }
        return { path: file }
      })
    },
  }
}

/**
 * Bundles one Worker. Pass `source` (module text, resolved from `resolveDir`)
 * or `entry` (a file path). Returns the code, its sizes and its inputs.
 * `nodeCompat: true` leaves Node built-ins to the runtime, as wrangler does
 * for a Worker with the `nodejs_compat` flag (for the `cloudevents` reference).
 */
export async function bundleWorker({ source, entry, resolveDir, distDir, minify = true, nodeCompat = false }) {
  const result = await esbuild.build({
    ...(source === undefined ? { entryPoints: [entry] } : { stdin: { contents: source, resolveDir, sourcefile: 'worker.ts', loader: 'ts' } }),
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['browser', 'module', 'main'],
    target: 'es2022',
    minify,
    metafile: true,
    logLevel: 'silent',
    plugins: [faasadeFromDist(distDir)],
    external: nodeCompat ? [...builtinModules, 'node:*'] : [],
  })
  const bytes = result.outputFiles[0].contents
  return {
    code: Buffer.from(bytes).toString('utf8'),
    minified: bytes.byteLength,
    gzipped: gzipSync(bytes, { level: 9 }).byteLength,
    inputs: Object.keys(result.metafile.inputs),
  }
}

/**
 * Which of `packages` a bundle holds: a bundled file from their directory,
 * or a string literal naming them (an import left in the output). A name
 * ending in `/` is a scope (`@aws-sdk/`).
 */
export function packagesIn(bundle, packages) {
  return packages.filter((name) => {
    const escaped = name.replace(/[.*+?^${}()|[\]\\/@-]/g, '\\$&')
    const literal = new RegExp(`["'\`]${escaped}${name.endsWith('/') ? '' : `(?=["'\`/])`}`)
    return bundle.inputs.some((input) => input.includes(`node_modules/${name}`)) || literal.test(bundle.code)
  })
}

/** Node built-ins a bundle still imports (`node:x`, or a bare `events`, `buffer`, …). */
export function nodeImportsIn(bundle) {
  const found = new Set()
  for (const match of bundle.code.matchAll(/(?:from|import|require\()\s*["']((?:node:)?[a-z_]+)["']/g)) {
    if (match[1].startsWith('node:') || NODE_BUILTINS.has(match[1])) found.add(match[1])
  }
  return [...found]
}

const NODE_BUILTINS = new Set(['assert', 'buffer', 'crypto', 'events', 'fs', 'http', 'https', 'net', 'os', 'path', 'process', 'stream', 'string_decoder', 'url', 'util', 'zlib'])
