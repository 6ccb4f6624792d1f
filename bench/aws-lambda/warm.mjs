/**
 * Warm invocations, in one process, side by side on the same events:
 * - a 10-record SQS batch with one failing record: a raw handler (a loop
 *   with try/catch), the same inside @middy/core, Powertools' BatchProcessor
 *   + processPartialResponse, and `toLambda`; every variant does the same
 *   work a record (parse the JSON body, fail on one order);
 * - an API Gateway v2 request through one Hono app: Hono's own
 *   `hono/aws-lambda` `handle` and `toLambda(app)`.
 *
 * Method (as bench/core/overhead.mjs): each variant warms up, then ROUNDS
 * rounds; within a round the variants of a group run one batch each (a
 * batch lasts about BATCH_MS), in an order that rotates from round to round.
 * Figures: median time a call, and the median of the per-round ratios.
 *
 * Run as a child of bench/aws-lambda/index.mjs with the dist directory to
 * load faasade from; prints its figures as JSON.
 */
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { apiGatewayV2, lambdaContext, sqsBatch } from './functions.mjs'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15)
const BATCH_MS = Number(process.env.BENCH_BATCH_MS ?? 150)
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 1000)

const distDir = resolve(process.argv[2] ?? 'dist')
const { createLogger, defineHandler } = await import(pathToFileURL(resolve(distDir, 'index.js')).href)
const { toLambda } = await import(pathToFileURL(resolve(distDir, 'aws-lambda.js')).href)
const { default: middy } = await import('@middy/core')
const { BatchProcessor, EventType, processPartialResponse } = await import('@aws-lambda-powertools/batch')
const { Hono } = await import('hono')
const { handle } = await import('hono/aws-lambda')

// --- the same work a record, for every batch variant ---------------------------
const OK = Object.freeze({ ok: true })
async function work(order) {
  if (order.orderId === 'bad') throw new Error('this order fails')
  return OK
}

const rawBatch = async (event) => {
  const batchItemFailures = []
  for (const record of event.Records) {
    try {
      await work(JSON.parse(record.body))
    } catch {
      batchItemFailures.push({ itemIdentifier: record.messageId })
    }
  }
  return { batchItemFailures }
}
const middyBatch = middy(rawBatch)
const processor = new BatchProcessor(EventType.SQS)
const powertoolsBatch = (event, context) => processPartialResponse(event, (record) => work(JSON.parse(record.body)), processor, { context })
// faasade logs each failed record as one JSON line: formatted here, written nowhere (a bench must not flood stdout).
const quiet = createLogger({ sink: () => {} })
const faasadeBatch = toLambda(defineHandler({ handle: (event) => work(event.data) }), { log: quiet })
// For the breakdown, not the goal: a user's Logger that writes nothing, so the failure costs no line at all (as in Powertools, which logs none).
const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent }
const faasadeUnlogged = toLambda(defineHandler({ handle: (event) => work(event.data) }), { log: silent })

const app = new Hono().get('/', (c) => c.json({ hello: 'world' }))
const honoOwn = handle(app)
const honoFaasade = toLambda(app, { log: quiet })

const batchEvent = sqsBatch()
const okBatchEvent = sqsBatch(10, -1)
const httpEvent = apiGatewayV2()
const context = lambdaContext()

// Each variant its own loop, so that no call site is shared between them.
export const GROUPS = {
  sqs: {
    raw: { label: 'raw handler (loop + try/catch)', loop: async (n) => { for (let i = 0; i < n; i++) await rawBatch(batchEvent, context) } },
    middy: { label: '@middy/core around the raw handler', loop: async (n) => { for (let i = 0; i < n; i++) await middyBatch(batchEvent, context) } },
    powertools: { label: 'Powertools BatchProcessor + processPartialResponse', loop: async (n) => { for (let i = 0; i < n; i++) await powertoolsBatch(batchEvent, context) } },
    faasade: { label: 'faasade `toLambda(handler)`', loop: async (n) => { for (let i = 0; i < n; i++) await faasadeBatch(batchEvent, context) } },
    faasadeUnlogged: { label: 'faasade `toLambda(handler)` with a Logger that writes nothing (breakdown only)', loop: async (n) => { for (let i = 0; i < n; i++) await faasadeUnlogged(batchEvent, context) } },
  },
  // The same batches with no failing record: what mapping and running ten records cost, failures aside.
  sqsAllOk: {
    raw: { label: 'raw handler, no failure', loop: async (n) => { for (let i = 0; i < n; i++) await rawBatch(okBatchEvent, context) } },
    powertools: { label: 'Powertools, no failure', loop: async (n) => { for (let i = 0; i < n; i++) await powertoolsBatch(okBatchEvent, context) } },
    faasade: { label: 'faasade `toLambda(handler)`, no failure', loop: async (n) => { for (let i = 0; i < n; i++) await faasadeBatch(okBatchEvent, context) } },
  },
  http: {
    honoOwn: { label: "Hono's `handle(app)`", loop: async (n) => { for (let i = 0; i < n; i++) await honoOwn(httpEvent, context) } },
    honoFaasade: { label: 'faasade `toLambda(app)`', loop: async (n) => { for (let i = 0; i < n; i++) await honoFaasade(httpEvent, context) } },
  },
}

async function check() {
  const expected = JSON.stringify({ batchItemFailures: [{ itemIdentifier: batchEvent.Records[4].messageId }] })
  for (const [name, fn] of Object.entries({ raw: rawBatch, middy: middyBatch, powertools: powertoolsBatch, faasade: faasadeBatch })) {
    const reply = JSON.stringify(await fn(batchEvent, context))
    if (reply !== expected) throw new Error(`${name} replied ${reply}, not ${expected}`)
  }
  for (const [name, fn] of Object.entries({ honoOwn, honoFaasade })) {
    const reply = await fn(httpEvent, context)
    if (reply.statusCode !== 200 || reply.body !== '{"hello":"world"}') throw new Error(`${name} replied ${JSON.stringify(reply)}`)
  }
}

async function calibrate(loop) {
  let n = 1
  for (;;) {
    const start = performance.now()
    await loop(n)
    const elapsed = performance.now() - start
    if (elapsed >= BATCH_MS / 4) return Math.max(1, Math.round((n * BATCH_MS) / elapsed))
    n *= 4
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

async function runGroup(variants) {
  const names = Object.keys(variants)
  const sizes = {}
  for (const name of names) {
    const end = performance.now() + WARMUP_MS
    while (performance.now() < end) await variants[name].loop(50)
    sizes[name] = await calibrate(variants[name].loop)
  }
  const perCall = Object.fromEntries(names.map((name) => [name, []]))
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length]
      const start = performance.now()
      await variants[name].loop(sizes[name])
      perCall[name].push(((performance.now() - start) * 1000) / sizes[name]) // µs a call
    }
  }
  return Object.fromEntries(names.map((name) => [name, { label: variants[name].label, usPerCall: median(perCall[name]), rounds: perCall[name] }]))
}

await check()
const results = {}
for (const [group, variants] of Object.entries(GROUPS)) results[group] = await runGroup(variants)
const ratio = (group, a, b) => median(results[group][a].rounds.map((t, i) => t / results[group][b].rounds[i]))
results.ratios = {
  faasadeVsPowertools: ratio('sqs', 'faasade', 'powertools'),
  faasadeVsRaw: ratio('sqs', 'faasade', 'raw'),
  faasadeVsMiddy: ratio('sqs', 'faasade', 'middy'),
  unloggedVsPowertools: ratio('sqs', 'faasadeUnlogged', 'powertools'),
  allOkVsPowertools: ratio('sqsAllOk', 'faasade', 'powertools'),
  honoFaasadeVsOwn: ratio('http', 'honoFaasade', 'honoOwn'),
}
results.settings = { ROUNDS, BATCH_MS, WARMUP_MS }
process.stdout.write(JSON.stringify(results))
