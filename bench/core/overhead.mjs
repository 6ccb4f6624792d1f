/**
 * Per-invocation overhead, in one process: every variant runs the same
 * `handle` (an async function returning a constant), awaited one call at a
 * time, as a provider runtime does.
 *
 * Run as a child of bench/core/index.mjs (argument: the dist directory to
 * load faasade from); sends its figures over IPC, or prints them as JSON
 * when run alone: `node bench/core/overhead.mjs dist`.
 *
 * Method: each variant warms up, then runs ROUNDS timed batches; within a
 * round the variants run one after the other, in an order that rotates from
 * round to round, so slow drift (a neighbour's load, GC, thermal) hits all of
 * them alike. A batch is sized to last about BATCH_MS. Each variant has its
 * own loop function so no call site is shared (and made megamorphic) between
 * variants.
 */
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { median, range } from './stats.mjs'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15)
const BATCH_MS = Number(process.env.BENCH_BATCH_MS ?? 150)
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 1000)

const distDir = resolve(process.argv[2] ?? 'dist')
const { createContext, createEvent, defineHandler, defineMiddleware } = await import(pathToFileURL(resolve(distDir, 'index.js')).href)
const { default: middy } = await import('@middy/core')

const RESULT = Object.freeze({ ok: true })
async function handle(event, ctx) {
  return RESULT
}

const event = createEvent({ id: 'e-1', source: '/bench', type: 'com.example.bench', data: { n: 1 } })
const provider = { name: 'bench', raw: null }
const ctx = createContext({ provider })

// (a) the raw function through a plain async wrapper: the floor any framework adds to.
const wrapper = async (event, ctx) => handle(event, ctx)

// (b)(c) defineHandler with one no-op middleware.
const noop = defineMiddleware({ name: 'noop', run: (event, ctx, next) => next() })
const withNoop = defineHandler({ type: 'com.example.bench', use: [noop], handle })
// For the profile: the same without middleware.
const bare = defineHandler({ type: 'com.example.bench', handle })

// (d) Middy core with one no-op middleware; a context without
// getRemainingTimeInMillis, so Middy arms no timeout (as ours has no deadline).
const lambdaContext = {}
const middyHandler = middy(handle).use({ before: () => {} })

export const VARIANTS = {
  raw: {
    label: '(a) raw async fn through a plain async wrapper',
    async loop(n) {
      for (let i = 0; i < n; i++) await wrapper(event, ctx)
    },
  },
  faasade: {
    label: '(b) defineHandler + 1 no-op middleware, `handler.run(event, ctx)`',
    async loop(n) {
      for (let i = 0; i < n; i++) await withNoop.run(event, ctx)
    },
  },
  faasadeCtx: {
    label: '(c) as (b), plus `createContext` per call',
    async loop(n) {
      for (let i = 0; i < n; i++) await withNoop.run(event, createContext({ provider }))
    },
  },
  middy: {
    label: '(d) Middy core + 1 no-op middleware',
    async loop(n) {
      for (let i = 0; i < n; i++) await middyHandler(event, lambdaContext)
    },
  },
  faasadeBare: {
    label: '(e) defineHandler, no middleware (for the profile)',
    async loop(n) {
      for (let i = 0; i < n; i++) await bare.run(event, ctx)
    },
  },
}

async function timed(variant, n) {
  const start = process.hrtime.bigint()
  await variant.loop(n)
  return Number(process.hrtime.bigint() - start) / 1e6
}

async function main() {
  // Sanity: every variant returns the handler's result.
  for (const run of [() => wrapper(event, ctx), () => withNoop.run(event, ctx), () => middyHandler(event, lambdaContext), () => bare.run(event, ctx)]) {
    if ((await run()) !== RESULT) throw new Error('a variant did not return the handler result')
  }

  const ids = Object.keys(VARIANTS)
  const batch = {}
  for (const id of ids) {
    // Warm up until the optimiser has settled, and size the batch from the warm rate.
    let n = 1000
    let spent = 0
    let rate = 0
    while (spent < WARMUP_MS) {
      const ms = await timed(VARIANTS[id], n)
      spent += ms
      rate = n / ms
      n = Math.min(Math.max(1000, Math.round(rate * 50)), 5_000_000)
    }
    batch[id] = Math.max(1000, Math.round(rate * BATCH_MS))
  }

  const samples = Object.fromEntries(ids.map((id) => [id, []]))
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < ids.length; k++) {
      const id = ids[(round + k) % ids.length]
      const ms = await timed(VARIANTS[id], batch[id])
      samples[id].push((batch[id] / ms) * 1000)
    }
  }

  const results = {}
  for (const id of ids) {
    const opsPerSec = median(samples[id])
    results[id] = { label: VARIANTS[id].label, opsPerSec, nsPerOp: 1e9 / opsPerSec, range: range(samples[id]), rounds: ROUNDS, batch: batch[id] }
  }
  // Ratios from samples of the same round (paired), then their median.
  const paired = (id) => median(samples.raw.map((raw, i) => raw / samples[id][i]))
  const ratios = { faasade: paired('faasade'), faasadeCtx: paired('faasadeCtx'), middy: paired('middy'), faasadeBare: paired('faasadeBare') }
  return { results, ratios }
}

const out = await main()
if (process.send) {
  process.send(out)
} else {
  console.log(JSON.stringify(out, null, 2))
}
