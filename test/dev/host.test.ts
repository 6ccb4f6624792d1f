/**
 * The dev server listens on 127.0.0.1, which keeps other machines out but
 * not web pages: a page whose name is rebound to 127.0.0.1 (DNS rebinding)
 * makes the developer's browser send requests with the page's name as
 * `Host`. Only requests naming the server itself (localhost, 127.0.0.1,
 * [::1], with its port or none) reach the target; others get a 403 with a
 * text body that says how to allow a name. Requests go through node:http,
 * because fetch will not send a Host header of the caller's choosing.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { request } from 'node:http'
import { rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDevServer, type DevServer } from '../../src/dev/server.js'
import { buildCli } from './build-cli.js'

interface Answer {
  status: number
  type: string | undefined
  body: string
}

/** A GET of `/` from `port` on 127.0.0.1 with this `Host` header. */
function get(port: number, host: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', headers: { host } }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode!, type: res.headers['content-type'], body }))
    })
    req.on('error', reject)
    req.end()
  })
}

/** An app that counts its requests. */
function countingApp() {
  const seen: string[] = []
  return { seen, target: { fetch: (r: Request) => (seen.push(r.headers.get('host') ?? ''), new Response('served')) } }
}

describe('startDevServer: Host check', () => {
  let server: DevServer
  let port = 0
  const app = countingApp()
  const lines: string[] = []

  beforeAll(async () => {
    server = await startDevServer({ target: app.target, port: 0, print: (line) => lines.push(line) })
    port = Number(new URL(server.url).port)
  })
  afterAll(() => server?.close())

  it.each(['localhost', 'LOCALHOST', '127.0.0.1', '[::1]', 'localhost:PORT', '127.0.0.1:PORT', '[::1]:PORT', 'LocalHost:PORT'])('Host %s reaches the target', async (name) => {
    const host = name.replace('PORT', String(port))
    app.seen.length = 0
    expect(await get(port, host)).toMatchObject({ status: 200, body: 'served' })
    expect(app.seen).toEqual([host])
  })

  it.each([
    'evil.example',
    'evil.example:PORT',
    // The right name with another port is another server.
    'localhost:1',
    '127.0.0.1:1',
    // Names that merely start or end like an allowed one.
    'localhost.evil.example',
    '127.0.0.1.nip.io:PORT',
    'evil-localhost',
    '127.0.0.2:PORT',
    '[::2]:PORT',
    '0.0.0.0:PORT',
  ])('Host %s gets a 403 with a text body, and the target never runs', async (name) => {
    const host = name.replace('PORT', String(port))
    app.seen.length = 0
    lines.length = 0
    const answer = await get(port, host)
    expect(answer.status).toBe(403)
    expect(answer.type).toBe('text/plain; charset=utf-8')
    expect(answer.body).toContain(`Host ${JSON.stringify(host)} is not allowed`)
    expect(answer.body).toContain('--allow-host')
    expect(app.seen).toEqual([])
    expect(lines).toEqual([expect.stringMatching(/^GET \/ -> 403 in [\d.]+ ms \(Host .* not allowed\)$/)])
  })
})

describe('startDevServer: allowedHosts', () => {
  it('lets the names given through, with the port or without, and still refuses others', async () => {
    const app = countingApp()
    const server = await startDevServer({ target: app.target, port: 0, allowedHosts: ['Dev.Example.Test'], print: () => {} })
    try {
      const port = Number(new URL(server.url).port)
      expect((await get(port, 'dev.example.test')).status).toBe(200)
      expect((await get(port, `dev.example.test:${port}`)).status).toBe(200)
      expect((await get(port, `DEV.EXAMPLE.TEST:${port}`)).status).toBe(200)
      expect((await get(port, `localhost:${port}`)).status).toBe(200)
      expect((await get(port, `other.example.test:${port}`)).status).toBe(403)
      expect((await get(port, `sub.dev.example.test:${port}`)).status).toBe(403)
    } finally {
      await server.close()
    }
  })
})

describe('faasade dev --allow-host', () => {
  let cli = ''
  let dir = ''
  let child: ChildProcess | undefined
  const output: string[] = []

  beforeAll(async () => {
    ;({ cli, dir } = await buildCli())
  }, 60_000)
  afterAll(async () => {
    child?.kill('SIGTERM')
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  async function freePort(): Promise<number> {
    return new Promise((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number }
        server.close(() => resolve(port))
      })
    })
  }

  it('is listed in the usage', async () => {
    const usage = await new Promise<string>((resolve) => {
      const help = spawn(process.execPath, [cli, '--help'])
      let out = ''
      help.stdout.on('data', (d: Buffer) => (out += d.toString()))
      help.on('exit', () => resolve(out))
    })
    expect(usage).toContain('--allow-host NAME')
  })

  it('serves a name given with --allow-host (twice), refuses one not given', async () => {
    const app = join(dir, 'app.mjs')
    await writeFile(app, `export default { fetch: () => new Response('served') }\n`)
    const port = await freePort()
    const started = spawn(process.execPath, [cli, 'dev', app, '--port', String(port), '--allow-host', 'one.test', '--allow-host', 'two.test'])
    child = started
    await new Promise<void>((resolve, reject) => {
      started.stderr!.on('data', (d: Buffer) => output.push(d.toString()))
      started.stdout!.on('data', (d: Buffer) => {
        output.push(d.toString())
        if (d.toString().includes('serving')) resolve()
      })
      started.on('exit', (code) => reject(new Error(`dev server exited ${code}: ${output.join('')}`)))
    })
    expect(await get(port, `one.test:${port}`)).toMatchObject({ status: 200, body: 'served' })
    expect(await get(port, 'two.test')).toMatchObject({ status: 200, body: 'served' })
    expect(await get(port, `127.0.0.1:${port}`)).toMatchObject({ status: 200, body: 'served' })
    expect(await get(port, `three.test:${port}`)).toMatchObject({ status: 403 })
  }, 30_000)

  it('without a name after it, is a usage error', async () => {
    const code = await new Promise<number | null>((resolve) => spawn(process.execPath, [cli, 'dev', 'app.mjs', '--allow-host']).on('exit', resolve))
    expect(code).toBe(2)
  })
})
