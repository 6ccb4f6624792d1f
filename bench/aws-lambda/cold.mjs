/**
 * Cold start of a bundled Lambda function: a fresh `node` process imports
 * the bundle and answers its first event, as the Lambda runtime does on a
 * cold start. Two figures a sample:
 * - wall: spawn to exit, minus the same for a process that imports nothing
 *   (the figure the goals are stated on);
 * - in-process: `performance.now()` around the import and the first call,
 *   in the child: the same work without process start-up, and far less
 *   noisy on a shared machine.
 * Every kind runs SAMPLES times, interleaved (the order rotates each round)
 * so that load from elsewhere hits all alike.
 */
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { apiGatewayV2, cloudEventOverHttp, eventBridgeEvent } from './functions.mjs'

const CONTEXT = `{ awsRequestId: 'cold', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:bench', getRemainingTimeInMillis: () => 30000 }`

/** What is measured: a bundle (`null`: the empty process) and the event it answers. */
export const KINDS = {
  empty: { label: 'empty process (subtracted from the others)', fn: null },
  rawEventBridge: { label: 'raw handler, EventBridge event', fn: 'raw', event: eventBridgeEvent },
  middyEventBridge: { label: '@middy/core, EventBridge event', fn: 'middy', event: eventBridgeEvent },
  faasadeEventBridge: { label: 'faasade `toLambda(handler)`, EventBridge event', fn: 'faasade', event: eventBridgeEvent },
  rawCloudEvent: { label: 'raw handler, CloudEvent over API Gateway v2', fn: 'raw', event: cloudEventOverHttp },
  faasadeCloudEvent: { label: 'faasade `toLambda(handler)`, CloudEvent over API Gateway v2', fn: 'faasade', event: cloudEventOverHttp },
  honoOwn: { label: "Hono app, Hono's `handle`, API Gateway v2 GET /", fn: 'honoOwn', event: apiGatewayV2() },
  honoFaasade: { label: 'Hono app, `toLambda(app)`, API Gateway v2 GET /', fn: 'honoFaasade', event: apiGatewayV2() },
}

function script(kind, functionsDir) {
  if (kind.fn === null) return `process.stdout.write(JSON.stringify({ t: 0, reply: null }))`
  const url = pathToFileURL(join(functionsDir, kind.fn, 'index.mjs')).href
  return `const t0 = performance.now(); const { handler } = await import(${JSON.stringify(url)}); const reply = await handler(${JSON.stringify(kind.event)}, ${CONTEXT}); const t = performance.now() - t0; process.stdout.write(JSON.stringify({ t, reply: String(JSON.stringify(reply)) }))`
}

function sample(body) {
  const start = process.hrtime.bigint()
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', body], { encoding: 'utf8' })
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (child.status !== 0) throw new Error(`cold start child failed: ${child.stderr}`)
  const { t, reply } = JSON.parse(child.stdout)
  return { ms, inProcess: t, reply: String(reply) }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** Medians in ms (wall, and over the empty process) and each kind's first reply, to check it answered. */
export function measureCold(functionsDir, samples = 21) {
  const names = Object.keys(KINDS)
  const bodies = Object.fromEntries(names.map((name) => [name, script(KINDS[name], functionsDir)]))
  const times = Object.fromEntries(names.map((name) => [name, []]))
  const inProcess = Object.fromEntries(names.map((name) => [name, []]))
  const replies = {}
  for (const name of names) replies[name] = sample(bodies[name]).reply // one warm-up each: disk cache, not measured
  for (let round = 0; round < samples; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length]
      const s = sample(bodies[name])
      times[name].push(s.ms)
      inProcess[name].push(s.inProcess)
    }
  }
  const empty = median(times.empty)
  return Object.fromEntries(
    names.map((name) => [
      name,
      { label: KINDS[name].label, wall: median(times[name]), overEmpty: median(times[name]) - empty, inProcess: median(inProcess[name]), min: Math.min(...times[name]), max: Math.max(...times[name]), reply: replies[name] },
    ]),
  )
}
