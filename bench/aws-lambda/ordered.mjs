/**
 * Ordered sources at full speed: a 100-record DynamoDB Streams batch whose
 * handler makes a 50 ms call a record, every record a different item (so
 * nothing needs to wait for anything), side by side in one process:
 * - Powertools' `BatchProcessor` (DynamoDB Streams) with `processInParallel`,
 *   every record at once;
 * - faasade `toLambda(handler)`, which keeps order per item key and runs
 *   keys beside each other: at its default concurrency (10), and at 100.
 * And a 100-message SQS FIFO batch in 10 message groups, against Powertools'
 * `SqsFifoPartialProcessorAsync` (which runs one record at a time).
 *
 * Figures: the median wall time of ROUNDS batches each, in alternation. The
 * 50 ms waits dominate, so the machine's noise matters little.
 *
 * Usage: npm run build && node bench/aws-lambda/ordered.mjs [distDir]
 */
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7)
const CALL_MS = Number(process.env.BENCH_CALL_MS ?? 50)
const distDir = resolve(process.argv[2] ?? 'dist')
const { createLogger, defineHandler } = await import(pathToFileURL(resolve(distDir, 'index.js')).href)
const { toLambda } = await import(pathToFileURL(resolve(distDir, 'aws-lambda.js')).href)
const { BatchProcessor, EventType, processPartialResponse, SqsFifoPartialProcessorAsync } = await import('@aws-lambda-powertools/batch')

const call = () => new Promise((done) => setTimeout(done, CALL_MS))
const context = { awsRequestId: 'bench', getRemainingTimeInMillis: () => 60_000, functionName: 'bench' }

const stream = {
  Records: Array.from({ length: 100 }, (_, i) => ({
    eventID: `e${i}`,
    eventName: 'INSERT',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    dynamodb: { ApproximateCreationDateTime: 1700000000, Keys: { Id: { N: String(i) } }, NewImage: { Id: { N: String(i) } }, SequenceNumber: String(1000 + i), SizeBytes: 26, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    eventSourceARN: 'arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000',
  })),
}

const fifo = {
  Records: Array.from({ length: 100 }, (_, i) => ({
    messageId: `m${i}`,
    receiptHandle: 'r',
    body: '{}',
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1700000000000', SenderId: 'x', ApproximateFirstReceiveTimestamp: '1700000000000', MessageGroupId: `g${i % 10}`, MessageDeduplicationId: `d${i}`, SequenceNumber: String(10_000 + i) },
    messageAttributes: {},
    md5OfBody: 'x',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:orders.fifo',
    awsRegion: 'us-east-1',
  })),
}

const quiet = createLogger({ sink: () => {} })
const handle = defineHandler({ handle: call })
const variants = {
  powertoolsStream: ['Powertools BatchProcessor, processInParallel', () => processPartialResponse(stream, call, new BatchProcessor(EventType.DynamoDBStreams), { context, processInParallel: true })],
  faasadeStream10: ['faasade toLambda, per-key order, concurrency 10 (default)', () => toLambda(handle, { log: quiet })(stream, context)],
  faasadeStream100: ['faasade toLambda, per-key order, concurrency 100', () => toLambda(handle, { log: quiet, concurrency: 100 })(stream, context)],
  powertoolsFifo: ['Powertools SqsFifoPartialProcessorAsync (one record at a time)', () => processPartialResponse(fifo, call, new SqsFifoPartialProcessorAsync(), { context })],
  faasadeFifo: ['faasade toLambda, FIFO by message group (10 groups), concurrency 10', () => toLambda(handle, { log: quiet })(fifo, context)],
}

const times = Object.fromEntries(Object.keys(variants).map((k) => [k, []]))
for (let round = 0; round < ROUNDS; round++) {
  for (const [key, [, run]] of Object.entries(variants)) {
    const start = performance.now()
    const reply = await run()
    times[key].push(performance.now() - start)
    if (reply?.batchItemFailures?.length) throw new Error(`${key}: unexpected failures`)
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const result = Object.fromEntries(Object.entries(variants).map(([key, [label]]) => [key, { label, medianMs: Math.round(median(times[key])) }]))
result.ratios = {
  stream10VsPowertools: +(result.faasadeStream10.medianMs / result.powertoolsStream.medianMs).toFixed(2),
  stream100VsPowertools: +(result.faasadeStream100.medianMs / result.powertoolsStream.medianMs).toFixed(2),
  fifoVsPowertools: +(result.faasadeFifo.medianMs / result.powertoolsFifo.medianMs).toFixed(2),
}
console.log(JSON.stringify(result, null, 2))
