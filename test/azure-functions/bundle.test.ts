/**
 * What a function app made with `faasade/azure-functions` ships: the
 * adapter loads nothing of `@azure/functions` (it uses its types only; the
 * app's own `import { app }` is the one load), and a hello handler bundles
 * no package at all.
 */
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as esbuild from 'esbuild'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../', import.meta.url))

/** Bundles `source`, or the file at `entry` (an entry file has no exports: imported, the package's sideEffects: false would drop it). */
async function bundle(source: string, entry?: string): Promise<{ inputs: string[]; imports: string[] }> {
  const result = await esbuild.build({
    ...(entry ? { entryPoints: [join(root, entry)] } : { stdin: { contents: source, resolveDir: root, sourcefile: 'functions.ts', loader: 'ts' as const } }),
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    metafile: true,
    logLevel: 'silent',
    // As a function app deploys it: the library comes from node_modules at run time.
    external: ['@azure/functions'],
    tsconfig: join(root, 'tsconfig.json'),
  })
  const outputs = Object.values(result.metafile.outputs)
  return { inputs: Object.keys(result.metafile.inputs), imports: outputs.flatMap((o) => o.imports.map((i) => i.path)) }
}

describe('the Azure Functions bundle', () => {
  it('of a hello event handler holds no package and imports nothing of @azure/functions', async () => {
    const { inputs, imports } = await bundle(`import { defineHandler } from 'faasade'\nimport { toAzureFunctions } from 'faasade/azure-functions'\nexport const azure = toAzureFunctions(defineHandler({ handle: () => 'hello' }))`)
    // @opentelemetry/api (an optional peer, installed here) is the one exception: reached only by a
    // dynamic import, made when an SDK is registered (test/observability/otel-lazy.test.ts).
    expect(inputs.filter((i) => i.includes('node_modules') && !i.includes('node_modules/@opentelemetry/api/'))).toEqual([])
    expect(inputs.some((i) => i.startsWith('adapters/azure-functions/'))).toBe(true)
    expect(imports.filter((i) => i.startsWith('@azure/'))).toEqual([])
  })

  it('of the orders example imports @azure/functions once, from the entry file, and nothing of AWS, Google Cloud or Cloudflare', async () => {
    const { inputs, imports } = await bundle('', 'examples/orders/azure/index.ts')
    expect(imports.filter((i) => i.startsWith('@azure/'))).toEqual(['@azure/functions'])
    expect(inputs.filter((i) => /node_modules\/(@aws-sdk|@google-cloud|@cloudflare|cloudevents|miniflare|wrangler)\//.test(i))).toEqual([])
  })
})
