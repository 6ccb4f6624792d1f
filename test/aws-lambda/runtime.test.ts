/**
 * The orders example, bundled as a Lambda function ships (esbuild, one ESM
 * file), run by the real runtime interface client (`aws-lambda-ric` 3.3)
 * against a Runtime API on 127.0.0.1: an SQS batch with one failing record
 * comes back as exactly that `batchItemFailures` entry, an API Gateway v2
 * request is answered by the Hono app, and the context a handler gets carries
 * the runtime's deadline, request id and function ARN.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as esbuild from 'esbuild'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createEvent, encodeBinary } from 'faasade'
import { apiGatewayV2Event } from './events.js'
import { sqsRecord } from './helpers.js'
import { ricMissing, RuntimeApi, startRic, type RunningFunction } from './support/runtime-api.js'
import { describeUnless, type Missing } from '../support/skips.js'

const root = fileURLToPath(new URL('../../', import.meta.url))
const ric: Missing | undefined = ricMissing === undefined ? undefined : { need: 'aws-lambda-ric', why: ricMissing, enable: 'npm run setup:lambda-ric' }

/** Resolves `faasade` and its subpaths to the sources, as the package's exports map would to dist/. */
const faasadeSources: esbuild.Plugin = {
  name: 'faasade-sources',
  setup(build) {
    build.onResolve({ filter: /^faasade(\/aws-lambda)?$/ }, (args) => ({
      path: join(root, args.path === 'faasade' ? 'src/index.ts' : 'adapters/aws-lambda/index.ts'),
    }))
  },
}

let taskRoot: string
let api: RuntimeApi
const running: RunningFunction[] = []

beforeAll(async () => {
  if (ricMissing) return
  taskRoot = await mkdtemp(join(tmpdir(), 'faasade-lambda-'))
  await esbuild.build({
    entryPoints: [join(root, 'test/aws-lambda/support/function.ts')],
    outfile: join(taskRoot, 'index.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'silent',
    plugins: [faasadeSources],
  })
  api = await RuntimeApi.start()
})

afterAll(async () => {
  // The ric first: it segfaults if the Runtime API goes away under it.
  await Promise.all(running.map((f) => f.stop()))
  await api?.close()
  if (taskRoot) await rm(taskRoot, { recursive: true, force: true })
})

// One function instance at a time polls the Runtime API: starting one stops the one before.
// The example reads its Stripe key from the environment (fromEnv), as a deployed function's configuration sets it.
const run = async (handler: string) => {
  await Promise.all(running.map((f) => f.stop()))
  const fn = startRic(api, taskRoot, handler, { STRIPE_API_KEY: 'sk_test_runtime' })
  running.push(fn)
  return fn
}

describeUnless(ric)('the orders example under aws-lambda-ric', () => {
  let fn: RunningFunction
  beforeAll(async () => {
    fn = await run('index.handler')
  })

  const order = (orderId: string) => JSON.stringify({ orderId, amount: 12.5 })

  it('an SQS batch with one failing record: exactly that record in batchItemFailures', async () => {
    // The example's payment stand-in rate-limits this order: a RetryableError.
    const batch = { Records: [sqsRecord('m1', order('A1')), sqsRecord('m2', order('rate-limited')), sqsRecord('m3', order('A3'))] }
    const invocation = api.invoke(batch)
    const result = await invocation
    expect(result.kind).toBe('response')
    expect(result.body).toEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }] })
    expect(result.headers['content-type']).toBe('application/json')
    // The handler's line is a JSON object of its own (no runtime prefix), with the invocation's request id.
    // The output comes on its own pipe, so it may trail the reply.
    await vi.waitFor(() => {
      expect(jsonLines(fn.output())).toContainEqual(expect.objectContaining({ level: 'info', msg: 'charging', orderId: 'A1', requestId: invocation.id, timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) }))
      expect(jsonLines(fn.output())).toContainEqual(expect.objectContaining({ level: 'error', msg: 'event failed, will be retried', deliveryId: 'm2', requestId: invocation.id }))
    }, { timeout: 10_000 })
  })

  it('a blocked order (PermanentError) is reported too: the example sets onDrop: dead-letter, for the DLQ', async () => {
    const batch = { Records: [sqsRecord('p1', order('blocked')), sqsRecord('p2', order('A2'))] }
    expect((await api.invoke(batch)).body).toEqual({ batchItemFailures: [{ itemIdentifier: 'p1' }] })
  })

  it('an API Gateway v2 request answered by the Hono app', async () => {
    const health = { ...apiGatewayV2Event(), rawPath: '/health', rawQueryString: '', body: undefined, requestContext: { ...apiGatewayV2Event().requestContext, http: { method: 'GET', path: '/health' } } }
    const result = await api.invoke(health)
    expect(result).toMatchObject({ kind: 'response', body: { statusCode: 200, headers: { 'content-type': 'application/json' }, cookies: [], body: '{"ok":true}', isBase64Encoded: false } })
    const order = { ...health, rawPath: '/orders/A7', requestContext: { ...health.requestContext, http: { method: 'GET', path: '/orders/A7' } } }
    expect((await api.invoke(order)).body).toMatchObject({ statusCode: 200, body: '{"orderId":"A7","status":"placed"}' })
  })

  it('a CloudEvent over API Gateway v2 reaches the event handler', async () => {
    const encoded = encodeBinary(createEvent({ id: 'ce-1', source: '/shop', type: 'com.example.order.placed', datacontenttype: 'application/json', data: { orderId: 'B1', amount: 3 } }))
    // POST /: where the example's service takes CloudEvents over HTTP (its cloudEvents route).
    const event = apiGatewayV2Event()
    const result = await api.invoke({ ...event, rawPath: '/', rawQueryString: '', requestContext: { ...event.requestContext, http: { ...event.requestContext.http, method: 'POST', path: '/' } }, headers: encoded.headers, body: encoded.body, cookies: undefined })
    expect(result.body).toMatchObject({ statusCode: 200, body: '{"orderId":"B1","charged":true}' })
  })

  it('an event of no known shape is an invocation error naming its keys', async () => {
    const result = await api.invoke({ awslogs: { data: 'H4sIAAAA' } })
    expect(result.kind).toBe('error')
    expect(result.body).toMatchObject({ errorType: 'PermanentError', errorMessage: 'No mapper matches this Lambda event: an object with keys "awslogs"' })
  })
})

describeUnless(ric)("the log lines under aws-lambda-ric, in Lambda's JSON log format", () => {
  it('stay JSON objects of their own, not the message string of the runtime\'s JSON', async () => {
    await Promise.all(running.map((f) => f.stop()))
    const fn = startRic(api, taskRoot, 'index.handler', { STRIPE_API_KEY: 'sk_test_runtime', AWS_LAMBDA_LOG_FORMAT: 'JSON' })
    running.push(fn)
    const invocation = api.invoke({ Records: [sqsRecord('j1', JSON.stringify({ orderId: 'J1', amount: 1 }))] })
    expect((await invocation).body).toEqual({ batchItemFailures: [] })
    await vi.waitFor(() => expect(jsonLines(fn.output())).toContainEqual(expect.objectContaining({ level: 'info', msg: 'charging', orderId: 'J1', requestId: invocation.id })), { timeout: 10_000 })
  })
})

describeUnless(ric)('the context under aws-lambda-ric', () => {
  it('ctx.deadline comes from the runtime deadline; the request id, ARN and trace id reach the handler', async () => {
    await run('index.probe')
    const invocation = api.invoke({ specversion: '1.0', id: 'p1', source: '/probe', type: 'com.example.probe' }, { remainingMs: 20_000, traceId: 'Root=1-5bef4de7-probe' })
    const result = await invocation
    expect(result).toMatchObject({ kind: 'response' })
    const body = result.body as { remainingMs: number; requestId: string; functionArn: string; traceId: string; provider: string; attempt: null }
    expect(body.remainingMs).toBeGreaterThan(10_000)
    expect(body.remainingMs).toBeLessThanOrEqual(20_000)
    expect(body).toMatchObject({ requestId: invocation.id, functionArn: 'arn:aws:lambda:us-east-2:123456789012:function:orders', traceId: 'Root=1-5bef4de7-probe', provider: 'aws-lambda', attempt: null })
  })
})

describeUnless(ric)('response streaming under aws-lambda-ric', () => {
  it('toLambdaStream: the metadata prelude, then the body as the app writes it', async () => {
    await run('index.stream')
    const request = { ...apiGatewayV2Event(), rawPath: '/ticks', rawQueryString: '', body: undefined, cookies: undefined, requestContext: { ...apiGatewayV2Event().requestContext, http: { method: 'GET', path: '/ticks' } } }
    const result = await api.invoke(request)
    expect(result.kind).toBe('response')
    expect(result.headers['lambda-runtime-function-response-mode']).toBe('streaming')
    expect(result.headers['content-type']).toBe('application/vnd.awslambda.http-integration-response')
    expect(result.headers['transfer-encoding']).toBe('chunked')
    const bytes = result.body as Buffer
    const cut = bytes.indexOf(Buffer.alloc(8))
    expect(JSON.parse(bytes.subarray(0, cut).toString())).toEqual({ statusCode: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, cookies: ['seen=1; Path=/', 'theme=dark'] })
    expect(bytes.subarray(cut + 8).toString()).toBe('tick 1\ntick 2\ntick 3\n')
    // 20 ms between ticks: they left in more than one piece.
    expect(result.chunks).toBeGreaterThan(1)
  })
})

/** The lines of a function's output that are JSON objects. */
function jsonLines(output: string): Array<Record<string, unknown>> {
  return output.split('\n').flatMap((line) => {
    if (!line.startsWith('{')) return []
    try {
      return [JSON.parse(line) as Record<string, unknown>]
    } catch {
      return []
    }
  })
}

