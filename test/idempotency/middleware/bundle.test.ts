import { build } from 'esbuild'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../..', import.meta.url))

async function bundle(contents: string) {
  const result = await build({
    stdin: { contents, resolveDir: root, loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    minify: true,
    write: false,
    metafile: true,
    logLevel: 'silent',
  })
  return { text: result.outputFiles[0]!.text, inputs: Object.keys(result.metafile.inputs) }
}

describe('the faasade/idempotency door', () => {
  it('bundles for a Worker with no Hono, no provider SDK and no node: builtin', async () => {
    const { inputs } = await bundle(`export * from './src/idempotency/index.ts'`)
    expect(inputs.filter((i) => i.includes('node_modules'))).toEqual([])
    expect(inputs.filter((i) => i.startsWith('node:'))).toEqual([])
  })

  it('leaves the Hono middleware out of a bundle that only uses idempotent()', async () => {
    const { text, inputs } = await bundle(`import { idempotent, memoryStore } from './src/idempotency/index.ts'; export const m = idempotent({ store: memoryStore() })`)
    expect(inputs.some((i) => i.endsWith('idempotency/hono.ts'))).toBe(true)
    expect(text).not.toContain('idempotent-replayed')
  })
})
