/**
 * Bundle size: what a function author ships. Each entry is bundled by
 * esbuild (platform neutral, ESM, minified, tree-shaken) with `faasade`
 * resolved to the built `dist/index.js`, then gzipped (level 9).
 *
 * Nothing is marked external for the faasade entries: if the core pulled in
 * Hono, the `cloudevents` SDK or a Node built-in, it would either land in the
 * bundle (and be caught below) or fail to bundle on a neutral platform.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { gzipSync } from 'node:zlib'
import * as esbuild from 'esbuild'

const HANDLE = `async handle(event, ctx) { ctx.log.info('hello', { id: event.id }); return { hello: 'world' } }`

/** What is bundled, keyed by a short id. `faasade` is in every entry but Middy's. */
export const ENTRIES = {
  hello: {
    label: 'faasade hello handler (`defineHandler`)',
    source: `import { defineHandler } from 'faasade'
export const hello = defineHandler({ type: 'com.example.hello', ${HANDLE} })`,
  },
  'hello-fetch': {
    label: 'faasade hello handler served by `createFetchHandler`',
    source: `import { createFetchHandler, defineHandler } from 'faasade'
const hello = defineHandler({ type: 'com.example.hello', ${HANDLE} })
export default { fetch: createFetchHandler(hello) }`,
  },
  zod: {
    label: "hello + zod schema (`import * as z from 'zod'`)",
    source: `import { defineHandler } from 'faasade'
import * as z from 'zod'
export const hello = defineHandler({
  type: 'com.example.hello',
  data: z.object({ orderId: z.string(), amount: z.number().positive() }),
  ${HANDLE},
})`,
  },
  'zod-mini': {
    label: "hello + zod/mini schema (`import * as z from 'zod/mini'`)",
    source: `import { defineHandler } from 'faasade'
import * as z from 'zod/mini'
export const hello = defineHandler({
  type: 'com.example.hello',
  data: z.object({ orderId: z.string(), amount: z.number().check(z.positive()) }),
  ${HANDLE},
})`,
  },
  valibot: {
    label: "hello + valibot schema (`import * as v from 'valibot'`)",
    source: `import { defineHandler } from 'faasade'
import * as v from 'valibot'
export const hello = defineHandler({
  type: 'com.example.hello',
  data: v.object({ orderId: v.string(), amount: v.pipe(v.number(), v.gtValue(0)) }),
  ${HANDLE},
})`,
  },
  middy: {
    label: 'Middy core + hello handler (for comparison)',
    source: `import middy from '@middy/core'
export const handler = middy(async (event, context) => { console.info('hello', { id: event.id }); return { hello: 'world' } })`,
    // Middy imports node:stream for its streaming mode; a neutral bundle leaves built-ins to the runtime.
    external: ['node:*'],
  },
}

/** Packages that must never reach the hello bundle. */
const FORBIDDEN = ['hono', 'cloudevents', '@hono/node-server']

async function bundle(entry, distIndex, repoRoot) {
  const result = await esbuild.build({
    stdin: { contents: entry.source, resolveDir: repoRoot, sourcefile: 'entry.mjs', loader: 'js' },
    bundle: true,
    write: false,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    // Neutral has no main fields by default; packages without an exports map need these.
    mainFields: ['module', 'main'],
    target: 'es2022',
    metafile: true,
    logLevel: 'silent',
    external: entry.external ?? [],
    plugins: [
      {
        name: 'faasade-from-dist',
        setup(build) {
          build.onResolve({ filter: /^faasade$/ }, () => ({ path: distIndex }))
        },
      },
    ],
  })
  const code = result.outputFiles[0].contents
  return { code, minified: code.byteLength, gzipped: gzipSync(code, { level: 9 }).byteLength, inputs: Object.keys(result.metafile.inputs) }
}

/**
 * Which forbidden packages a bundle holds: a bundled file from their
 * directory, or an import of them left in the output.
 */
export function forbiddenIn({ code, inputs }) {
  const text = Buffer.from(code).toString('utf8')
  const found = []
  for (const name of FORBIDDEN) {
    const bundled = inputs.some((input) => input.includes(`node_modules/${name}/`))
    const imported = new RegExp(`(from|import|require\\()\\s*["']${name.replace('/', '\\/')}(/[^"']*)?["']`).test(text)
    if (bundled || imported) found.push(name)
  }
  return found
}

/** Writes the bundle of one entry to `file`, for the cold-import bench. */
export async function writeBundle(id, { distIndex, repoRoot, file }) {
  const out = await bundle(ENTRIES[id], distIndex, repoRoot)
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, out.code)
}

/** Bundles every entry and returns their sizes in bytes. */
export async function measureSizes({ distIndex, repoRoot }) {
  const sizes = {}
  for (const [id, entry] of Object.entries(ENTRIES)) {
    const out = await bundle(entry, distIndex, repoRoot)
    sizes[id] = { label: entry.label, minified: out.minified, gzipped: out.gzipped }
    if (id === 'hello' || id === 'hello-fetch') sizes[id].forbidden = forbiddenIn(out)
  }
  return sizes
}
