/**
 * What observability costs a delivery, and what the logger costs a line.
 *
 * Per delivery: one SQS record through the kit's `deliver` (the path every
 * adapter's queue trigger takes), the same handler each time, in variants:
 * - off: the service as given (a Worker that does not opt in);
 * - observed, no importer: as with `@opentelemetry/api` not installed (nothing of it can load);
 * - observed, API installed, no SDK registered (as Lambda, Azure and Cloud Run run by default);
 * - observed, SDK registered (sdk-trace-base, SimpleSpanProcessor, in-memory exporter; the exporter emptied each batch).
 * Each at `warn` (the summary line formatted by no one) and `info` (the
 * summary line written to a sink that drops it). Each variant runs in its
 * own Node process (the API's global registration is per process), with
 * the same rounds; figures are medians of rounds, ratios against "off" of
 * the same run.
 *
 * Per line: `ctx.log.info` with two fields, to a sink that drops the line,
 * against a no-op logger and `console.log` of the same object (standard
 * output to /dev/null).
 *
 * Run: `npm run build && node bench/observability/index.mjs` (about a minute).
 */
import { execFile, spawn } from 'node:child_process'
import { openSync } from 'node:fs'
import { loadavg } from 'node:os'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'

const run = promisify(execFile)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9)
const N = Number(process.env.BENCH_DELIVERIES ?? 20_000)
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2_000)
const dist = resolve(process.env.FAASADE_DIST ?? 'dist')

if (process.argv[2] === 'child') await child(process.argv[3], process.argv[4])
else await main()

async function main() {
  const load = loadavg().map((l) => l.toFixed(1)).join(' ')
  const variants = ['off', 'observed-no-importer', 'observed-api-no-sdk', 'observed-sdk']
  const rows = []
  for (const level of ['warn', 'info']) {
    const base = await measure('off', level)
    for (const variant of variants) {
      const ns = variant === 'off' ? base : await measure(variant, level)
      rows.push(`| ${variant} | ${level} | ${(ns / 1000).toFixed(2)} µs | ${(ns / base).toFixed(2)}× | +${((ns - base) / 1000).toFixed(2)} µs |`)
    }
  }
  const lines = JSON.parse(await lineFigures())
  console.log(`### Observability, per delivery (one SQS record through \`deliver\`), load ${load}, ${ROUNDS} rounds of ${N}\n`)
  console.log('| variant | level | per delivery | ratio to off | over off |\n|---|---|---|---|---|')
  for (const row of rows) console.log(row)
  console.log('\n### The logger, per line (two fields)\n')
  console.log('| logger | per line | ratio to faasade |\n|---|---|---|')
  for (const [name, ns] of Object.entries(lines)) console.log(`| ${name} | ${(ns / 1000).toFixed(2)} µs | ${(ns / lines.faasade).toFixed(2)}× |`)
}

// The logger child's standard output goes to /dev/null (console.log's own cost, not a terminal's); its figures come on stderr.
function lineFigures() {
  return new Promise((resolvePromise, reject) => {
    const childProcess = spawn(process.execPath, [import.meta.filename, 'child', 'lines', 'info'], { stdio: ['ignore', openSync('/dev/null', 'w'), 'pipe'] })
    let err = ''
    childProcess.stderr.on('data', (chunk) => (err += chunk))
    childProcess.on('exit', (code) => (code === 0 ? resolvePromise(err.trim().split('\n').pop()) : reject(new Error(err))))
  })
}

async function measure(variant, level) {
  const { stdout } = await run(process.execPath, [import.meta.filename, 'child', variant, level], { maxBuffer: 1 << 20 })
  return JSON.parse(stdout.trim().split('\n').pop())
}

async function child(variant, level) {
  const core = await import(pathToFileURL(resolve(dist, 'index.js')).href)
  if (variant === 'lines') return lines(core)
  const kit = await import(pathToFileURL(resolve(dist, 'adapter.js')).href)
  const { createLogger, defineHandler } = core
  const log = createLogger({ level, sink: () => {} })
  const handler = defineHandler({ type: 'com.amazonaws.sqs.message', handle: async () => 'ok' })
  let exporter
  if (variant === 'observed-sdk') {
    const { trace } = await import('@opentelemetry/api')
    const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = await import('@opentelemetry/sdk-trace-base')
    exporter = new InMemorySpanExporter()
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }))
  }
  const openTelemetry = variant === 'observed-no-importer' ? undefined : () => import('@opentelemetry/api')
  const target = variant === 'off' ? handler : kit.observed(handler, { cloudProvider: 'aws', cloudPlatform: 'aws_lambda', openTelemetry, describe: () => ({ trigger: 'pubsub', messagingSystem: 'aws_sqs', destination: 'orders' }) })
  const adapter = kit.createAdapter(target, { log }, { name: 'bench', log: () => log })
  const record = { messageId: 'm-1', body: '{}', messageAttributes: { traceparent: { stringValue: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', dataType: 'String' } } }
  const event = core.createEvent({ id: 'm-1', source: 'arn:aws:sqs:us-east-2:123456789012:orders', type: 'com.amazonaws.sqs.message', data: {} })
  const delivery = { trigger: 'sqs', items: [{ event, id: 'm-1', attempt: 1, record }], deadline: Infinity, raw: () => record, invocation: { requestId: 'r-1', coldStart: false } }
  const once = () => kit.deliver(adapter, delivery)
  // Warm up (and, with an SDK, let the first delivery load the API).
  for (let i = 0; i < WARMUP; i++) await once()
  const rounds = []
  for (let r = 0; r < ROUNDS; r++) {
    const started = process.hrtime.bigint()
    for (let i = 0; i < N; i++) await once()
    rounds.push(Number(process.hrtime.bigint() - started) / N)
    exporter?.reset()
  }
  console.log(JSON.stringify(median(rounds)))
}

async function lines(core) {
  const quiet = core.createLogger({ sink: () => {} }).child({ eventId: 'e-1', eventType: 'com.example' })
  const noop = { info() {} }
  const fields = { orderId: 'A1', amount: 42 }
  const variants = {
    faasade: () => quiet.info('charging', fields),
    'no-op logger': () => noop.info('charging', fields),
    'console.log (an object)': () => console.log({ level: 'info', msg: 'charging', eventId: 'e-1', eventType: 'com.example', ...fields }),
  }
  const result = {}
  for (const [name, fn] of Object.entries(variants)) {
    for (let i = 0; i < 20_000; i++) fn()
    const rounds = []
    for (let r = 0; r < ROUNDS; r++) {
      const started = process.hrtime.bigint()
      for (let i = 0; i < N; i++) fn()
      rounds.push(Number(process.hrtime.bigint() - started) / N)
    }
    result[name] = median(rounds)
  }
  process.stderr.write(`${JSON.stringify(result)}\n`)
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}
