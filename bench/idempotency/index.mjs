/**
 * The idempotency bench (run by `npm run bench` after the build, or
 * `node bench/idempotency/index.mjs [distDir]`):
 *
 * 1. cold start of an idempotent SQS consumer on DynamoDB, ours against
 *    Powertools' makeIdempotent + BatchProcessor (cold-start.mjs);
 * 2. store round trips per delivery, for every store of ours and for
 *    Powertools' DynamoDB and Redis layers (round-trips.mjs);
 * 3. deliveries per second side by side: in memory, on Redis, on DynamoDB
 *    (throughput.mjs).
 *
 * Servers: redis-server (skipped, saying so, if missing) and dynalite (in a
 * child process) on free ports of 127.0.0.1. Figures go to stdout as
 * markdown and to .bench-tmp/idempotency/results.json. Goals are the
 * issue's; a miss is reported, not a failure.
 *
 * Knobs: BENCH_COLD_ROUNDS (21), BENCH_ROUNDS (7), BENCH_BATCH_MS (250),
 * BENCH_WARMUP_MS (500); BENCH_PARTS (cold,trips,throughput) and
 * BENCH_STORES (memory,redis,dynamodb: the throughput groups) to run less.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join, resolve } from 'node:path'
import { coldStart } from './cold-start.mjs'
import { roundTrips } from './round-trips.mjs'
import { findRedisServer, snapshotDist, startDynalite, startRedis, table, tmp } from './support.mjs'
import { throughput } from './throughput.mjs'

const COLD_ROUNDS = Number(process.env.BENCH_COLD_ROUNDS ?? 21)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7)
const PARTS = (process.env.BENCH_PARTS ?? 'cold,trips,throughput').split(',')
const STORES = (process.env.BENCH_STORES ?? 'memory,redis,dynamodb').split(',')

// The AWS SDK warns once per process that its 2027 releases need Node 22: noise here.
process.on('warning', () => {})
process.removeAllListeners('warning')

const dist = snapshotDist(process.argv[2] ? resolve(process.argv[2]) : undefined)
mkdirSync(tmp, { recursive: true })
const redisServer = findRedisServer()
const f1 = (n) => n.toFixed(1)
const int = (n) => Math.round(n).toLocaleString('en-US')
const out = []
const print = (text = '') => {
  out.push(text)
  console.log(text)
}

const cpu = cpus()
print(`Node ${process.version}, ${cpu.length} × ${cpu[0]?.model ?? 'CPU'}; load average at start ${loadavg().map((n) => n.toFixed(2)).join(' ')}`)
if (redisServer === undefined) print('**redis-server is not on PATH (nor FAASADE_REDIS_SERVER; `apt-get install redis-server`): the Redis figures are skipped.**')

const dynamo = await startDynalite(['faasade-idempotency', 'powertools-idempotency'])
const redis = redisServer === undefined ? undefined : await startRedis(redisServer)
async function reportColdStart() {
  print('\n## Cold start: an idempotent SQS consumer on DynamoDB, first event\n')
  const cold = await coldStart({ dist, dynamo, rounds: COLD_ROUNDS })
  results.coldStart = cold
  print(`Median of ${cold.rounds} interleaved runs; empty process ${f1(cold.emptyMs)} ms wall.\n`)
  print(
    table(
      ['bundle', 'size (min / gzip)', 'wall', 'over empty', 'import (in process)', 'first event (in process)'],
      cold.rows.map((r) => [r.name, `${f1(r.bytes / 1000)} / ${f1(r.gzip / 1000)} KB`, `${f1(r.wallMs)} ms`, `**${f1(r.overEmptyMs)} ms**`, `${f1(r.importMs)} ms`, `${f1(r.firstEventMs)} ms`]),
    ),
  )
  const ours = cold.rows.find((r) => r.who === 'faasade')
  for (const theirs of cold.rows.filter((r) => r.who === 'Powertools')) {
    const ratio = ours.overEmptyMs / theirs.overEmptyMs
    print(`\nOurs over empty / ${theirs.name} over empty = **${ratio.toFixed(2)}x** (goal ≤ 0.25x: ${ratio <= 0.25 ? 'met' : 'MISSED'})`)
  }
}

async function reportRoundTrips() {
  print('\n## Store round trips per delivery\n')
  const trips = await roundTrips({ dist, redisUrl: redis?.url, dynamo })
  results.roundTrips = trips
  print(table(['store', 'first', 'duplicate', 'duplicate, cached'], trips.map((r) => [r.name, r.first, r.duplicate, r.cached])))
  print('\nGoals for ours: 2, 1, 0.')
}

async function reportThroughput() {
  print('\n## Deliveries per second (one at a time)\n')
  const tp = await throughput({ dist, redisUrl: redis?.url, dynamo, rounds: ROUNDS, only: STORES })
  results.throughput = tp
  const rowsOf = (g) => Object.entries(g).map(([name, ops]) => [name, int(ops), `${f1(1e6 / ops)} µs`])
  for (const [store, groups] of Object.entries(tp)) {
    for (const [kind, g] of Object.entries(groups)) {
      print(`\n### ${store}, ${kind} deliveries\n`)
      print(table(['variant', 'ops/s', 'time per delivery'], rowsOf(g)))
      const ours = Object.entries(g).filter(([n]) => n.startsWith('faasade'))
      const bestTheirs = Math.max(...Object.entries(g).filter(([n]) => n.startsWith('Powertools')).map(([, v]) => v))
      const verdicts = ours.map(([n, v]) => {
        if (store === 'memory') {
          const ratio = bestTheirs / v
          return `${n}: time ${ratio.toFixed(2)}x Powertools' best (goal ≤ 0.5x: ${ratio <= 0.5 ? 'met' : 'MISSED'})`
        }
        const ratio = v / bestTheirs
        return `${n}: throughput ${ratio.toFixed(2)}x Powertools' (goal ≥ 1x: ${ratio >= 1 ? 'met' : 'MISSED'})`
      })
      print(`\n${verdicts.join('; ')}`)
    }
  }
}

const results = {}
try {
  if (PARTS.includes('cold')) await reportColdStart()
  if (PARTS.includes('trips')) await reportRoundTrips()
  if (PARTS.includes('throughput')) await reportThroughput()
} finally {
  await redis?.stop()
  await dynamo.stop()
}

writeFileSync(join(tmp, 'results.json'), `${JSON.stringify(results, null, 2)}\n`)
writeFileSync(join(tmp, 'results.md'), `${out.join('\n')}\n`)
