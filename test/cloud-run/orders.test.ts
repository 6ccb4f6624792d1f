/**
 * The orders example's Cloud Run entry (examples/orders/cloud-run.ts),
 * bundled as a container ships it (esbuild, one ESM file) and run by node
 * with PORT=0 on 127.0.0.1: the Hono routes, an order pushed by Pub/Sub
 * (charged, blocked, rate limited), the Scheduler sweep, and SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as esbuild from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../', import.meta.url))
let dir: string
let child: ChildProcess
let url: string
const lines: Array<Record<string, unknown>> = []

/** Resolves `faasade/...` to the sources, as the exports map would to dist/. */
const faasadeSources: esbuild.Plugin = {
  name: 'faasade-sources',
  setup(build) {
    const doors: Record<string, string> = {
      faasade: 'src/index.ts',
      'faasade/cloud-run': 'adapters/cloud-run/index.ts',
      'faasade/idempotency': 'src/idempotency/index.ts',
      'faasade/secrets': 'src/secrets/index.ts',
    }
    build.onResolve({ filter: /^faasade(\/[a-z-]+)?$/ }, (args) => (doors[args.path] ? { path: join(root, doors[args.path]!) } : undefined))
  },
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'faasade-orders-run-'))
  const script = join(dir, 'server.mjs')
  await esbuild.build({ entryPoints: [join(root, 'examples/orders/cloud-run.ts')], outfile: script, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'silent', plugins: [faasadeSources] })
  // The handler reads its Stripe key with fromEnv: on Cloud Run, --set-secrets STRIPE_API_KEY=….
  child = spawn(process.execPath, [script], { env: { ...process.env, PORT: '0', HOST: '127.0.0.1', STRIPE_API_KEY: 'sk_test_cloud_run', GOOGLE_CLOUD_PROJECT: 'shop-prod' }, stdio: ['ignore', 'pipe', 'inherit'] })
  const port = await new Promise<number>((resolve, reject) => {
    let buffered = ''
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8')
      let newline: number
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = JSON.parse(buffered.slice(0, newline)) as Record<string, unknown>
        buffered = buffered.slice(newline + 1)
        lines.push(line)
        if (line.message === 'listening') resolve(line.port as number)
      }
    })
    child.once('exit', (code) => reject(new Error(`the example exited (${code}) before listening`)))
  })
  url = `http://127.0.0.1:${port}`
})

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL')
  if (dir) await rm(dir, { recursive: true, force: true })
})

const push = (order: unknown, messageId: string) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-cloud-trace-context': '105445aa7843bc8bf206b12000100000/1;o=1' },
    body: JSON.stringify({
      message: { data: Buffer.from(JSON.stringify(order)).toString('base64'), messageId, publishTime: '2026-12-01T10:00:00.000Z', attributes: {} },
      subscription: 'projects/shop-prod/subscriptions/orders-push',
      deliveryAttempt: 1,
    }),
  })

describe('the orders example on the plain server', () => {
  it('serves the Hono routes', async () => {
    expect(await (await fetch(`${url}/health`)).json()).toEqual({ ok: true })
    expect(await (await fetch(`${url}/orders/A7`)).json()).toEqual({ orderId: 'A7', status: 'placed' })
  })

  it('charges an order pushed by Pub/Sub, logging as Cloud Logging reads it', async () => {
    expect((await push({ orderId: 'A1', amount: 25 }, 'm-1')).status).toBe(204)
    const charging = lines.find((l) => l.message === 'charging' && l.orderId === 'A1')
    expect(charging).toMatchObject({ severity: 'INFO', stripe: '[redacted]', 'logging.googleapis.com/trace': 'projects/shop-prod/traces/105445aa7843bc8bf206b12000100000' })
  })

  it('a blocked order is a 422 (to the dead-letter topic), a rate-limited one 429 + Retry-After, bad data 400', async () => {
    expect((await push({ orderId: 'blocked', amount: 1 }, 'm-2')).status).toBe(422)
    const limited = await push({ orderId: 'rate-limited', amount: 1 }, 'm-3')
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('3')
    expect((await push({ orderId: '', amount: -1 }, 'm-4')).status).toBe(400)
  })

  it('runs the sweep for the Scheduler job', async () => {
    const response = await fetch(url, { method: 'POST', headers: { 'x-cloudscheduler': 'true', 'x-cloudscheduler-jobname': 'orders-sweep', 'x-cloudscheduler-scheduletime': '2026-12-02T02:00:00Z' } })
    expect(response.status).toBe(204)
    expect(lines.find((l) => l.message === 'sweeping unpaid orders')).toMatchObject({ schedule: 'orders-sweep', at: '2026-12-02T02:00:00.000Z' })
  })

  it('exits 0 on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
  })
})
