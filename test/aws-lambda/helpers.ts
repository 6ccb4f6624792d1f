/**
 * Shared pieces of the Lambda adapter tests: fixtures, a Lambda context, a
 * logger that keeps its lines, and a handler that records what it saw.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { createLogger, defineHandler, PermanentError, RetryableError, type CloudEvent, type Context, type LogLevel } from 'faasade'
import type { LambdaContext } from 'faasade/aws-lambda'

const FIXTURES = fileURLToPath(new URL('../fixtures/aws/', import.meta.url))

/** Every fixture file name (`sqs--base.json`, …). */
export const fixtureNames: readonly string[] = readdirSync(FIXTURES).filter((name) => name.endsWith('.json')).sort()

/** A fresh copy of a fixture (tests may change it). */
export function fixture<T = Record<string, any>>(name: string): T {
  return JSON.parse(readFileSync(`${FIXTURES}${name}.json`, 'utf8')) as T
}

/** A Lambda context as the runtime builds one, with `remainingMs` left. */
export function lambdaContext(remainingMs = 30_000, requestId = 'req-1'): LambdaContext {
  const deadline = Date.now() + remainingMs
  return {
    awsRequestId: requestId,
    functionName: 'orders',
    invokedFunctionArn: 'arn:aws:lambda:us-east-2:123456789012:function:orders',
    getRemainingTimeInMillis: () => deadline - Date.now(),
  }
}

export interface LogLine {
  level: LogLevel
  [field: string]: unknown
}

/** A logger that keeps every line, parsed. */
export function captureLog() {
  const lines: LogLine[] = []
  const log = createLogger({ level: 'debug', sink: (line) => lines.push(JSON.parse(line) as LogLine) })
  return { log, lines }
}

export interface Seen {
  event: CloudEvent
  ctx: Context
}

/**
 * A catch-all handler that records each event and behaves as its data says:
 * `{ fail: 'retry' | 'permanent' | 'throw' }` fails that way, anything else
 * succeeds with `{ ok: event.id }`.
 */
export function recordingHandler() {
  const seen: Seen[] = []
  const handler = defineHandler({
    name: 'recorder',
    handle(event, ctx) {
      seen.push({ event, ctx })
      const fail = (event.data as { fail?: string } | undefined)?.fail
      if (fail === 'retry') throw new RetryableError(`retry ${event.id}`)
      if (fail === 'permanent') throw new PermanentError(`permanent ${event.id}`)
      if (fail === 'throw') throw new Error(`boom ${event.id}`)
      return { ok: event.id }
    },
  })
  return { handler, seen }
}

/** An SQS record in the exact shape Lambda delivers (docs.aws.amazon.com/lambda/latest/dg/with-sqs.html). */
export function sqsRecord(messageId: string, body: string, extra: { fifo?: { group: string; sequence: string }; receiveCount?: number; queue?: string } = {}) {
  const queue = extra.queue ?? (extra.fifo ? 'orders.fifo' : 'orders')
  return {
    messageId,
    receiptHandle: `AQEB${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: String(extra.receiveCount ?? 1),
      SentTimestamp: '1545082649183',
      SenderId: 'AIDAIENQZJOLO23YVJ4VO',
      ApproximateFirstReceiveTimestamp: '1545082649185',
      ...(extra.fifo ? { SequenceNumber: extra.fifo.sequence, MessageGroupId: extra.fifo.group, MessageDeduplicationId: `dedup-${messageId}` } : {}),
    },
    messageAttributes: {},
    md5OfBody: 'e4e68fb7bd0e697a0ae8f1bb342846b3',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:us-east-2:123456789012:${queue}`,
    awsRegion: 'us-east-2',
  }
}

/** A Kinesis record as Lambda delivers it (docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html). */
export function kinesisRecord(sequenceNumber: string, data: string | Uint8Array) {
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: '1',
      sequenceNumber,
      data: Buffer.from(data).toString('base64'),
      approximateArrivalTimestamp: 1545084650.987,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `shardId-000000000006:${sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: 'arn:aws:iam::123456789012:role/lambda-role',
    awsRegion: 'us-east-2',
    eventSourceARN: 'arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream',
  }
}
