/**
 * Each trigger's native event to CloudEvents, attribute by attribute, through
 * `toLambda` (so the CloudEvent checked is the one a handler sees), with the
 * context each handler gets and the native reply. Real payloads: the fixtures
 * (Powertools' test events) and AWS documentation examples (events.ts).
 */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { createEvent, defineHandler, encodeStructured, toJsonFormat, type CloudEvent } from 'faasade'
import { decodeS3Key, defineMapper, KINESIS_RECORD_TYPE, kinesisMapper, lambdaRaw, SQS_MESSAGE_TYPE, sqsMapper, toLambda, type LambdaOptions } from 'faasade/aws-lambda'
import { scheduledEvent, sqsFifoEvent } from './events.js'
import { captureLog, fixture, kinesisRecord, lambdaContext, recordingHandler, sqsRecord } from './helpers.js'

async function deliver(event: unknown, options: LambdaOptions = {}) {
  const { handler, seen } = recordingHandler()
  const { log, lines } = captureLog()
  const context = lambdaContext()
  const reply = await toLambda(handler, { log, ...options })(event, context)
  return { reply, seen, events: seen.map((s) => ({ ...s.event })), lines, context }
}

const structured = (event: Record<string, unknown>) => encodeStructured({ specversion: '1.0', ...event } as CloudEvent).body as string

describe('SQS', () => {
  it('standard queue (sqs--base): each record a CloudEvent, text and JSON bodies', async () => {
    const event = fixture('sqs--base')
    const { reply, events, seen, context } = await deliver(event)
    expect(events).toEqual([
      {
        specversion: '1.0',
        id: '059f36b4-87a3-44ab-83d2-661975830a7d',
        source: 'arn:aws:sqs:us-east-2:123456789012:my-queue',
        type: SQS_MESSAGE_TYPE,
        time: '2018-12-17T21:37:29.183Z',
        datacontenttype: 'text/plain',
        data: 'Test message.',
        awsreceivecount: 1,
        awsmessageattributes: '{"testAttr":"100"}',
      },
      {
        specversion: '1.0',
        id: '2e1424d4-f796-459a-8184-9c92662be6da',
        source: 'arn:aws:sqs:us-east-2:123456789012:my-queue',
        type: SQS_MESSAGE_TYPE,
        time: '2018-12-17T21:37:30.636Z',
        datacontenttype: 'application/json',
        data: { message: 'foo1' },
        awsreceivecount: 1,
      },
    ])
    expect(reply).toEqual({ batchItemFailures: [] })
    const ctx = seen[0]!.ctx
    expect(ctx.attempt).toBe(1)
    expect(ctx.provider.name).toBe('aws-lambda')
    expect(lambdaRaw(ctx)).toEqual({ trigger: 'sqs', event, context, record: event.Records[0] })
    expect(ctx.deadline).toBeGreaterThan(Date.now() + 25_000)
    expect(ctx.deadline).toBeLessThanOrEqual(Date.now() + 30_000)
  })

  it('FIFO queue (AWS docs): group, deduplication id and sequence number as extensions', async () => {
    const { events } = await deliver(sqsFifoEvent())
    expect(events).toEqual([
      {
        specversion: '1.0',
        id: '11d6ee51-4cc7-4302-9e22-7cd8afdaadf5',
        source: 'arn:aws:sqs:us-east-2:123456789012:fifo.fifo',
        type: SQS_MESSAGE_TYPE,
        time: '2019-11-08T22:18:30.774Z',
        datacontenttype: 'text/plain',
        data: 'Test message.',
        awsreceivecount: 1,
        awsmessagegroupid: '1',
        awsdeduplicationid: '1',
        awssequencenumber: '18849496460467696128',
      },
    ])
  })

  it('a SentTimestamp with no RFC 3339 form (not a number, past year 9999) leaves time out; a stream time with a fraction is rounded', async () => {
    const record = (id: string, sent: string) => ({ ...sqsRecord(id, '{}'), attributes: { ...sqsRecord(id, '{}').attributes, SentTimestamp: sent } })
    const { events } = await deliver({ Records: [record('a', 'soon'), record('b', '253402300800000'), record('c', '253402300799999')] })
    expect(events.map((e) => e.time)).toEqual([undefined, undefined, '9999-12-31T23:59:59.999Z'])
    const kinesis = kinesisRecord('k1', 'x')
    // 1545084650.987 * 1000 is 1545084650986.9998 in binary floating point.
    const { events: streamed } = await deliver({ Records: [{ ...kinesis, kinesis: { ...kinesis.kinesis, approximateArrivalTimestamp: 1545084650.987 } }] })
    expect(streamed[0]?.time).toBe('2018-12-17T22:10:50.987Z')
  })

  it('ctx.attempt is ApproximateReceiveCount', async () => {
    const { seen } = await deliver({ Records: [sqsRecord('m1', 'x', { receiveCount: 4 })] })
    expect(seen[0]!.ctx.attempt).toBe(4)
    expect(seen[0]!.event.awsreceivecount).toBe(4)
  })

  it('binary message attributes travel as their base64', async () => {
    const record = { ...sqsRecord('m1', 'x'), messageAttributes: { Photo: { binaryValue: 'AAEC', stringListValues: [], binaryListValues: [], dataType: 'Binary' }, 'trace-id': { stringValue: 'abc', dataType: 'String' } } }
    const { events } = await deliver({ Records: [record] })
    expect(JSON.parse(events[0]!.awsmessageattributes as string)).toEqual({ Photo: 'AAEC', 'trace-id': 'abc' })
  })

  it('a body that is a structured CloudEvent is unwrapped, unchanged', async () => {
    const inner = { id: 'order-1', source: '/orders', type: 'com.example.order.placed', time: '2026-11-24T08:00:00.000Z', datacontenttype: 'application/json', data: { orderId: 'A1' }, tenant: 'acme' }
    const { events, seen } = await deliver({ Records: [sqsRecord('m1', structured(inner), { receiveCount: 2 })] })
    expect(events).toEqual([{ specversion: '1.0', ...inner }])
    expect(seen[0]!.ctx.attempt).toBe(2) // the delivery facts still reach the context
  })

  it('a CloudEvent body with data_base64 arrives as bytes', async () => {
    const body = JSON.stringify({ specversion: '1.0', id: 'b', source: '/s', type: 't', datacontenttype: 'image/png', data_base64: 'iVBORw==' })
    const { events } = await deliver({ Records: [sqsRecord('m1', body)] })
    expect(events[0]!.data).toEqual(new Uint8Array([0x89, 0x50, 0x4e, 0x47]))
  })

  it('SNS delivered through SQS (sqs--sns-body): the notification is the data', async () => {
    const { events } = await deliver(fixture('sqs--sns-body'))
    expect(events[0]).toMatchObject({ id: '79406a00-bf15-46ca-978c-22c3613fcb30', source: 'arn:aws:sqs:eu-west-1:231436140809:powertools265', datacontenttype: 'application/json' })
    expect(events[0]!.data).toMatchObject({ Type: 'Notification', Message: '{"message": "hello world"}' })
  })

  it('SNS delivered through SQS whose message is a CloudEvent: that CloudEvent', async () => {
    const notification = { ...JSON.parse(fixture('sqs--sns-body').Records[0].body), Message: structured({ id: 'x1', source: '/s', type: 't.x' }) }
    const { events } = await deliver({ Records: [sqsRecord('m1', JSON.stringify(notification))] })
    expect(events).toEqual([{ specversion: '1.0', id: 'x1', source: '/s', type: 't.x' }])
  })

  it('S3 notifications through SQS (s3--sqs-event): the S3 event is JSON data', async () => {
    const { events } = await deliver(fixture('s3--sqs-event'))
    expect(events[0]!.datacontenttype).toBe('application/json')
    expect((events[0]!.data as { Records: unknown[] }).Records).toHaveLength(1)
  })

  it('text that only looks like JSON stays text', async () => {
    const { events } = await deliver({ Records: [sqsRecord('m1', '{not json'), sqsRecord('m2', '  [1, 2]'), sqsRecord('m3', '42'), sqsRecord('m4', '"quoted"')] })
    expect(events.map((e) => [e.datacontenttype, e.data])).toEqual([
      ['text/plain', '{not json'],
      ['application/json', [1, 2]],
      ['text/plain', '42'],
      ['text/plain', '"quoted"'],
    ])
  })

  it('a record that cannot be read is dropped alone, with the field it lacks named', async () => {
    const broken = { ...sqsRecord('m2', 'x'), eventSourceARN: undefined }
    const badEvent = sqsRecord('m3', JSON.stringify({ specversion: '1.0', id: 'x' }))
    // By default nothing is lost: the unreadable records are reported, for the queue's dead-letter queue.
    const byDefault = await deliver({ Records: [sqsRecord('m1', 'ok'), broken, badEvent] })
    expect(byDefault.reply).toEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }, { itemIdentifier: 'm3' }] })
    expect(byDefault.lines.filter((l) => l.msg === 'event failed permanently, reported failed for the dead-letter path').map((l) => l.deliveryId)).toEqual(['m2', 'm3'])
    const { reply, events, lines } = await deliver({ Records: [sqsRecord('m1', 'ok'), broken, badEvent, null] }, { onDrop: 'ack' })
    expect(events.map((e) => e.id)).toEqual(['m1'])
    expect(reply).toEqual({ batchItemFailures: [] })
    const dropped = lines.filter((l) => l.msg === 'event dropped, will not be retried')
    expect(dropped.map((l) => [l.deliveryId, l.errorName])).toEqual([
      ['m2', 'InvalidEventError'],
      ['m3', 'InvalidEventError'],
      [undefined, 'InvalidEventError'],
    ])
    expect(dropped[0]!.errorMessage).toBe('Unreadable record: eventSourceARN is missing')
    expect(dropped[1]!.errorMessage).toMatch(/^Invalid CloudEvent: (source|type) is required/)
  })

  it('sqsMapper({ type }) names the type of plain bodies, to route them; CloudEvent bodies keep theirs', async () => {
    const ce = structured({ id: 'c', source: '/s', type: 'com.example.own' })
    const byQueue = sqsMapper({ type: (record) => (record.eventSourceARN.endsWith(':orders') ? 'com.example.order.placed' : 'other') })
    const { events } = await deliver({ Records: [sqsRecord('m1', '{"orderId":"A1"}'), sqsRecord('m2', 'x', { queue: 'misc' }), sqsRecord('m3', ce)] }, { mappers: [byQueue] })
    expect(events.map((e) => e.type)).toEqual(['com.example.order.placed', 'other', 'com.example.own'])
    const { events: k } = await deliver({ Records: [kinesisRecord('1', '{}')] }, { mappers: [kinesisMapper({ type: 'com.example.tick' })] })
    expect(k[0]!.type).toBe('com.example.tick')
  })

  it('mapped events are valid CloudEvents for any body (property)', async () => {
    const handler = toLambda(recordingHandler().handler, { log: captureLog().log })
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.json(), fc.jsonValue().map((v) => JSON.stringify(v))), async (body) => {
        const reply = await handler({ Records: [sqsRecord('m1', body || ' ')] }, lambdaContext())
        expect(reply).toEqual({ batchItemFailures: [] })
      }),
    )
  })
})

describe('SNS (sns--base), after cloudevents/spec adapters/aws-sns.md', () => {
  it('maps the notification', async () => {
    const event = fixture('sns--base')
    const { events, reply } = await deliver(event)
    expect(events).toEqual([
      {
        specversion: '1.0',
        id: '95df01b4-ee98-5cb9-9903-4c221d41eb5e',
        source: 'arn:aws:sns:us-east-2:123456789012:ExampleTopic',
        type: 'com.amazonaws.sns.Notification',
        subject: 'TestInvoke',
        time: '2019-01-02T12:45:07.000Z',
        datacontenttype: 'application/json',
        data: event.Records[0].Sns,
        awstopicarn: 'arn:aws:sns:us-east-2:123456789012:ExampleTopic',
        awsmessageattributes: '{"Test":"TestString","TestBinary":"TestBinary"}',
      },
    ])
    expect(reply).toBeUndefined()
  })

  it('a message that is a structured CloudEvent is unwrapped', async () => {
    const event = fixture('sns--base')
    event.Records[0].Sns.Message = structured({ id: 'n1', source: '/orders', type: 'com.example.x', data: { a: 1 } })
    const { events } = await deliver(event)
    expect(events).toEqual([{ specversion: '1.0', id: 'n1', source: '/orders', type: 'com.example.x', data: { a: 1 } }])
  })

  // In sns--base the subscription ARN is the topic's; a real one has the subscription id after it.
  it('source is the subscription ARN, awstopicarn the topic (aws-sns.md)', async () => {
    const event = fixture('sns--base')
    event.Records[0].EventSubscriptionArn = 'arn:aws:sns:us-east-2:123456789012:ExampleTopic:21be56ed-a058-49f5-8c98-aedd2564c486'
    const { events } = await deliver(event)
    expect(events[0]).toMatchObject({
      source: 'arn:aws:sns:us-east-2:123456789012:ExampleTopic:21be56ed-a058-49f5-8c98-aedd2564c486',
      awstopicarn: 'arn:aws:sns:us-east-2:123456789012:ExampleTopic',
    })
  })

  it('no subject, no attributes: neither attribute', async () => {
    const event = fixture('sns--base')
    event.Records[0].Sns.Subject = null
    delete event.Records[0].Sns.MessageAttributes
    const { events } = await deliver(event)
    expect(events[0]).not.toHaveProperty('subject')
    expect(events[0]).not.toHaveProperty('awsmessageattributes')
  })
})

describe('S3, after cloudevents/spec adapters/aws-s3.md', () => {
  it('s3--base', async () => {
    const event = fixture('s3--base')
    const { events, reply } = await deliver(event)
    expect(events).toEqual([
      {
        specversion: '1.0',
        id: 'D82B88E5F771F645.vlR7PnpV2Ce81l0PRw6jlUpck7Jo5ZsQjryTjKlc5aLWGVHPZLj5NeC6qMa0emYBDXOo6QBU0Wo=',
        source: 'aws:s3.us-east-2.lambda-artifacts-deafc19498e3f2df',
        type: 'com.amazonaws.s3.ObjectCreated:Put',
        subject: 'b21b84d653bb07b05b1e6b33684dc11b',
        time: '2019-09-03T19:37:27.192Z',
        datacontenttype: 'application/json',
        data: event.Records[0],
      },
    ])
    expect(reply).toBeUndefined()
  })

  it('the key as S3 sends it (URL-encoded), deletions and lifecycle events', async () => {
    const { events: decoded } = await deliver(fixture('s3--decoded-key'))
    expect(decoded[0]).toMatchObject({ subject: 'Happy%20Face.jpg', source: 'aws:s3.us-east-1.sourcebucket', time: '1970-01-01T00:00:00.123Z' })
    // "The s3 key provided in the Amazon S3 event notification is URL encoded": 'red flower.jpg' arrives as 'red+flower.jpg'.
    const spaced = fixture('s3--base')
    spaced.Records[0].s3.object.key = 'photos/red+flower%C3%A9.jpg'
    const { events: [photo] } = await deliver(spaced)
    expect(photo!.subject).toBe('photos/red+flower%C3%A9.jpg')
    expect(decodeS3Key(photo!.subject!)).toBe('photos/red floweré.jpg')
    const { events: deleted } = await deliver(fixture('s3--delete-object'))
    expect(deleted[0]!.type).toBe('com.amazonaws.s3.ObjectRemoved:Delete')
    const { events: lifecycle } = await deliver(fixture('s3--s3-lifecycle-event'))
    expect(lifecycle[0]).toMatchObject({ type: 'com.amazonaws.s3.LifecycleExpiration:Delete', subject: 'expiration/delete' })
    const { events: glacier } = await deliver(fixture('s3--glacier'))
    expect(glacier[0]!.data).toHaveProperty('glacierEventData')
  })
})

describe('EventBridge', () => {
  it('eventbridge--base: id, source, detail-type, resources[0], time, detail', async () => {
    const { events, reply } = await deliver(fixture('eventbridge--base'))
    expect(events).toEqual([
      {
        specversion: '1.0',
        id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
        source: 'aws.ec2',
        type: 'EC2 Instance State-change Notification',
        subject: 'arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0',
        time: '2017-12-22T18:43:48Z',
        datacontenttype: 'application/json',
        data: { instance_id: 'i-1234567890abcdef0', state: 'terminated' },
        awsaccount: '111122223333',
        awsregion: 'us-west-1',
      },
    ])
    expect(reply).toBeUndefined()
  })

  it('a scheduled event (AWS docs)', async () => {
    const { events } = await deliver(scheduledEvent())
    expect(events).toEqual([
      {
        specversion: '1.0',
        id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
        source: 'aws.events',
        type: 'Scheduled Event',
        subject: 'arn:aws:events:us-east-1:123456789012:rule/my-scheduled-rule',
        time: '2015-10-08T16:53:06Z',
        datacontenttype: 'application/json',
        data: {},
        awsaccount: '123456789012',
        awsregion: 'us-east-1',
      },
    ])
  })

  it('S3 events through EventBridge', async () => {
    const { events } = await deliver(fixture('s3--eventbridge-object-created'))
    expect(events[0]).toMatchObject({ source: 'aws.s3', type: 'Object Created', subject: 'arn:aws:s3:::example-bucket', time: '2023-03-08T17:50:14Z' })
  })

  it('a detail that is a structured CloudEvent is unwrapped', async () => {
    const event = { ...scheduledEvent(), 'detail-type': 'CloudEvent', detail: { specversion: '1.0', id: 'e1', source: '/x', type: 'com.example.e' } }
    const { events } = await deliver(event)
    expect(events).toEqual([{ specversion: '1.0', id: 'e1', source: '/x', type: 'com.example.e' }])
  })
})

describe('DynamoDB Streams (dynamodb--base)', () => {
  it('each change a CloudEvent in DynamoDB JSON', async () => {
    const event = fixture('dynamodb--base')
    const { events, reply } = await deliver(event)
    expect(events).toEqual([
      {
        specversion: '1.0',
        id: '1',
        source: 'eventsource_arn',
        type: 'com.amazonaws.dynamodb.INSERT',
        time: '2023-09-06T10:45:55.000Z',
        datacontenttype: 'application/json',
        data: event.Records[0].dynamodb,
        awssequencenumber: '111',
      },
      {
        specversion: '1.0',
        id: '2',
        source: 'source_arn',
        type: 'com.amazonaws.dynamodb.MODIFY',
        datacontenttype: 'application/json',
        data: event.Records[1].dynamodb,
        awssequencenumber: '222',
      },
    ])
    expect(reply).toEqual({ batchItemFailures: [] })
  })
})

describe('Kinesis', () => {
  it('kinesis--stream: data that is not JSON arrives as the bytes put', async () => {
    const { events } = await deliver(fixture('kinesis--stream'))
    expect(events[0]).toEqual({
      specversion: '1.0',
      id: 'shardId-000000000006:49590338271490256608559692538361571095921575989136588898',
      source: 'arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream',
      type: KINESIS_RECORD_TYPE,
      time: '2018-12-17T22:10:50.987Z',
      datacontenttype: 'application/octet-stream',
      data: new Uint8Array(Buffer.from('Hello, this is a test.')),
      awspartitionkey: '1',
      awssequencenumber: '49590338271490256608559692538361571095921575989136588898',
    })
    expect(events[1]).toMatchObject({ time: '2018-12-17T22:11:51.166Z', data: new Uint8Array(Buffer.from('This is only a test.')) })
  })

  it('JSON data is parsed (kinesis--dynamodb-stream), gzip stays bytes (kinesis--stream-cloudwatch-logs)', async () => {
    const { events } = await deliver(fixture('kinesis--dynamodb-stream'))
    expect(events[0]).toMatchObject({ datacontenttype: 'application/json', time: '2024-11-18T10:09:15.932Z', awspartitionkey: '859F7C064A4818874FA67ABEC9BF2AF1' })
    expect(events[0]!.data).toMatchObject({ eventName: 'INSERT', tableName: 'PowertoolsEventsStack-DynamoDBTable59784FC0-8NKAMTERTAXY' })
    const { events: logs } = await deliver(fixture('kinesis--stream-cloudwatch-logs'))
    expect(logs[0]!.datacontenttype).toBe('application/octet-stream')
    expect((logs[0]!.data as Uint8Array).subarray(0, 2)).toEqual(new Uint8Array([0x1f, 0x8b]))
  })

  it('data that is a structured CloudEvent is unwrapped; bytes that are not UTF-8 stay bytes', async () => {
    const bytes = new Uint8Array([0x7b, 0xff, 0xfe])
    const { events } = await deliver({ Records: [kinesisRecord('1', structured({ id: 'k1', source: '/k', type: 't.k' })), kinesisRecord('2', bytes)] })
    expect(events[0]).toEqual({ specversion: '1.0', id: 'k1', source: '/k', type: 't.k' })
    expect(events[1]!.data).toEqual(bytes)
  })
})

describe('a CloudEvent invoked directly', () => {
  const event = { specversion: '1.0', id: 'd1', source: '/direct', type: 'com.example.direct', datacontenttype: 'application/json', data: { n: 1 }, tenant: 'acme' }

  it('reaches the handler unchanged and its result is the reply', async () => {
    const { events, reply, seen, context } = await deliver(event)
    expect(events).toEqual([event])
    expect(reply).toEqual({ ok: 'd1' })
    expect(lambdaRaw(seen[0]!.ctx)).toEqual({ trigger: 'cloudevent', event, context, record: event })
  })

  it('a dropped one throws by default (the on-failure destination gets it), returns its problem document with onDrop: ack; a retried one throws', async () => {
    await expect(deliver({ ...event, data: { fail: 'permanent' } })).rejects.toMatchObject({ name: 'PermanentError' })
    const { reply } = await deliver({ ...event, data: { fail: 'permanent' } }, { onDrop: 'ack' })
    expect(reply).toEqual({ type: 'about:blank', title: 'Permanent failure', status: 422 })
    await expect(deliver({ ...event, data: { fail: 'retry' } })).rejects.toThrow('retry d1')
  })

  it('an invalid one is a 400-style problem, never a crash', async () => {
    const { reply, seen } = await deliver({ specversion: '1.0', id: 'd2', source: '/direct' }, { onDrop: 'ack' })
    expect(seen).toHaveLength(0)
    expect(reply).toMatchObject({ status: 400, title: 'Invalid CloudEvent', detail: 'type is required' })
    const { reply: wrongVersion } = await deliver({ specversion: '0.3', id: 'd3', source: '/s', type: 't' }, { onDrop: 'ack' })
    expect(wrongVersion).toMatchObject({ status: 400 })
  })

  it('a returned CloudEvent comes back in the JSON format, bytes as base64', async () => {
    const out = createEvent({ id: 'out', source: '/direct', type: 'com.example.reply', datacontenttype: 'image/png', data: new Uint8Array([1, 2]) })
    const echo = defineHandler({ handle: () => out })
    expect(await toLambda(echo)(event, lambdaContext())).toEqual(toJsonFormat(out))
    expect(await toLambda(defineHandler({ handle: () => new Uint8Array([1, 2]) }))(event, lambdaContext())).toBe('AQI=')
  })
})

describe('lambdaRaw(ctx).trigger', () => {
  it("names a mapper of one's own 'custom', with its name, and a built-in one taken over (sqsMapper({ type })) by the built-in name", async () => {
    const seen: unknown[] = []
    const handler = defineHandler({ handle: (_event, ctx) => void seen.push(lambdaRaw(ctx)?.trigger === 'custom' ? ['custom', lambdaRaw(ctx)] : lambdaRaw(ctx)?.trigger) })
    const ping = defineMapper({
      kind: 'events',
      name: 'ping',
      match: (event): event is { ping: string } => typeof (event as { ping?: unknown } | null)?.ping === 'string',
      toEvents: (event) => [{ event: createEvent({ id: event.ping, source: '/ping', type: 'com.example.ping' }), record: event }],
      reply: () => null,
    })
    const lambda = toLambda(handler, { log: captureLog().log, mappers: [ping, sqsMapper({ type: 'com.example.q' })] })
    await lambda({ ping: 'p1' }, lambdaContext())
    await lambda({ Records: [sqsRecord('m1', '{}')] }, lambdaContext())
    expect(seen).toEqual([['custom', expect.objectContaining({ trigger: 'custom', mapper: 'ping', record: { ping: 'p1' } })], 'sqs'])
  })
})
