/**
 * Instructions per 10-record SQS batch (one failing record), for figures a
 * shared, noisy machine cannot blur: run each variant under callgrind for N
 * and for 6N batches in a fresh process, and divide the difference by 5N,
 * which cancels the start-up. callgrind repeats within about 0.5% here.
 *
 *   valgrind --tool=callgrind --callgrind-out-file=/dev/null node --v8-pool-size=0 --single-threaded \
 *     bench/aws-lambda/instructions.mjs faasade 200 dist
 *
 * `node bench/aws-lambda/instructions.mjs --all [distDir]` runs every
 * variant that way (valgrind must be on PATH) and prints the table.
 *
 * The idempotent variants count one EventBridge event a delivery, each with
 * a new id (the "first delivery" case), on an in-memory store: ours through
 * `toLambda` with `idempotent()` on `memoryStore()`, Powertools'
 * `makeIdempotent` on its cache-backed layer over an in-process map (it has
 * no in-memory layer), as bench/idempotency/throughput.mjs sets them up.
 */
import { spawnSync } from 'node:child_process'
import { resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { eventBridge, mapCacheClient } from '../idempotency/throughput.mjs'
import { lambdaContext, sqsBatch } from './functions.mjs'

const VARIANTS = ['raw', 'powertools', 'faasade', 'faasadeUnlogged', 'idempotentPowertools', 'idempotentFaasade']

if (process.argv[2] === '--all') {
  const distDir = resolve(process.argv[3] ?? 'dist')
  const self = fileURLToPath(import.meta.url)
  const rows = {}
  for (const variant of VARIANTS) rows[variant] = Math.round((collected(self, variant, 1200, distDir) - collected(self, variant, 200, distDir)) / 1000)
  const ratio = (a, b) => +(rows[a] / rows[b]).toFixed(2)
  console.log(
    JSON.stringify(
      {
        instructionsPerBatch: rows,
        faasadeVsPowertools: ratio('faasade', 'powertools'),
        unloggedVsPowertools: ratio('faasadeUnlogged', 'powertools'),
        rawVsPowertools: ratio('raw', 'powertools'),
        idempotentVsMakeIdempotent: ratio('idempotentFaasade', 'idempotentPowertools'),
      },
      null,
      2,
    ),
  )
} else {
  const [variant, n, dist] = [process.argv[2], Number(process.argv[3]), resolve(process.argv[4] ?? 'dist')]
  const run = await variantOf(variant, dist)
  const context = lambdaContext()
  if (variant.startsWith('idempotent')) {
    // A new id a delivery, made the same way for both sides.
    for (let i = 0; i < n; i++) await run(eventBridge(`6a7e8feb-b491-4cf7-a9f1-bf37${String(i).padStart(8, '0')}`), context)
  } else {
    const event = sqsBatch()
    for (let i = 0; i < n; i++) await run(event, context)
  }
}

/** The instructions callgrind counted for one process running `n` batches (its "Collected" line). */
function collected(self, variant, n, distDir) {
  const { stderr, status } = spawnSync('valgrind', ['--tool=callgrind', '--callgrind-out-file=/dev/null', process.execPath, '--v8-pool-size=0', '--single-threaded', self, variant, String(n), distDir], { encoding: 'utf8' })
  const match = /Collected : (\d+)/.exec(stderr)
  if (status !== 0 || !match) throw new Error(`callgrind failed for ${variant}:\n${stderr}`)
  return Number(match[1])
}

async function variantOf(variant, dist) {
  const OK = Object.freeze({ ok: true })
  const work = async (order) => {
    if (order.orderId === 'bad') throw new Error('this order fails')
    return OK
  }
  if (variant === 'raw') {
    return async (event) => {
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
  }
  if (variant === 'powertools') {
    const { BatchProcessor, EventType, processPartialResponse } = await import('@aws-lambda-powertools/batch')
    const processor = new BatchProcessor(EventType.SQS)
    return (event, context) => processPartialResponse(event, (record) => work(JSON.parse(record.body)), processor, { context })
  }
  if (variant === 'idempotentPowertools') {
    const { makeIdempotent, IdempotencyConfig } = await import('@aws-lambda-powertools/idempotency')
    const { CachePersistenceLayer } = await import('@aws-lambda-powertools/idempotency/cache')
    const config = new IdempotencyConfig({ eventKeyJmesPath: 'id' })
    const charge = makeIdempotent(async (eb) => ({ charged: eb.detail.orderId }), { persistenceStore: new CachePersistenceLayer({ client: mapCacheClient() }), config })
    return (event, context) => {
      config.registerLambdaContext(context)
      return charge(event)
    }
  }
  const { createLogger, defineHandler } = await import(pathToFileURL(resolve(dist, 'index.js')).href)
  const { toLambda } = await import(pathToFileURL(resolve(dist, 'aws-lambda.js')).href)
  const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent }
  if (variant === 'idempotentFaasade') {
    const { idempotent, memoryStore } = await import(pathToFileURL(resolve(dist, 'idempotency.js')).href)
    const charge = defineHandler({ name: 'orders', use: [idempotent({ store: memoryStore({ maxEntries: 100_000 }) })], handle: async (event) => ({ charged: event.data.orderId }) })
    return toLambda(charge, { log: createLogger({ sink: () => {} }) })
  }
  const log = variant === 'faasadeUnlogged' ? silent : createLogger({ sink: () => {} })
  return toLambda(defineHandler({ handle: (event) => work(event.data) }), { log })
}
