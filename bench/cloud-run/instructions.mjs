/**
 * Instructions a request, for figures a shared, noisy machine cannot blur
 * (wrk's requests/s moved by 2x from run to run at a load average of 17 on
 * 2 cores): each server runs under callgrind in a fresh process, answers
 * N and then 6N requests of the bench's POST (10 at a time, keep-alive,
 * from a client outside callgrind) and exits (exit-after.mjs); the
 * difference of the two counts divided by 5N cancels the start-up. Only
 * the server's user-space instructions are counted: the kernel's share of
 * a request (the socket calls) is not, so the ratios are those of the
 * servers' own work, and the wrk figures stay the ones the goals name.
 *
 *   node bench/cloud-run/instructions.mjs [N] [name=file[:http|cloudevent] ...]
 *
 * Without servers, the bench's own (servers/*.mjs, importing the built
 * `faasade` from dist/ through the package's self-reference): bare node:http,
 * serve(), the framework's cloudEvent function and toHttpFunction on the
 * framework. A file with `:http` or `:cloudevent` runs under the framework's
 * CLI with that signature. Needs valgrind on the PATH.
 */
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { createServer } from 'node:net'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..', '..')
const ffMain = join(root, 'node_modules', '@google-cloud', 'functions-framework', 'build', 'src', 'main.js')
const BODY = readFileSync(join(here, 'post.lua'), 'utf8').match(/wrk\.body = '([^']*)'/)[1]
const HEADERS = { 'content-type': 'application/json', 'ce-specversion': '1.0', 'ce-id': 'bench-0001', 'ce-source': '//bench.example.com/orders', 'ce-type': 'com.example.order.placed' }

const args = process.argv.slice(2)
const N = Number(args.find((a) => /^\d+$/.test(a)) ?? 200)
const given = args.filter((a) => a.includes('='))
const servers = given.length > 0
  ? given.map((a) => {
      const [name, spec] = a.split('=')
      const [file, signature] = spec.split(':')
      return { name, file: resolve(file), signature }
    })
  : [
      { name: 'bare node:http', file: join(here, 'servers', 'bare.mjs') },
      { name: 'faasade serve()', file: join(here, 'servers', 'faasade-serve.mjs') },
      { name: 'framework cloudEvent', file: join(here, 'servers', 'ff-cloudevent.mjs'), signature: 'cloudevent' },
      { name: 'faasade toHttpFunction', file: join(here, 'servers', 'ff-faasade.mjs'), signature: 'http' },
    ]

const freePort = () =>
  new Promise((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => done(port))
    })
  })

/** callgrind's count for one server process answering `n` requests. */
async function collected(server, n) {
  const port = await freePort()
  const node = [process.execPath, '--v8-pool-size=0', '--single-threaded', '--import', join(here, 'exit-after.mjs')]
  const command = server.signature ? [...node, ffMain, '--target=bench', `--signature-type=${server.signature}`, `--source=${server.file}`] : [...node, server.file]
  const child = spawn('valgrind', ['--tool=callgrind', '--callgrind-out-file=/dev/null', ...command], {
    cwd: dirname(server.file),
    env: { ...process.env, PORT: String(port), NODE_ENV: 'production', EXIT_AFTER: String(n) },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (chunk) => (stderr += chunk))
  const exited = new Promise((done) => child.on('exit', (code) => done(code)))
  await load(port, n)
  const code = await exited
  const match = /Collected : (\d+)/.exec(stderr)
  if (code !== 0 || !match) throw new Error(`callgrind failed for ${server.name} (exit ${code}):\n${stderr.slice(-2000)}`)
  return Number(match[1])
}

/** Sends `n` requests, 10 at a time on keep-alive connections, once the server listens. */
async function load(port, n) {
  const agent = new Agent({ keepAlive: true, maxSockets: 10 })
  const guarded = new WeakSet()
  const once = () =>
    new Promise((done, fail) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers: HEADERS, agent }, (res) => {
        res.resume()
        res.on('end', () => (res.statusCode === 200 ? done() : fail(new Error(`status ${res.statusCode}`))))
      })
      req.on('error', fail)
      // The server exits after its last reply: a kept-alive socket then resets, which is no failure.
      req.once('socket', (socket) => guarded.has(socket) || (guarded.add(socket), socket.on('error', () => {})))
      req.end(BODY)
    })
  // The first request waits for the server (valgrind starts it slowly).
  for (let tries = 0; ; tries++) {
    try {
      await once()
      break
    } catch (error) {
      if (tries > 1200) throw error
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  let sent = 1
  const worker = async () => {
    while (sent < n) {
      sent++
      await once()
    }
  }
  await Promise.all(Array.from({ length: 10 }, worker))
  agent.destroy()
}

// A server slowed 50x by callgrind sometimes resets a kept-alive socket as it exits, on a path
// no listener above catches: that ends a measurement that is complete, and nothing else.
process.on('uncaughtException', (error) => {
  if (error.code !== 'ECONNRESET') throw error
})

const rows = []
for (const server of servers) {
  const few = await collected(server, N)
  const many = await collected(server, 6 * N)
  rows.push({ server: server.name, instructionsPerRequest: Math.round((many - few) / (5 * N)) })
  console.error(`${server.name}: ${rows.at(-1).instructionsPerRequest}`)
}
console.log(JSON.stringify({ n: N, rows }, null, 2))
