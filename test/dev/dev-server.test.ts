/**
 * `faasade dev` as a user runs it: the CLI in its own process, serving the
 * example service, answering plain HTTP and CloudEvents in every mode. Both
 * the CLI and the example are bundled from the sources first (build-cli.ts),
 * so the test never runs a stale dist/.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEvent, encodeBatch, encodeStructured } from 'faasade'
import { buildCli, bundleFromSources } from './build-cli.js'

let child: ChildProcess
let base = ''
let cli = ''
let dir = ''
let service = ''
const output: string[] = []

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

beforeAll(async () => {
  ;({ cli, dir } = await buildCli())
  service = await bundleFromSources('examples/orders/service.ts', dir)
  const port = await freePort()
  child = spawn(process.execPath, [cli, 'dev', `${service}#service`, '--port', String(port)], { env: { ...process.env, LOG_LEVEL: 'info', STRIPE_API_KEY: 'sk_test_dev_server_key' } })
  process.on('exit', () => child.kill())
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => output.push(d.toString()))
    child.stdout!.on('data', (d: Buffer) => {
      output.push(d.toString())
      if (d.toString().includes('serving')) resolve()
    })
    child.on('exit', (code) => reject(new Error(`dev server exited ${code}: ${output.join('')}`)))
  })
  base = `http://127.0.0.1:${port}`
}, 60_000)

afterAll(async () => {
  child?.kill('SIGTERM')
  if (dir) await rm(dir, { recursive: true, force: true })
})

const order = createEvent({ id: 'o-1', source: '/test', type: 'com.example.order.placed', data: { orderId: 'A1', amount: 3 } })

describe('faasade dev', () => {
  it('sends plain HTTP to the Hono app', async () => {
    const response = await fetch(`${base}/orders/42`)
    expect(await response.json()).toEqual({ orderId: '42', status: 'placed' })
  })

  it('takes a binary-mode CloudEvent', async () => {
    const response = await fetch(base, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'ce-specversion': '1.0', 'ce-id': 'b1', 'ce-source': '/curl', 'ce-type': 'com.example.order.placed' },
      body: JSON.stringify({ orderId: 'B1', amount: 1 }),
    })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ orderId: 'B1', charged: true })
  })

  it('replays a redelivered event without running the handler again (idempotency, memory store)', async () => {
    const send = () =>
      fetch(base, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'ce-specversion': '1.0', 'ce-id': 'dup-1', 'ce-source': '/curl', 'ce-type': 'com.example.order.placed' },
        body: JSON.stringify({ orderId: 'D1', amount: 1 }),
      })
    const first = await send()
    const second = await send()
    expect(await second.json()).toEqual(await first.json())
    await new Promise((r) => setTimeout(r, 50))
    expect(output.join('').match(/"msg":"charging","eventId":"dup-1"/g)).toHaveLength(1)
  })

  it('takes structured and batch mode', async () => {
    const structured = encodeStructured(order)
    const one = await fetch(base, { method: 'POST', headers: structured.headers, body: structured.body as string })
    expect(await one.json()).toEqual({ orderId: 'A1', charged: true })
    const batch = encodeBatch([order, { ...order, id: 'o-2', data: { orderId: 'blocked', amount: 1 } } as typeof order])
    const many = await fetch(base, { method: 'POST', headers: batch.headers, body: batch.body as string })
    expect(many.status).toBe(422)
    const items = (await many.json()) as Array<{ id: string; outcome: string }>
    expect(items.map((i) => [i.id, i.outcome])).toEqual([['o-1', 'ok'], ['o-2', 'drop']])
  })

  it('answers a malformed CloudEvent with a 400 problem', async () => {
    const response = await fetch(base, { method: 'POST', headers: { 'ce-specversion': '1.0', 'ce-id': 'x', 'ce-type': 't' }, body: '' })
    expect(response.status).toBe(400)
    expect(response.headers.get('content-type')).toBe('application/problem+json')
    expect(((await response.json()) as { detail: string }).detail).toContain('source')
  })

  it('loads the secret from the environment and never logs it', () => {
    const logs = output.join('')
    expect(logs).toContain('"stripe":"[redacted]"')
    expect(logs).not.toContain('sk_test_dev_server_key')
  })

  it('prints one readable line a request', () => {
    const lines = output.join('').split('\n')
    expect(lines.some((l) => /^GET \/orders\/42 \[http\] -> 200 in [\d.]+ ms$/.test(l))).toBe(true)
    expect(lines.some((l) => /^POST \/ \[CloudEvent binary com\.example\.order\.placed\] -> 200/.test(l))).toBe(true)
    expect(lines.some((l) => /^POST \/ \[CloudEvent batch\] -> 422/.test(l))).toBe(true)
  })
})

describe('faasade dev, bad invocations', () => {
  it('explains its usage', async () => {
    const run = spawn(process.execPath, [cli])
    let err = ''
    run.stderr.on('data', (d: Buffer) => (err += d.toString()))
    const code = await new Promise((resolve) => run.on('exit', resolve))
    expect(code).toBe(2)
    expect(err).toContain('Usage: faasade dev')
  })

  it('names the exports when the one to serve is ambiguous or missing', async () => {
    const run = spawn(process.execPath, [cli, 'dev', `${service}#nope`])
    let err = ''
    run.stderr.on('data', (d: Buffer) => (err += d.toString()))
    const code = await new Promise((resolve) => run.on('exit', resolve))
    expect(code).toBe(1)
    expect(err).toMatch(/no export "nope" that is a handler, service or HTTP app \(targets: default, service\)/)
  })
})
