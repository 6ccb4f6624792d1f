/**
 * The Workers the bench measures and the workerd check each must pass, shared
 * by bench/workers/index.mjs and test/workers/bundles.test.ts.
 */
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Miniflare } from 'miniflare'

const root = fileURLToPath(new URL('../..', import.meta.url))

const HELLO_HANDLER = `defineHandler({ type: 'com.example.hello', async handle(event, ctx) { ctx.log.info('hello', { id: event.id }); return { hello: 'world' } } })`
// Hono's hello Worker, as in Hono's Cloudflare Workers guide.
const HONO_APP = `const app = new Hono()
app.get('/', (c) => c.text('Hello Cloudflare Workers!'))`

/** The Workers measured: `probe` is what each must answer in workerd. */
export const WORKERS = {
  hello: {
    label: 'faasade hello event handler, `toWorker(handler)`',
    source: `import { defineHandler } from 'faasade'
import { toWorker } from 'faasade/cloudflare-workers'
export default toWorker(${HELLO_HANDLER})`,
    probe: 'event',
  },
  'core-fetch': {
    label: 'for the split: the hello handler as `{ fetch: createFetchHandler(handler) }` (the core alone, no queue or cron)',
    source: `import { createFetchHandler, defineHandler } from 'faasade'
export default { fetch: createFetchHandler(${HELLO_HANDLER}) }`,
    probe: 'fetch-only',
  },
  'hono-own': {
    label: "Hono's own hello Worker (`export default app`), for comparison",
    source: `import { Hono } from 'hono'
${HONO_APP}
export default app`,
    probe: 'hono',
  },
  'hono-faasade': {
    label: 'the same Hono app, `toWorker(app)`',
    source: `import { Hono } from 'hono'
import { toWorker } from 'faasade/cloudflare-workers'
${HONO_APP}
export default toWorker(app)`,
    probe: 'hono',
  },
  service: {
    label: 'the Hono app and the hello handler, `toWorker(defineService(...))`',
    source: `import { Hono } from 'hono'
import { defineHandler, defineService } from 'faasade'
import { toWorker } from 'faasade/cloudflare-workers'
${HONO_APP}
export default toWorker(defineService({ http: app, events: [${HELLO_HANDLER}], cloudEvents: { path: '/', methods: ['POST'] } }))`,
    probe: 'both',
  },
  orders: {
    label: 'examples/orders/worker.ts (Hono, zod, `toWorker(service)`)',
    entry: join(root, 'examples', 'orders', 'worker.ts'),
    probe: 'health',
  },
}

// What the event path would weigh built on the `cloudevents` SDK instead of
// faasade's own CloudEvent: the SDK needs Node's built-ins, so without
// nodejs_compat it does not bundle at all.
export const SDK_REFERENCE = `import { CloudEvent } from 'cloudevents'
export default { async fetch() { return Response.json(new CloudEvent({ id: '1', source: '/s', type: 't', data: { hello: 'world' } })) } }`

/** Sends the Worker the request (or queue message) its kind must answer; throws if it does not. */
async function probe(mf, kind) {
  const answers = []
  if (kind === 'event' || kind === 'both' || kind === 'fetch-only') {
    const response = await mf.dispatchFetch('http://worker/', {
      method: 'POST',
      headers: { 'ce-specversion': '1.0', 'ce-id': 'b-1', 'ce-source': '/bench', 'ce-type': 'com.example.hello', 'content-type': 'application/json' },
      body: '{}',
    })
    const body = await response.json()
    if (response.status !== 200 || body.hello !== 'world') throw new Error(`CloudEvent over HTTP: ${response.status} ${JSON.stringify(body)}`)
    answers.push('CloudEvent 200')
  }
  if (kind === 'event' || kind === 'both') {
    const worker = await mf.getWorker()
    // A structured CloudEvent body of the hello handler's type: a message of a type no handler takes is a fault of the deployment, retried.
    const settled = await worker.queue('bench', [{ id: 'q-1', timestamp: new Date(), body: { specversion: '1.0', id: 'q-1', source: '/bench', type: 'com.example.hello' }, attempts: 1 }])
    if (settled.explicitAcks[0] !== 'q-1') throw new Error(`queue: ${JSON.stringify(settled)}`)
    answers.push('queue ack')
  }
  if (kind === 'hono' || kind === 'both') {
    const response = await mf.dispatchFetch('http://worker/')
    const text = await response.text()
    if (response.status !== 200 || text !== 'Hello Cloudflare Workers!') throw new Error(`GET /: ${response.status} ${text}`)
    answers.push('GET / 200')
  }
  if (kind === 'health') {
    const response = await mf.dispatchFetch('http://worker/health')
    if (response.status !== 200) throw new Error(`GET /health: ${response.status}`)
    answers.push('GET /health 200')
  }
  return answers.join(', ')
}

/**
 * Loads a bundle into workerd with no compatibility flags and probes it.
 * Resolves to what it answered; rejects if it failed to load or answer.
 */
export async function loadsInWorkerd(code, kind) {
  const mf = new Miniflare({
    modules: true,
    script: code,
    compatibilityDate: '2026-04-01',
    compatibilityFlags: [],
    cf: false,
    handleRuntimeStdio(stdout, stderr) {
      stdout.resume()
      stderr.resume()
    },
  })
  try {
    await mf.ready
    return await probe(mf, kind)
  } finally {
    await mf.dispose()
  }
}

