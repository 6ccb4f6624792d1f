/**
 * SIGTERM, as Cloud Run sends it before stopping an instance (SIGKILL
 * follows 10 s later), on a real process: a user's entry file bundled with
 * esbuild and run by node, listening on 127.0.0.1. The request in flight
 * gets its own 200, a new connection is refused, the shutdown hook runs,
 * and the process exits 0 well within the bound.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as esbuild from 'esbuild'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../', import.meta.url))
let dir: string
let script: string
let bundled: string[]
const children: ChildProcess[] = []

/** Resolves `faasade` and `faasade/cloud-run` to the sources, as the exports map would to dist/. */
const faasadeSources: esbuild.Plugin = {
  name: 'faasade-sources',
  setup(build) {
    build.onResolve({ filter: /^faasade(\/cloud-run)?$/ }, (args) => ({ path: join(root, args.path === 'faasade' ? 'src/index.ts' : 'adapters/cloud-run/index.ts') }))
  },
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'faasade-cloud-run-'))
  script = join(dir, 'server.mjs')
  const { metafile } = await esbuild.build({
    metafile: true,
    entryPoints: [join(root, 'test/cloud-run/fixtures/draining-server.ts')],
    outfile: script,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'silent',
    plugins: [faasadeSources],
  })
  bundled = Object.keys(metafile.inputs)
})

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
})

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
})

interface Running {
  readonly child: ChildProcess
  readonly port: number
  readonly lines: Array<Record<string, unknown>>
  readonly exited: Promise<{ code: number | null; at: number }>
}

async function start(env: Record<string, string>): Promise<Running> {
  const child = spawn(process.execPath, [script], { env: { ...process.env, PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
  children.push(child)
  const lines: Array<Record<string, unknown>> = []
  const exited = new Promise<{ code: number | null; at: number }>((resolve) => child.once('exit', (code) => resolve({ code, at: Date.now() })))
  const port = await new Promise<number>((resolve, reject) => {
    let buffered = ''
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8')
      let newline: number
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = JSON.parse(buffered.slice(0, newline)) as Record<string, unknown>
        buffered = buffered.slice(newline + 1)
        lines.push(line)
        if (typeof line.listening === 'number') resolve(line.listening)
      }
    })
    child.once('exit', (code) => reject(new Error(`the server exited (${code}) before listening`)))
  })
  return { child, port, lines, exited }
}

/** A GET on its own connection: the status and body, or the connection's error. */
function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode!, body }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Until `count` lines match (the machine may be slow: no fixed sleep). */
async function lines(server: Running, count: number, match: (line: Record<string, unknown>) => boolean): Promise<void> {
  while (server.lines.filter(match).length < count) await sleep(10)
}
const started = (line: Record<string, unknown>) => typeof line.started === 'string'
const shuttingDown = (line: Record<string, unknown>) => line.message === 'shutting down'

describe('the plain server door', () => {
  it('bundles no Google package and no Express: the functions-framework door only names their types', () => {
    expect(bundled.some((path) => path.includes('adapters/cloud-run/server.ts'))).toBe(true)
    expect(bundled.filter((path) => /node_modules\/(@google-cloud|express|body-parser)\//.test(path))).toEqual([])
  })
})

describe('SIGTERM', () => {
  it('lets the request in flight finish, refuses new connections, runs the hook, exits 0', async () => {
    const server = await start({ SLOW_MS: '600' })
    const inFlight = get(server.port, '/slow')
    await lines(server, 1, started)
    const signalled = Date.now()
    server.child.kill('SIGTERM')
    await lines(server, 1, shuttingDown)
    await expect(get(server.port, '/slow')).rejects.toMatchObject({ code: 'ECONNREFUSED' })
    expect(await inFlight).toEqual({ status: 200, body: 'done' })
    const { code, at } = await server.exited
    expect(code).toBe(0)
    // The request had about 450 ms left; then the hook's 20 ms.
    expect(at - signalled).toBeLessThan(2_000)
    expect(server.lines.some((l) => l.hook === 'ran')).toBe(true)
    expect(server.lines.some((l) => l.severity === 'INFO' && l.message === 'shutting down' && l.signal === 'SIGTERM')).toBe(true)
  })

  it('answers every request in flight with its own status, where bare Node, Hono and the framework drop or fail them', async () => {
    const server = await start({ SLOW_MS: '600' })
    const inFlight = [get(server.port, '/slow'), get(server.port, '/slow/503'), get(server.port, '/slow/422'), get(server.port, '/slow/201')]
    await lines(server, 4, started)
    server.child.kill('SIGTERM')
    expect(await Promise.all(inFlight)).toEqual([200, 503, 422, 201].map((status) => ({ status, body: 'done' })))
    expect((await server.exited).code).toBe(0)
  })

  it('exits promptly with nothing in flight, keep-alive connections or not', async () => {
    const server = await start({})
    // A keep-alive connection left idle must not hold the close up.
    const { Agent } = await import('node:http')
    const agent = new Agent({ keepAlive: true })
    await new Promise<void>((resolve, reject) => request({ host: '127.0.0.1', port: server.port, path: '/_health/ready', agent }, (res) => res.resume().on('end', resolve)).on('error', reject).end())
    const signalled = Date.now()
    server.child.kill('SIGTERM')
    const { code, at } = await server.exited
    agent.destroy()
    expect(code).toBe(0)
    expect(at - signalled).toBeLessThan(1_000)
  })

  it('closes a request still running at drainTimeoutMs and exits', async () => {
    const server = await start({ SLOW_MS: '10000', DRAIN_MS: '300' })
    const inFlight = get(server.port, '/slow')
    await lines(server, 1, started)
    const signalled = Date.now()
    server.child.kill('SIGTERM')
    await expect(inFlight).rejects.toThrow()
    const { code, at } = await server.exited
    expect(code).toBe(0)
    expect(at - signalled).toBeLessThan(1_500)
    expect(server.lines.some((l) => l.severity === 'WARNING' && l.drainTimeoutMs === 300)).toBe(true)
  })
})
