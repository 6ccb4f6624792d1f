/**
 * The no-import promise in a plain Node process, as a user's bundle runs:
 * src/observability bundled by esbuild (packages left external), run under
 * a module resolve hook that writes down every @opentelemetry specifier
 * Node is asked to resolve. Without a provider, none; with one (the
 * control), the API, once. And a user's bundle that does not have the
 * package still builds and runs.
 */
import { execFile } from 'node:child_process'
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { build } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const run = promisify(execFile)
let dir: string

beforeAll(async () => {
  await mkdir('.scratch', { recursive: true })
  dir = resolve(await mkdtemp(join('.scratch', 'observability-')))
  await build({
    entryPoints: ['src/observability/index.ts'],
    bundle: true,
    packages: 'external',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outfile: join(dir, 'observability.mjs'),
    logLevel: 'error',
  })
  await writeFile(
    join(dir, 'hooks.mjs'),
    [
      "import { appendFileSync } from 'node:fs'",
      'export async function resolve(specifier, context, next) {',
      "  if (specifier.startsWith('@opentelemetry/')) appendFileSync(process.env.RESOLVE_LOG, specifier + '\\n')",
      '  return next(specifier, context)',
      '}',
    ].join('\n'),
  )
  await writeFile(join(dir, 'register.mjs'), "import { register } from 'node:module'\nregister('./hooks.mjs', import.meta.url)\n")
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function resolvedIn(script: string): Promise<{ resolved: string[]; stdout: string }> {
  const log = join(dir, `resolve-${Math.random().toString(36).slice(2)}.log`)
  const file = join(dir, `script-${Math.random().toString(36).slice(2)}.mjs`)
  await writeFile(log, '')
  await writeFile(file, script)
  const { stdout } = await run(process.execPath, ['--import', join(dir, 'register.mjs'), file], { env: { ...process.env, RESOLVE_LOG: log } })
  return { resolved: (await readFile(log, 'utf8')).split('\n').filter(Boolean), stdout }
}

describe('in a plain Node process', () => {
  it('without a provider, nothing of @opentelemetry is resolved, and spans are the no-op one', async () => {
    const { resolved, stdout } = await resolvedIn(`
      import { startDeliverySpan, noopDeliverySpan, loadOpenTelemetry, recordDelivery, fromHeaders, importOpenTelemetry, openTelemetryFrom } from './observability.mjs'
      openTelemetryFrom(importOpenTelemetry)
      const parent = fromHeaders({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' })
      let same = true
      for (let i = 0; i < 5; i++) {
        const span = startDeliverySpan({ trigger: 'http', parent })
        same &&= span === noopDeliverySpan
        span.end({ kind: 'ok' })
        recordDelivery({ trigger: 'http', outcome: 'ok', durationMs: 1 })
        await loadOpenTelemetry()
      }
      console.log(same)
    `)
    expect(stdout.trim()).toBe('true')
    expect(resolved).toEqual([])
  })

  it('control: with a provider registered, the API is resolved once and spans are recorded', async () => {
    const { resolved, stdout } = await resolvedIn(`
      import { importOpenTelemetry, openTelemetryFrom, startDeliverySpan, noopDeliverySpan } from './observability.mjs'
      openTelemetryFrom(importOpenTelemetry)
      const { trace } = await import('@opentelemetry/api')
      const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = await import('@opentelemetry/sdk-trace-base')
      const exporter = new InMemorySpanExporter()
      trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }))
      for (let i = 0; i < 3; i++) {
        let span = startDeliverySpan({ trigger: 'pubsub' })
        if (span instanceof Promise) span = await span
        span.end({ kind: 'ok' })
      }
      console.log(exporter.getFinishedSpans().length)
    `)
    expect(stdout.trim()).toBe('3')
    // The script's own import, and the module's.
    expect(resolved.filter((s) => s === '@opentelemetry/api')).toHaveLength(2)
  })
})

describe("in a user's bundle without @opentelemetry/api installed", () => {
  it('esbuild bundles everything else, leaves the import to run time, and the bundle runs with no-op spans', async () => {
    // Outside the repository, so that no node_modules above it holds the API.
    const away = await mkdtemp(join(tmpdir(), 'faasade-observability-'))
    try {
      for (const file of ['index.ts', 'trace-context.ts', 'otel.ts', 'metrics.ts', 'import-api.ts', 'trace.ts']) await copyFile(join('src/observability', file), join(away, file))
      const result = await build({ entryPoints: [join(away, 'index.ts')], bundle: true, format: 'esm', platform: 'node', target: 'node20', outfile: join(away, 'bundle.mjs'), logLevel: 'silent' })
      expect(result.errors).toEqual([])
      const bundle = await readFile(join(away, 'bundle.mjs'), 'utf8')
      expect(bundle).toContain('import("@opentelemetry/api")')
      await writeFile(join(away, 'main.mjs'), "import { importOpenTelemetry, openTelemetryFrom, startDeliverySpan, noopDeliverySpan } from './bundle.mjs'\nopenTelemetryFrom(importOpenTelemetry)\nconsole.log(startDeliverySpan({ trigger: 'http' }) === noopDeliverySpan)\n")
      const { stdout } = await run(process.execPath, [join(away, 'main.mjs')])
      expect(stdout.trim()).toBe('true')
    } finally {
      await rm(away, { recursive: true, force: true })
    }
  })
})
