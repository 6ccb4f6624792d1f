/**
 * Cold start: a fresh `node` process imports a bundled SQS consumer and
 * handles its first event (one record, a message id never seen, so a real
 * first delivery: claim and complete against dynalite), then exits. Minus
 * an empty process (cold.mjs with no bundle: Node's own start and the same
 * ESM entry). Variants take turns, in an order that rotates every round.
 *
 * Two bundle configurations of Powertools' function, both esbuild, ESM,
 * minified, for Node 20 (ours is the same bundle in both):
 * - "SDK external": `@aws-sdk/*` left to the runtime, as CDK's NodejsFunction
 *   does by default for Node 18+ runtimes (the SDK is then loaded from
 *   node_modules, as Lambda loads its preinstalled copy);
 * - "all bundled": everything inlined.
 */
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { runChild } from '../child.mjs'
import { AWS_ENV, bundleFunction, here, median, tmp } from './support.mjs'

export async function coldStart({ dist, dynamo, rounds }) {
  const bundles = {}
  const add = async (name, who, source, external) => {
    const outfile = join(tmp, `cold-${name.replace(/[^a-z]+/gi, '-')}.mjs`)
    await bundleFunction(join(here, 'functions', source), outfile, dist, external)
    bundles[name] = { who, outfile, bytes: statSync(outfile).size, gzip: gzipSync(readFileSync(outfile), { level: 9 }).length }
  }
  // Ours holds no SDK code either way (the SDK is only imported, by a specifier bundlers do not
  // follow, when a client is passed), so its two configurations are one bundle.
  await add('faasade (either configuration)', 'faasade', 'ours-sqs.mjs', ['@aws-sdk/*'])
  await add('Powertools, SDK external', 'Powertools', 'powertools-sqs.mjs', ['@aws-sdk/*'])
  await add('Powertools, all bundled', 'Powertools', 'powertools-sqs.mjs', [])
  const env = { ...process.env, ...AWS_ENV, AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint, IDEMPOTENCY_TABLE: 'faasade-idempotency' }
  const variants = ['empty', ...Object.keys(bundles)]
  const samples = Object.fromEntries(variants.map((v) => [v, []]))
  // One unmeasured round: the page cache and dynalite's tables warm up.
  for (const v of variants) if (v !== 'empty') await runChild([join(here, 'cold.mjs'), bundles[v].outfile, `warm-${v}-${Date.now()}`], env)
  for (let r = 0; r < rounds; r++) {
    const order = variants.map((_, i) => variants[(i + r) % variants.length])
    for (const v of order) {
      const args = v === 'empty' ? [join(here, 'cold.mjs')] : [join(here, 'cold.mjs'), bundles[v].outfile, `msg-${r}-${v}-${Date.now()}`]
      samples[v].push(await runChild(args, env))
    }
  }
  const empty = median(samples.empty.map((s) => s.wallMs))
  const rows = Object.entries(bundles).map(([name, b]) => {
    const s = samples[name]
    return {
      name,
      ...b,
      wallMs: median(s.map((x) => x.wallMs)),
      overEmptyMs: median(s.map((x) => x.wallMs)) - empty,
      importMs: median(s.map((x) => x.importMs)),
      firstEventMs: median(s.map((x) => x.firstMs)),
    }
  })
  return { rounds, emptyMs: empty, rows }
}
