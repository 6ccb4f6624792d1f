/**
 * The orders example's two Cloud Run deployables, built by the example's
 * own build script (examples/orders/build-cloud-run.mjs, as the docs deploy
 * them) and run as Cloud Run runs them: the plain server's `server.mjs` by
 * node with PORT on 127.0.0.1, and the function's directory by the
 * functions framework's CLI (`functions-framework --target=orders`) on a
 * free port. One table of requests drives both: the Hono routes, an order
 * pushed by Pub/Sub (charged, blocked, rate limited), the Scheduler sweep,
 * a malformed CloudEvent; then SIGTERM on the plain server.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
// @ts-expect-error: a plain ESM script of the example, without types
import { buildCloudRun } from '../../examples/orders/build-cloud-run.mjs'

const root = fileURLToPath(new URL('../../', import.meta.url))
const ffMain = join(root, 'node_modules/@google-cloud/functions-framework/build/src/main.js')
// Inside the repository: the function's bundle imports the framework, found in its node_modules as the CLI's own copy.
let dir: string
let built: { run: string; function: string }

interface Running {
  url: string
  child: ChildProcess
  lines: Array<Record<string, unknown>>
}
const running: Record<string, Running> = {}

/** Every JSON line the process writes to stdout (the framework's own banner is plain text: skipped). */
function collect(child: ChildProcess, lines: Array<Record<string, unknown>>): void {
  let buffered = ''
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8')
    let newline: number
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const text = buffered.slice(0, newline)
      buffered = buffered.slice(newline + 1)
      if (text.startsWith('{')) lines.push(JSON.parse(text) as Record<string, unknown>)
    }
  })
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })

async function until(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`exited (${child.exitCode}) before listening`)
    try {
      await fetch(`${url}/health`)
      return
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
  throw new Error('not listening after 15 s')
}

// The handler reads its Stripe key with fromEnv: on Cloud Run, --set-secrets STRIPE_API_KEY=….
const env = { ...process.env, HOST: '127.0.0.1', STRIPE_API_KEY: 'sk_test_cloud_run', GOOGLE_CLOUD_PROJECT: 'shop-prod', NODE_ENV: 'production' }

async function start(door: 'run' | 'function'): Promise<Running> {
  const port = await freePort()
  const args = door === 'run' ? [join(built.run, 'server.mjs')] : [ffMain, '--target=orders', `--source=${built.function}`]
  const child = spawn(process.execPath, args, { cwd: door === 'run' ? built.run : built.function, env: { ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'inherit'] })
  const lines: Array<Record<string, unknown>> = []
  collect(child, lines)
  const url = `http://127.0.0.1:${port}`
  await until(url, child)
  return { url, child, lines }
}

beforeAll(async () => {
  await mkdir(join(root, '.scratch'), { recursive: true })
  dir = await mkdtemp(join(root, '.scratch', 'orders-cloud-run-'))
  built = await buildCloudRun(dir)
  ;[running.run, running.function] = await Promise.all([start('run'), start('function')])
}, 60_000)

afterAll(async () => {
  for (const { child } of Object.values(running)) if (child.exitCode === null) child.kill('SIGKILL')
  if (dir) await rm(dir, { recursive: true, force: true })
})

const push = (url: string, order: unknown, messageId: string) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-cloud-trace-context': '105445aa7843bc8bf206b12000100000/1;o=1' },
    body: JSON.stringify({
      message: { data: Buffer.from(JSON.stringify(order)).toString('base64'), messageId, publishTime: '2026-12-01T10:00:00.000Z', attributes: {} },
      subscription: 'projects/shop-prod/subscriptions/orders-push',
      deliveryAttempt: 1,
    }),
  })

describe('the deployables', () => {
  it('the plain server is one file and its Dockerfile runs it with node as PID 1; the function names only the framework as a dependency', async () => {
    expect(await readFile(join(built.run, 'Dockerfile'), 'utf8')).toContain('CMD ["node", "server.mjs"]')
    const manifest = JSON.parse(await readFile(join(built.function, 'package.json'), 'utf8')) as { main: string; dependencies: Record<string, string> }
    expect(manifest.main).toBe('index.mjs')
    expect(Object.keys(manifest.dependencies)).toEqual(['@google-cloud/functions-framework'])
  })
})

describe.each(['run', 'function'] as const)('the orders example (%s)', (door) => {
  const at = () => running[door]!

  it('serves the Hono routes', async () => {
    expect(await (await fetch(`${at().url}/health`)).json()).toEqual({ ok: true })
    expect(await (await fetch(`${at().url}/orders/A7`)).json()).toEqual({ orderId: 'A7', status: 'placed' })
  })

  it('charges an order pushed by Pub/Sub, logging as Cloud Logging reads it', async () => {
    expect((await push(at().url, { orderId: 'A1', amount: 25 }, 'm-1')).status).toBe(204)
    const charging = at().lines.find((l) => l.message === 'charging' && l.orderId === 'A1')
    expect(charging).toMatchObject({ severity: 'INFO', stripe: '[redacted]', 'logging.googleapis.com/trace': 'projects/shop-prod/traces/105445aa7843bc8bf206b12000100000' })
  })

  it('a blocked order is a 422 (to the dead-letter topic), a rate-limited one 429 + Retry-After, bad data 400', async () => {
    expect((await push(at().url, { orderId: 'blocked', amount: 1 }, 'm-2')).status).toBe(422)
    const limited = await push(at().url, { orderId: 'rate-limited', amount: 1 }, 'm-3')
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('3')
    expect((await push(at().url, { orderId: '', amount: -1 }, 'm-4')).status).toBe(400)
  })

  it('runs the sweep for the Scheduler job', async () => {
    const response = await fetch(at().url, { method: 'POST', headers: { 'x-cloudscheduler': 'true', 'x-cloudscheduler-jobname': 'orders-sweep', 'x-cloudscheduler-scheduletime': '2026-12-02T02:00:00Z' } })
    expect(response.status).toBe(204)
    expect(at().lines.find((l) => l.message === 'sweeping unpaid orders')).toMatchObject({ schedule: 'orders-sweep', at: '2026-12-02T02:00:00.000Z' })
  })

  it('a CloudEvent without an id is a 400 problem', async () => {
    const response = await fetch(at().url, { method: 'POST', headers: { 'content-type': 'application/json', 'ce-specversion': '1.0', 'ce-source': '//shop', 'ce-type': 'com.example.order.placed' }, body: '{"orderId":"A9","amount":1}' })
    expect(response.status).toBe(400)
    expect(response.headers.get('content-type')).toBe('application/problem+json')
  })
})

describe('the plain server on SIGTERM', () => {
  it('exits 0', async () => {
    const { child } = running.run!
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
  })
})
