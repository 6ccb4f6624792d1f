/**
 * Outcomes in Lambda's words (the outcome table): partial batch failures for
 * SQS, Kinesis and DynamoDB Streams (ordered sources: the failed record and
 * every later one), a thrown error or a return for async invokes, and the
 * `onDrop` option. Properties over arbitrary batches and failure sets.
 */
import { describe, expect, it, vi } from 'vitest'
import fc from 'fast-check'
import { defineHandler, TimeoutError, type Logger } from 'faasade'
import { toLambda } from 'faasade/aws-lambda'
import { scheduledEvent, sqsFifoEvent } from './events.js'
import { captureLog, fixture, kinesisRecord, lambdaContext, recordingHandler, sqsRecord } from './helpers.js'

type Behaviour = 'ok' | 'retry' | 'throw' | 'permanent'
const behaviour = fc.constantFrom<Behaviour>('ok', 'ok', 'retry', 'throw', 'permanent')
const body = (b: Behaviour) => JSON.stringify(b === 'ok' ? { n: 1 } : { fail: b })
const isRetry = (b: Behaviour) => b === 'retry' || b === 'throw'

const sqsBatch = (behaviours: Behaviour[], fifo = false) => ({
  Records: behaviours.map((b, i) => sqsRecord(`m${i}`, body(b), fifo ? { fifo: { group: 'g', sequence: String(1000 + i) } } : {})),
})

async function run(event: unknown, options: { failPermanent?: boolean; concurrency?: number; remainingMs?: number } = {}) {
  const { handler, seen } = recordingHandler()
  const { log, lines } = captureLog()
  const { remainingMs, failPermanent, ...rest } = options
  const reply = await toLambda(handler, { log, ...rest, onDrop: failPermanent ? 'dead-letter' : 'ack' })(event, lambdaContext(remainingMs))
  // The failure lines: each delivery's summary line is test/observability's.
  return { reply, seen, lines: lines.filter((l) => l.msg !== 'delivery finished') }
}

const ids = (reply: unknown) => (reply as { batchItemFailures: Array<{ itemIdentifier: string }> }).batchItemFailures.map((f) => f.itemIdentifier)

describe('SQS standard queue', () => {
  it('reports exactly the failed records (property: any size, any failure set)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(behaviour, { minLength: 1, maxLength: 25 }), fc.boolean(), async (behaviours, failPermanent) => {
        const { reply, seen, lines } = await run(sqsBatch(behaviours), { failPermanent })
        const failed = behaviours.flatMap((b, i) => (isRetry(b) || (failPermanent && b === 'permanent') ? [`m${i}`] : []))
        expect(ids(reply)).toEqual(failed)
        expect(seen).toHaveLength(behaviours.length) // every record ran
        // One log line a failed record; a drop at warn, unless it is reported for the DLQ.
        expect(lines.filter((l) => l.level === 'error' || l.level === 'warn')).toHaveLength(behaviours.filter((b) => b !== 'ok').length)
      }),
      { numRuns: 60 },
    )
  })

  it('a permanent failure is logged and not redelivered; with onDrop: dead-letter it goes to the DLQ', async () => {
    const batch = sqsBatch(['ok', 'permanent', 'throw'])
    const settled = await run(batch)
    expect(settled.reply).toEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }] })
    expect(settled.lines.map((l) => [l.level, l.msg, l.deliveryId, l.errorName ?? 'Error'])).toEqual([
      ['warn', 'event dropped, will not be retried', 'm1', 'PermanentError'],
      ['error', 'event failed, will be retried', 'm2', 'Error'],
    ])
    const dlq = await run(batch, { failPermanent: true })
    expect(dlq.reply).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }, { itemIdentifier: 'm2' }] })
    expect(dlq.lines[0]).toMatchObject({ level: 'error', msg: 'event failed permanently, reported failed for the dead-letter path', deliveryId: 'm1' })
  })

  it('runs at most `concurrency` records at once', async () => {
    let inFlight = 0
    let most = 0
    const slow = defineHandler({
      async handle() {
        most = Math.max(most, ++inFlight)
        await new Promise((r) => setTimeout(r, 5))
        inFlight--
      },
    })
    await toLambda(slow, { concurrency: 3 })(sqsBatch(Array(10).fill('ok')), lambdaContext())
    expect(most).toBe(3)
    most = 0
    await toLambda(slow)(sqsBatch(Array(10).fill('ok')), lambdaContext())
    expect(most).toBe(10)
  })

  it('a deadline already passed: nothing runs and every record is retried (TimeoutError)', async () => {
    const { reply, seen, lines } = await run(sqsBatch(['ok', 'ok']), { remainingMs: 0 })
    expect(seen).toHaveLength(0)
    expect(ids(reply)).toEqual(['m0', 'm1'])
    expect(lines[0]).toMatchObject({ level: 'warn', msg: "no time left for handlers: the deadline passed before the delivery started", timeoutMarginMs: 100 })
    expect(lines[1]).toMatchObject({ errorName: 'TimeoutError' })
    expect(new TimeoutError('x').retryable).toBe(true)
  })

  it('ctx.deadline is timeoutMarginMs (default 100 ms) before Lambda\'s timeout', async () => {
    const deadlines: number[] = []
    const handler = defineHandler({ handle: (_event, ctx) => void deadlines.push(ctx.deadline) })
    const context = lambdaContext(10_000)
    const lambdaDeadline = Date.now() + context.getRemainingTimeInMillis!()
    await toLambda(handler)(sqsBatch(['ok']), context)
    await toLambda(handler, { timeoutMarginMs: 2_000 })(sqsBatch(['ok']), context)
    expect(deadlines[0]).toBeGreaterThanOrEqual(lambdaDeadline - 100 - 50)
    // 2 ms of slack: the test and deadlineOf each read the clock twice.
    expect(deadlines[0]).toBeLessThanOrEqual(lambdaDeadline - 100 + 2)
    expect(deadlines[1]).toBeLessThanOrEqual(lambdaDeadline - 2_000 + 2)
  })

  it("ctx.signal aborts at ctx.deadline, with a TimeoutError, so a handler's own I/O stops in time", async () => {
    const seen: Array<{ reason: unknown; late: number }> = []
    const waits = defineHandler({
      handle: (_event, ctx) =>
        new Promise((_resolve, reject) =>
          ctx.signal.addEventListener('abort', () => {
            seen.push({ reason: ctx.signal.reason, late: Date.now() - ctx.deadline })
            reject(ctx.signal.reason)
          }),
        ),
    })
    const { log } = captureLog()
    const reply = await toLambda(waits, { log, timeoutMarginMs: 100 })(sqsBatch(['ok']), lambdaContext(300))
    expect(ids(reply)).toEqual(['m0'])
    // The batch's own cut is armed 1 ms after the deadline: the abort may come just after the reply.
    await vi.waitFor(() => expect(seen).toHaveLength(1))
    expect(seen[0]!.reason).toBeInstanceOf(TimeoutError)
    // Not before the deadline (a timer may fire a little after it).
    expect(seen[0]!.late).toBeGreaterThanOrEqual(-1)
  })

  // Without the cut, Lambda would time the invocation out and redeliver all ten.
  it('a record still running at the deadline is reported failed, and the others\' outcomes go out in time', async () => {
    const { log, lines } = captureLog()
    const hangs = defineHandler({ handle: (event) => (event.id === 'm1' || event.id === 'm3' ? new Promise(() => {}) : undefined) })
    // The records that hang never settle: that the reply comes at all is the cut.
    const reply = await toLambda(hangs, { log, timeoutMarginMs: 100 })(sqsBatch(['ok', 'ok', 'ok', 'ok', 'throw']), lambdaContext(250))
    expect(ids(reply)).toEqual(['m1', 'm3'])
    // One line for the cut, whatever the batch's size: no line an item while the reply waits.
    expect(lines.filter((l) => l.msg === 'items unfinished at the deadline, reported for redelivery')).toEqual([expect.objectContaining({ level: 'warn', unfinished: 2, running: 2, firstDeliveryIds: ['m1', 'm3'] })])
    expect(lines.filter((l) => l.msg === 'event failed, will be retried')).toEqual([])
  })

  // Cost, not semantics: no timer could fire before such a batch is done,
  // and the first timer of a process costs a cold start about 0.2 ms.
  it('a batch done within a few microtask turns arms no deadline timer', async () => {
    const spy = vi.spyOn(globalThis, 'setTimeout')
    try {
      await toLambda(recordingHandler().handler, { log: captureLog().log })(sqsBatch(['ok', 'ok', 'throw']), lambdaContext())
      expect(spy).not.toHaveBeenCalled()
    } finally {
      spy.mockRestore()
    }
  })

  it('in an ordered batch, the record running at the deadline and every later one are reported', async () => {
    const hangs = defineHandler({ handle: (event) => (event.id === 'm1' ? new Promise(() => {}) : undefined) })
    const reply = await toLambda(hangs, { log: captureLog().log })(sqsBatch(['ok', 'ok', 'ok'], true), lambdaContext(150))
    expect(ids(reply)).toEqual(['m1', 'm2'])
  })

  it('a record that settles after the reply says so in a line of its own; records never started do not', async () => {
    const { log, lines } = captureLog()
    const slow = defineHandler({ handle: (event) => (event.id === 'm1' ? new Promise((resolve) => setTimeout(resolve, 150)) : undefined) })
    const reply = await toLambda(slow, { log })(sqsBatch(['ok', 'ok', 'ok'], true), lambdaContext(150))
    expect(ids(reply)).toEqual(['m1', 'm2'])
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(lines.filter((l) => l.msg === 'item settled after its batch replied; it was reported for redelivery')).toEqual([expect.objectContaining({ level: 'warn', trigger: 'sqs', deliveryId: 'm1', outcome: 'ok' })])
  })

  // Found in review: the line waited for the whole batch, so one record that never settles kept every other's unwritten.
  it('the late line of a record is written when it settles, not when the whole batch does', async () => {
    const { log, lines } = captureLog()
    const slow = defineHandler({ handle: (event) => (event.id === 'm1' ? new Promise((resolve) => setTimeout(resolve, 150)) : event.id === 'm2' ? new Promise(() => {}) : undefined) })
    const reply = await toLambda(slow, { log })(sqsBatch(['ok', 'ok', 'ok']), lambdaContext(150))
    expect(ids(reply)).toEqual(['m1', 'm2'])
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(lines.filter((l) => l.msg === 'item settled after its batch replied; it was reported for redelivery').map((l) => l.deliveryId)).toEqual(['m1'])
  })

  it('waitUntil work that outlives the deadline does not hold the reply', async () => {
    const lingers = defineHandler({ handle: (_event, ctx) => ctx.waitUntil(new Promise(() => {})) })
    const reply = await toLambda(lingers)(sqsBatch(['ok']), lambdaContext(150))
    expect(ids(reply)).toEqual([])
  })

  // Found in review: the rejection went unhandled, and the reply waited for the deadline.
  it('a batch that rejects (a Logger that throws) fails the invocation at once, as before the deadline cut', async () => {
    const throwing: Logger = { debug() {}, info() {}, warn() {}, error: () => { throw new Error('logger down') }, child: () => throwing }
    const lingers = defineHandler({ handle: (_event, ctx) => ctx.waitUntil(Promise.reject(new Error('flush failed'))) })
    await expect(toLambda(lingers, { log: throwing })(sqsBatch(['ok']), lambdaContext(60_000))).rejects.toThrow('logger down')
  })

  // Found in review: setTimeout fires at once past 2^31 - 1 ms, which cut every record.
  it('a remaining time past the range of a timer (a local harness) cuts nothing', async () => {
    const slow = defineHandler({ handle: () => new Promise((resolve) => setTimeout(resolve, 20)) })
    const reply = await toLambda(slow, { log: captureLog().log })(sqsBatch(['ok', 'ok']), lambdaContext(1e12))
    expect(ids(reply)).toEqual([])
  })

  it('refuses a timeoutMarginMs that is not a finite number of at least 0', () => {
    for (const timeoutMarginMs of [-1, Infinity, NaN, '100']) {
      expect(() => toLambda(recordingHandler().handler, { timeoutMarginMs } as never)).toThrow('timeoutMarginMs must be a finite number of at least 0')
    }
  })

  it('an empty Records array is no SQS event at all', async () => {
    // Lambda never sends one, but a mapper match needs a first record: it is an unknown shape.
    await expect(run({ Records: [] })).rejects.toThrow('No mapper matches')
  })
})

describe('ordered sources stop at the first failure and report it and every later record', () => {
  it('SQS FIFO (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(behaviour, { minLength: 1, maxLength: 20 }), fc.boolean(), async (behaviours, failPermanent) => {
        const { reply, seen, lines } = await run(sqsBatch(behaviours, true), { failPermanent })
        const stops = (b: Behaviour) => isRetry(b) || (failPermanent && b === 'permanent')
        const first = behaviours.findIndex(stops)
        const failed = first < 0 ? [] : behaviours.slice(first).map((_, i) => `m${first + i}`)
        expect(ids(reply)).toEqual(failed) // a suffix
        expect(seen.map((s) => s.event.id)).toEqual(behaviours.slice(0, first < 0 ? undefined : first + 1).map((_, i) => `m${i}`))
        const skipped = first < 0 ? 0 : behaviours.length - first - 1
        const summary = lines.filter((l) => l.msg === 'ordered batch stopped at a failure: later items not run, reported for retry')
        expect(summary).toEqual(skipped > 0 ? [expect.objectContaining({ trigger: 'sqs', skipped })] : [])
      }),
      { numRuns: 60 },
    )
  })

  // Since 2025 a standard queue's messages may carry a MessageGroupId too ("fair
  // queues": "In standard queues, using MessageGroupId enables fair queues",
  // SQS Developer Guide, using-messagegroupid-property): only the name tells FIFO.
  it('a fair (standard) queue with message groups is not ordered: every record runs, only the failure is reported', async () => {
    const tenant = (id: string, group: string, b: string) => {
      const record = sqsRecord(id, b)
      Object.assign(record.attributes, { MessageGroupId: group })
      return record
    }
    const { reply, seen } = await run({ Records: [tenant('a', 'tenantA', body('throw')), tenant('b', 'tenantB', body('ok')), tenant('c', 'tenantA', body('ok'))] })
    expect(ids(reply)).toEqual(['a'])
    expect(seen.map((s) => s.event.id).sort()).toEqual(['a', 'b', 'c'])
  })

  it('FIFO is known by a .fifo queue name (AWS docs event, and ours)', async () => {
    const docs = sqsFifoEvent()
    docs.Records.push({ ...docs.Records[0]!, messageId: 'second' })
    docs.Records[0]!.body = body('retry')
    expect(ids((await run(docs)).reply)).toEqual(['11d6ee51-4cc7-4302-9e22-7cd8afdaadf5', 'second'])
    const byName = { Records: [sqsRecord('a', body('throw'), { queue: 'jobs.fifo' }), sqsRecord('b', body('ok'), { queue: 'jobs.fifo' })] }
    expect(ids((await run(byName)).reply)).toEqual(['a', 'b'])
    const standard = { Records: [sqsRecord('a', body('throw')), sqsRecord('b', body('ok'))] }
    expect(ids((await run(standard)).reply)).toEqual(['a'])
  })

  it('Kinesis: by sequence number (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(behaviour, { minLength: 1, maxLength: 15 }), async (behaviours) => {
        const event = { Records: behaviours.map((b, i) => kinesisRecord(`4959${i}`, body(b))) }
        const { reply } = await run(event)
        const first = behaviours.findIndex(isRetry)
        expect(ids(reply)).toEqual(first < 0 ? [] : behaviours.slice(first).map((_, i) => `4959${first + i}`))
      }),
      { numRuns: 40 },
    )
  })

  it('DynamoDB Streams: by sequence number', async () => {
    const event = fixture('dynamodb--base')
    event.Records.push({ ...structuredClone(event.Records[1]), eventID: '3', dynamodb: { ...event.Records[1].dynamodb, SequenceNumber: '333' } })
    event.Records[1].dynamodb.fail = 'throw'
    const { reply, seen } = await run(event)
    expect(reply).toEqual({ batchItemFailures: [{ itemIdentifier: '222' }, { itemIdentifier: '333' }] })
    expect(seen.map((s) => s.event.id)).toEqual(['1', '2'])
  })

  it('a dropped record does not stop the batch, unless onDrop is dead-letter', async () => {
    const event = { Records: [kinesisRecord('1', body('permanent')), kinesisRecord('2', body('ok'))] }
    expect(await run(event)).toMatchObject({ reply: { batchItemFailures: [] } })
    expect((await run(event, { failPermanent: true })).reply).toEqual({ batchItemFailures: [{ itemIdentifier: '1' }, { itemIdentifier: '2' }] })
  })

  it('a record that cannot be read is a drop, and keeps its place', async () => {
    const event = { Records: [kinesisRecord('1', body('ok')), { ...kinesisRecord('2', 'x'), kinesis: null }, kinesisRecord('3', body('throw'))] }
    const { reply, lines } = await run(event)
    expect(reply).toEqual({ batchItemFailures: [{ itemIdentifier: '3' }] })
    expect(lines[0]).toMatchObject({ level: 'warn', errorName: 'InvalidEventError', errorMessage: 'Unreadable record: kinesis must be an object' })
  })
})

describe('async invokes (SNS, S3, EventBridge)', () => {
  const sns = (b: Behaviour) => {
    const event = fixture('sns--base')
    if (b !== 'ok') event.Records[0].Sns.fail = b
    return event
  }
  const eventBridge = (b: Behaviour) => ({ ...scheduledEvent(), detail: b === 'ok' ? {} : { fail: b } })

  for (const [name, make] of [['SNS', sns], ['EventBridge', eventBridge]] as const) {
    it(`${name}: ok returns, a retry throws for Lambda to retry, a drop is logged and returns`, async () => {
      expect((await run(make('ok'))).reply).toBeUndefined()
      await expect(run(make('retry'))).rejects.toMatchObject({ name: 'RetryableError' })
      // The handler's own error, not 'Internal error': Lambda's error reporting (and the on-failure destination) shows it.
      await expect(run(make('throw'))).rejects.toMatchObject({ name: 'Error', message: expect.stringMatching(/^boom/) })
      const dropped = await run(make('permanent'))
      expect(dropped.reply).toBeUndefined()
      expect(dropped.lines).toEqual([expect.objectContaining({ level: 'warn', msg: 'event dropped, will not be retried', errorName: 'PermanentError' })])
      await expect(run(make('permanent'), { failPermanent: true })).rejects.toMatchObject({ name: 'PermanentError' })
    })
  }

  it('S3: one record of two failing throws, so Lambda retries the event', async () => {
    const event = fixture('s3--base')
    const second = structuredClone(event.Records[0])
    second.s3.object.key = 'other'
    event.Records.push(second)
    let calls = 0
    const flaky = defineHandler({
      handle(e) {
        calls++
        if (e.subject === 'other') throw new Error('not yet')
      },
    })
    await expect(toLambda(flaky, { log: captureLog().log })(event, lambdaContext())).rejects.toThrow('not yet')
    expect(calls).toBe(2)
  })
})
