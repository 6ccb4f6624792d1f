/**
 * The Cloud Run bench: `faasade/cloud-run`'s two doors under load on
 * loopback, beside bare node:http, Hono on @hono/node-server and the
 * functions framework's own `cloudEvent` function; and their startup.
 *
 * - Throughput (wrk -t1 -c50, BENCH_WRK_SECONDS = 10 s a run): one
 *   binary-mode CloudEvent POST with a JSON body (post.lua), answered 200
 *   with a small JSON object (servers/work.mjs). Each server is its own
 *   Node process (NODE_ENV=production) on 127.0.0.1, started once, warmed
 *   up (BENCH_WARMUP_SECONDS = 3 s of wrk), then measured in
 *   BENCH_ROUNDS (5) rounds with the servers in a rotating order, one under
 *   load at a time. Every reply is checked once before the load (status,
 *   content type, body). Ratios are medians of per-round ratios.
 * - Startup: a fresh process each, spawn to the first 200 for that same
 *   POST (the parent retries the connection every millisecond until the
 *   server listens), BENCH_STARTUP_SAMPLES (11) of each kind interleaved;
 *   "over empty" subtracts the median of `node -e 0` (spawn to exit).
 *
 * faasade is loaded from a copy of the built dist/ (a package in
 * .bench-tmp/cloud-run/node_modules/faasade), so one run measures one build.
 *
 * Run: `node bench/cloud-run/index.mjs [distDir] [--write]` after the build
 * (`npm run build`, or `npx tsup`); `--write` also writes
 * bench/cloud-run/RESULTS.md. Needs `wrk` on the PATH.
 */
import { execFile, execFileSync, spawn, spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { createServer as netServer } from 'node:net'
import { cpus, loadavg } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { fmt, median, range, table } from '../core/stats.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..', '..')
const work = join(root, '.bench-tmp', 'cloud-run')
const args = process.argv.slice(2)
const write = args.includes('--write')
const distArg = resolve(args.find((a) => !a.startsWith('--')) ?? 'dist')
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const WRK_SECONDS = Number(process.env.BENCH_WRK_SECONDS ?? 10)
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3)
const STARTUP_SAMPLES = Number(process.env.BENCH_STARTUP_SAMPLES ?? 11)

const BODY = readFileSync(join(here, 'post.lua'), 'utf8').match(/wrk\.body = '([^']*)'/)[1]
const HEADERS = {
  'content-type': 'application/json',
  'ce-specversion': '1.0',
  'ce-id': 'bench-0001',
  'ce-source': '//bench.example.com/orders',
  'ce-type': 'com.example.order.placed',
}
const EXPECTED = JSON.stringify({ ok: true, id: 'bench-0001', orderId: 'A-1042', total: 58.5 })

const ffMain = join(root, 'node_modules', '@google-cloud', 'functions-framework', 'build', 'src', 'main.js')
const version = (pkg) => JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')).version

/** The servers, each as `node ...args(port)`. */
const SERVERS = [
  { id: 'bare', label: 'bare node:http', args: () => [join(work, 'servers', 'bare.mjs')] },
  { id: 'hono', label: 'Hono on @hono/node-server', args: () => [join(work, 'servers', 'hono.mjs')] },
  { id: 'ff', label: 'functions framework `cloudEvent` function (CLI)', args: (port) => ff('ff-cloudevent.mjs', 'cloudevent', port) },
  { id: 'serve', label: 'faasade `serve()`', args: () => [join(work, 'servers', 'faasade-serve.mjs')] },
  { id: 'ffFaasade', label: 'faasade `toHttpFunction` on the framework (CLI)', args: (port) => ff('ff-faasade.mjs', 'http', port) },
]
const byId = Object.fromEntries(SERVERS.map((s) => [s.id, s]))

function ff(file, signature, port) {
  return [ffMain, '--target=bench', `--signature-type=${signature}`, `--source=${join(work, 'servers', file)}`, `--port=${port}`]
}

/** A package of its own for faasade (the built copy), and the servers beside it, outside the repository's package scope. */
function prepare(distDir) {
  if (!existsSync(join(distDir, 'cloud-run.js'))) throw new Error(`${distDir}/cloud-run.js is missing: build first (\`npm run build\`)`)
  rmSync(work, { recursive: true, force: true })
  const pkgDir = join(work, 'node_modules', 'faasade')
  mkdirSync(pkgDir, { recursive: true })
  cpSync(distDir, join(pkgDir, 'dist'), { recursive: true })
  cpSync(join(root, 'package.json'), join(pkgDir, 'package.json'))
  // Without a package.json of its own here, `faasade` would self-resolve to the repository's dist/.
  writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'faasade-bench-cloud-run', private: true, type: 'module' }))
  mkdirSync(join(work, 'servers'))
  for (const file of readdirSync(join(here, 'servers'))) cpSync(join(here, 'servers', file), join(work, 'servers', file))
}

function freePort() {
  return new Promise((ok, fail) => {
    const s = netServer()
    s.once('error', fail)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => ok(port))
    })
  })
}

function start(server, port) {
  const child = spawn(process.execPath, server.args(port), {
    cwd: work,
    env: { ...process.env, PORT: String(port), NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  child.stderrText = ''
  child.stderr.on('data', (c) => (child.stderrText = (child.stderrText + c).slice(-4000)))
  child.exited = new Promise((ok) => child.once('exit', ok))
  return child
}

async function stop(child) {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  await child.exited
}

/** One POST of the benchmark's CloudEvent: status, content type, body. */
function post(port) {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers: { ...HEADERS, 'content-length': Buffer.byteLength(BODY) }, agent: false }, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => ok({ status: res.statusCode, type: res.headers['content-type'], body: Buffer.concat(chunks).toString('utf8'), headers: res.rawHeaders.length / 2 }))
    })
    req.on('error', fail)
    req.end(BODY)
  })
}

/** Retries every millisecond until the server answers 200; resolves with that answer. */
async function first200(port, child, limitMs = 20_000) {
  const started = Date.now()
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited ${child.exitCode}: ${child.stderrText}`)
    try {
      const reply = await post(port)
      if (reply.status === 200) return reply
    } catch (error) {
      if (error.code !== 'ECONNREFUSED' && error.code !== 'ECONNRESET') throw error
    }
    if (Date.now() - started > limitMs) throw new Error(`no 200 within ${limitMs} ms: ${child.stderrText}`)
    await new Promise((ok) => setTimeout(ok, 1))
  }
}

function wrk(port, seconds) {
  return new Promise((ok, fail) => {
    execFile('wrk', ['-t1', '-c50', `-d${seconds}s`, '--timeout', '5s', '-s', join(here, 'post.lua'), `http://127.0.0.1:${port}/`], { timeout: (seconds + 30) * 1000 }, (error, stdout) => {
      if (error) return fail(error)
      const line = stdout.split('\n').find((l) => l.startsWith('WRK_JSON '))
      if (!line) return fail(new Error(`no figures from wrk:\n${stdout}`))
      const r = JSON.parse(line.slice(9))
      r.rps = r.requests / (r.duration_us / 1e6)
      r.errors = r.status + r.connect + r.read + r.write + r.timeout
      ok(r)
    })
  })
}

async function throughput() {
  const running = {}
  try {
    for (const server of SERVERS) {
      const port = await freePort()
      const child = start(server, port)
      const reply = await first200(port, child)
      if (!/^application\/json/.test(reply.type ?? '') || JSON.stringify(JSON.parse(reply.body)) !== EXPECTED) {
        throw new Error(`${server.id} answered ${reply.status} ${reply.type} ${reply.body}`)
      }
      running[server.id] = { port, child, reply }
    }
    for (const server of SERVERS) await wrk(running[server.id].port, WARMUP_SECONDS)
    const rounds = []
    for (let round = 0; round < ROUNDS; round++) {
      const order = SERVERS.map((_, i) => SERVERS[(i + round) % SERVERS.length])
      const figures = {}
      for (const server of order) {
        figures[server.id] = await wrk(running[server.id].port, WRK_SECONDS)
        process.stderr.write(`round ${round + 1}/${ROUNDS} ${server.id}: ${fmt.int(figures[server.id].rps)} req/s, p99 ${(figures[server.id].p99_us / 1000).toFixed(2)} ms\n`)
      }
      rounds.push(figures)
    }
    const replies = Object.fromEntries(SERVERS.map((s) => [s.id, { type: running[s.id].reply.type, bytes: Buffer.byteLength(running[s.id].reply.body), headers: running[s.id].reply.headers }]))
    return { rounds, replies }
  } finally {
    await Promise.all(Object.values(running).map((r) => stop(r.child)))
  }
}

function emptyProcess() {
  return new Promise((ok, fail) => {
    const t0 = process.hrtime.bigint()
    const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' })
    child.on('error', fail)
    child.on('exit', () => ok(Number(process.hrtime.bigint() - t0) / 1e6))
  })
}

async function startupOnce(server) {
  const port = await freePort()
  const t0 = process.hrtime.bigint()
  const child = start(server, port)
  try {
    await first200(port, child)
    return Number(process.hrtime.bigint() - t0) / 1e6
  } finally {
    await stop(child)
  }
}

const STARTUP_KINDS = ['empty', 'bare', 'serve', 'ff', 'ffFaasade']

async function startup() {
  const samples = Object.fromEntries(STARTUP_KINDS.map((k) => [k, []]))
  for (const kind of STARTUP_KINDS) await (kind === 'empty' ? emptyProcess() : startupOnce(byId[kind])) // warm the file cache
  for (let i = 0; i < STARTUP_SAMPLES; i++) {
    const order = STARTUP_KINDS.map((_, j) => STARTUP_KINDS[(j + i) % STARTUP_KINDS.length])
    for (const kind of order) samples[kind].push(await (kind === 'empty' ? emptyProcess() : startupOnce(byId[kind])))
  }
  return samples
}

const met = (ok) => (ok ? 'met' : '**not met**')

function report(run) {
  const { rounds, replies } = run.throughput
  const ids = SERVERS.map((s) => s.id)
  const med = (id, key) => median(rounds.map((r) => r[id][key]))
  const ratio = (id, base, key) => median(rounds.map((r) => r[id][key] / r[base][key]))
  const ms = (us) => (us / 1000).toFixed(2)
  const errors = (id) => rounds.reduce((n, r) => n + r[id].errors, 0)
  const s = run.startup
  const empty = median(s.empty)
  const over = (k) => median(s[k]) - empty
  const serveRps = ratio('serve', 'bare', 'rps')
  const serveP99 = ratio('serve', 'bare', 'p99_us')
  const doorRps = ratio('ffFaasade', 'ff', 'rps')
  const startRatio = over('serve') / over('ff')

  const lines = []
  lines.push(`## Summary\n`)
  lines.push(
    table(
      ['figure', 'result', 'goal', ''],
      [
        ['`serve()` requests/s vs bare node:http', fmt.ratio(serveRps), '≥ 0.7x', met(serveRps >= 0.7)],
        ['`serve()` p99 latency vs bare node:http', fmt.ratio(serveP99), '≤ 2x', met(serveP99 <= 2)],
        ['`toHttpFunction` on the framework vs its `cloudEvent` function, requests/s', fmt.ratio(doorRps), '≥ 0.95x', met(doorRps >= 0.95)],
        ['startup over an empty process, `serve()` vs the framework CLI', `${fmt.ratio(startRatio)} (${fmt.ms(over('serve'))} vs ${fmt.ms(over('ff'))})`, '≤ 0.3x', met(startRatio <= 0.3)],
      ],
    ),
  )
  lines.push(`\n## Throughput and latency\n`)
  lines.push(`wrk -t1 -c50 -d${WRK_SECONDS}s, ${ROUNDS} rounds in rotating order; medians across rounds; ratios are medians of per-round ratios to bare node:http (the last column: to the framework's \`cloudEvent\` function).\n`)
  lines.push(
    table(
      ['server', 'requests/s', 'vs bare', 'p50 ms', 'p99 ms', 'p99 vs bare', 'vs framework `cloudEvent`', 'non-2xx + socket errors', 'reply'],
      ids.map((id) => [
        byId[id].label,
        fmt.int(med(id, 'rps')),
        fmt.ratio(ratio(id, 'bare', 'rps')),
        ms(med(id, 'p50_us')),
        ms(med(id, 'p99_us')),
        fmt.ratio(ratio(id, 'bare', 'p99_us')),
        id === 'ff' || id === 'ffFaasade' ? fmt.ratio(ratio(id, 'ff', 'rps')) : '',
        String(errors(id)),
        `${replies[id].type}, ${replies[id].bytes} B, ${replies[id].headers} headers`,
      ]),
    ),
  )
  lines.push(`\nPer round (requests/s):\n`)
  lines.push(table(['round', ...ids], rounds.map((r, i) => [String(i + 1), ...ids.map((id) => fmt.int(r[id].rps))])))
  lines.push(`\n## Startup, spawn to first 200\n`)
  lines.push(`${STARTUP_SAMPLES} fresh processes of each kind, interleaved; medians. The empty process is \`node -e 0\`, spawn to exit.\n`)
  lines.push(
    table(
      ['process', 'median', 'min–max', 'over empty'],
      STARTUP_KINDS.map((k) => {
        const [lo, hi] = range(s[k])
        return [k === 'empty' ? 'empty (`node -e 0`)' : byId[k].label.replace('`cloudEvent` function (CLI)', 'CLI, `cloudEvent` function'), fmt.ms(median(s[k])), `${lo.toFixed(1)}–${hi.toFixed(1)}`, k === 'empty' ? '' : fmt.ms(over(k))]
      }),
    ),
  )
  return lines.join('\n')
}

if (spawnSync('wrk', ['-v']).error) throw new Error('wrk is not on the PATH (Debian, Ubuntu: apt-get install wrk)')
prepare(distArg)
const cpu = cpus()
const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim()
// `wrk -v` prints its version and exits 1.
const wrkVersion = (spawnSync('wrk', ['-v'], { encoding: 'utf8' }).stdout ?? '').split('\n')[0].split(' [')[0] || 'wrk'
const header = {
  date: new Date().toISOString(),
  machine: `${cpu.length} cores (${cpu[0]?.model ?? 'unknown CPU'}), ${process.platform}/${process.arch}`,
  node: process.version,
  versions: `faasade ${JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version} (the dist measured; HEAD was ${commit} when the run started), @google-cloud/functions-framework ${version('@google-cloud/functions-framework')}, hono ${version('hono')}, @hono/node-server ${version('@hono/node-server')}, ${wrkVersion}`,
  loadStart: loadavg(),
}
const run = { header, throughput: await throughput(), startup: await startup() }
run.header.loadEnd = loadavg()
writeFileSync(join(work, 'results.json'), JSON.stringify(run, null, 2))

const load = (l) => l.map((n) => n.toFixed(2)).join(' / ')
const intro = [
  `- **Date**: ${header.date}`,
  `- **Machine**: ${header.machine}, shared with other work: load average ${load(header.loadStart)} at the start, ${load(header.loadEnd)} at the end`,
  `- **Node**: ${header.node}; servers run with NODE_ENV=production`,
  `- **Versions**: ${header.versions}`,
].join('\n')
const body = report(run)
console.log(`${intro}\n\n${body}`)
if (write) {
  const file = join(here, 'RESULTS.md')
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '<!-- figures -->\n<!-- /figures -->\n'
  const [from, to] = [text.indexOf('<!-- figures -->'), text.indexOf('<!-- /figures -->')]
  writeFileSync(file, `${text.slice(0, from)}<!-- figures -->\n\n${intro}\n\n${body}\n\n${text.slice(to)}`)
}
