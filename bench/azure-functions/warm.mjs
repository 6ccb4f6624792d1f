/**
 * Per invocation, one process, driven as the host drives it (host.mjs):
 * a storage-queue message and an HTTP request (a binary CloudEvent), each
 * through a raw v4 handler and through faasade's handler doing the same
 * work (invocations.mjs).
 *
 * Method (as bench/core/overhead.mjs): each variant warms up for WARMUP_MS,
 * then ROUNDS rounds; within a round both variants of a trigger run one
 * batch each (sequential invocations for about BATCH_MS), in an order that
 * alternates from round to round. Figures: median µs an invocation, and
 * the median of the per-round ratios faasade / raw.
 *
 * Run as a child of index.mjs, from the bench's private directory (where
 * `faasade` is the built copy); prints its figures as JSON.
 */
import { invoke } from './host.mjs'
import { app } from '@azure/functions'
import { defineHandler } from 'faasade'
import { toAzureFunctions } from 'faasade/azure-functions'
import { httpAnswer, httpInvocation, HTTP_REPLY, MESSAGE_ID, queueInvocation, reply, TYPE } from './invocations.mjs'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 31)
const BATCH_MS = Number(process.env.BENCH_BATCH_MS ?? 200)
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 1000)

// --- raw v4 handlers -------------------------------------------------------------
let sink // keeps the queue handlers' work from being optimised away
app.storageQueue('queue-raw', {
  queueName: 'orders',
  connection: 'AzureWebJobsStorage',
  handler: async (message, context) => {
    if (typeof message !== 'object' || message === null) throw new Error('not an order')
    sink = reply(context.triggerMetadata.id, message)
  },
})
app.http('http-raw', {
  methods: ['POST'],
  authLevel: 'anonymous',
  route: 'orders',
  handler: async (request) => ({ status: 200, jsonBody: reply(request.headers.get('ce-id'), await request.json()) }),
})

// --- faasade: one handler, the same work, with the adapter's defaults ---------------
const handler = defineHandler({
  type: TYPE,
  handle: (event) => (sink = reply(event.id, event.data)),
})
const azure = toAzureFunctions(handler, { storageQueue: { type: TYPE } })
app.storageQueue('queue-faasade', { queueName: 'orders', connection: 'AzureWebJobsStorage', handler: azure.storageQueue })
app.http('http-faasade', { methods: ['POST'], authLevel: 'anonymous', route: 'orders', handler: azure.http })

// --- every variant answers as expected before it is timed --------------------------
for (const name of ['queue-raw', 'queue-faasade']) {
  sink = undefined
  await invoke(name, queueInvocation)
  if (sink?.id !== MESSAGE_ID || sink.total !== 58.5) throw new Error(`${name} did not do the work: ${JSON.stringify(sink)}`)
}
const answers = {}
for (const name of ['http-raw', 'http-faasade']) {
  const answer = httpAnswer(await invoke(name, httpInvocation))
  if (answer.status !== '200' || answer.text !== HTTP_REPLY || !/^application\/json/.test(answer.type ?? '')) throw new Error(`${name} answered ${JSON.stringify(answer)}`)
  answers[name] = answer
}

const GROUPS = {
  queue: { invocation: queueInvocation, variants: ['queue-raw', 'queue-faasade'] },
  http: { invocation: httpInvocation, variants: ['http-raw', 'http-faasade'] },
}

/** Invocations one after the other for about `ms`; µs an invocation. */
async function batch(name, invocation, ms) {
  let count = 0
  const started = performance.now()
  const until = started + ms
  let now = started
  while (now < until) {
    for (let i = 0; i < 50; i++) await invoke(name, invocation)
    count += 50
    now = performance.now()
  }
  return ((now - started) * 1000) / count
}

const results = {}
for (const [group, { invocation, variants }] of Object.entries(GROUPS)) {
  for (const name of variants) await batch(name, invocation, WARMUP_MS)
  const rounds = []
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 ? [...variants].reverse() : variants
    const figures = {}
    for (const name of order) figures[name] = await batch(name, invocation, BATCH_MS)
    rounds.push(figures)
  }
  results[group] = rounds
}
console.log(JSON.stringify({ rounds: results, answers, rounds_n: ROUNDS, batchMs: BATCH_MS, warmupMs: WARMUP_MS }))
