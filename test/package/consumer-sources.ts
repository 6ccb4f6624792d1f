/**
 * The files of a throwaway project that installs the packed tarball, as a
 * user would. Kept as text so that the repository's own `tsc` (which maps
 * `faasade` to the sources) never compiles them: they must resolve the
 * installed package, with Node's and TypeScript's `nodenext` rules.
 */

/**
 * One script body for both module systems: a handler with a zod schema, run
 * through `faasade/testing`. A failed schema check must come back as a drop
 * whose error is a `ValidationError` of the `faasade` entry: if the two
 * subpaths carried their own copies of the error classes, `invoke` would not
 * recognise it and call it a retry, and `instanceof` would be false.
 */
const body = (format: 'esm' | 'cjs') => `
const double = defineHandler({
  type: 'com.example.number',
  data: z.object({ n: z.number() }),
  async handle(event) {
    return { doubled: event.data.n * 2 }
  },
})
const ok = await invoke(double, { type: 'com.example.number', data: { n: 21 } })
const bad = await invoke(double, { type: 'com.example.number', data: { n: 'x' } })
const thrown = await invoke(defineHandler({ type: 'com.example.number', handle() { throw new PermanentError('no') } }), cloudEvent({ type: 'com.example.number' }))
console.log(JSON.stringify({
  format: '${format}',
  ok: ok.ok ? { outcome: ok.outcome, result: ok.result } : { outcome: ok.outcome, error: String(ok.error) },
  bad: bad.ok ? { outcome: bad.outcome } : {
    outcome: bad.outcome,
    name: bad.error.name,
    status: bad.error.status,
    isValidationError: bad.error instanceof ValidationError,
    isFaasadeError: bad.error instanceof FaasadeError,
    paths: bad.error.issues.map((issue) => issue.path),
  },
  thrown: thrown.ok ? { outcome: thrown.outcome } : { outcome: thrown.outcome, isPermanentError: thrown.error instanceof PermanentError },
}))
`

export const ESM_SCRIPT = `import { defineHandler, FaasadeError, PermanentError, ValidationError } from 'faasade'
import { cloudEvent, invoke } from 'faasade/testing'
import * as z from 'zod'
${body('esm')}`

export const CJS_SCRIPT = `'use strict'
const { defineHandler, FaasadeError, PermanentError, ValidationError } = require('faasade')
const { cloudEvent, invoke } = require('faasade/testing')
const z = require('zod')
async function main() {
${body('cjs')}
}
main().catch((error) => { console.error(error); process.exitCode = 1 })
`

/**
 * Type-checked as both `.mts` (resolves `import` conditions: `.d.ts`) and
 * `.cts` (`require` conditions: `.d.cts`). The `@ts-expect-error` lines fail
 * the check if the declarations degrade to `any`.
 */
const TYPED = `import { defineHandler, ValidationError, type CloudEvent } from 'faasade'
import { cloudEvent, invoke, type InvokeResult } from 'faasade/testing'
import * as z from 'zod'

export const double = defineHandler({
  type: 'com.example.number',
  data: z.object({ n: z.number() }),
  async handle(event, ctx) {
    ctx.log.info('doubling', { n: event.data.n })
    const n: number = event.data.n
    // @ts-expect-error: the schema types the data
    const s: string = event.data.n
    return { doubled: n * 2, s }
  },
})

export const sample: CloudEvent<{ n: number }> = cloudEvent({ type: 'com.example.number', data: { n: 1 } })

export async function run(): Promise<number> {
  const result: InvokeResult<{ doubled: number; s: string }> = await invoke(double, sample)
  if (result.ok) return result.result.doubled
  if (result.error instanceof ValidationError) return result.error.issues.length
  // @ts-expect-error: invoke takes a handler or a service
  await invoke('not a handler', {})
  return 0
}
`

export const MTS_SOURCE = TYPED
export const CTS_SOURCE = TYPED

export const TSCONFIG = JSON.stringify({
  compilerOptions: {
    module: 'nodenext',
    moduleResolution: 'nodenext',
    target: 'es2022',
    lib: ['es2022', 'dom'],
    types: [],
    strict: true,
    noEmit: true,
    // The package's declarations are checked too, as a strict user would.
    skipLibCheck: false,
  },
  files: ['consumer.mts', 'consumer.cts'],
}, null, 2)
