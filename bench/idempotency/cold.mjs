/**
 * One cold start, in a fresh process: imports a bundled function and hands
 * it its first SQS event (one record, a message id never seen before), then
 * exits. Prints one JSON line: { importMs, firstMs }. With no bundle it
 * does nothing: the empty process every figure is measured against.
 *
 * Usage: node bench/idempotency/cold.mjs [bundle.mjs] [messageId]
 */
import { performance } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'

const [bundle, messageId] = process.argv.slice(2)
if (!bundle) {
  process.stdout.write('{}\n')
} else {
  const t0 = performance.now()
  const { handler } = await import(pathToFileURL(bundle).href)
  const t1 = performance.now()
  const event = {
    Records: [
      {
        messageId,
        receiptHandle: 'AQEB',
        body: JSON.stringify({ orderId: 'A1', amount: 5 }),
        attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()), SenderId: 'AIDA', ApproximateFirstReceiveTimestamp: String(Date.now()) },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:orders',
        awsRegion: 'us-east-1',
      },
    ],
  }
  const context = { awsRequestId: messageId, functionName: 'orders', getRemainingTimeInMillis: () => 30_000 }
  const reply = await handler(event, context)
  const t2 = performance.now()
  if (!reply || reply.batchItemFailures.length !== 0) throw new Error(`the first event failed: ${JSON.stringify(reply)}`)
  process.stdout.write(`${JSON.stringify({ importMs: t1 - t0, firstMs: t2 - t1 })}\n`)
}
