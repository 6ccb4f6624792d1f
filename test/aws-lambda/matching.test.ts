/**
 * Which mapper takes which event: every fixture and documentation example
 * fed to every built-in mapper. Exactly one matches each event faasade
 * knows, none matches the others, and an event no mapper matches is a
 * PermanentError naming its top-level keys, never its values.
 */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { PermanentError } from 'faasade'
import { BUILT_IN_MAPPERS, defineMapper, toLambda, unknownEvent } from 'faasade/aws-lambda'
import { albEvent, albMultiValueEvent, apiGatewayV1Event, apiGatewayV2Event, scheduledEvent, sqsFifoEvent } from './events.js'
import { captureLog, fixture, fixtureNames, lambdaContext, recordingHandler } from './helpers.js'

/** The mapper each fixture belongs to; `null`: a Lambda event faasade does not map. */
const EXPECTED: Record<string, string | null> = {
  'alb--base': 'alb',
  'alb--multi-fields': 'alb',
  // Authorizer events answer with a policy, not an HTTP reply: not requests.
  'apigw-http--authorizer-request': null,
  'apigw-http--iam-auth': 'apigateway-v2',
  // Powertools' "invalid" v2 event is a valid v1 (REST) event: it is served as one.
  'apigw-http--invalid': 'apigateway-v1',
  'apigw-http--jwt-authorizer-auth': 'apigateway-v2',
  'apigw-http--lambda-authorizer-auth': 'apigateway-v2',
  'apigw-http--no-auth': 'apigateway-v2',
  'apigw-rest--authorizer-request': null,
  'apigw-rest--authorizer-token': null,
  'apigw-rest--console-test-ui': 'apigateway-v1',
  'apigw-rest--iam-auth': 'apigateway-v1',
  'apigw-rest--invalid': 'apigateway-v1',
  'apigw-rest--jwt-authorizer-auth': 'apigateway-v1',
  'apigw-rest--lambda-authorizer-auth': 'apigateway-v1',
  'apigw-rest--no-auth': 'apigateway-v1',
  'apigw-rest--websocket': 'apigateway-v1',
  'cloudwatch--base': null,
  'dynamodb--base': 'dynamodb',
  'eventbridge--base': 'eventbridge',
  'kinesis--dynamodb-stream': 'kinesis',
  'kinesis--firehose': null,
  'kinesis--firehose-put': null,
  'kinesis--firehose-sqs': null,
  'kinesis--firehose-sqs-invalid': null,
  'kinesis--stream': 'kinesis',
  'kinesis--stream-cloudwatch-logs': 'kinesis',
  'lambda--base': 'apigateway-v2',
  'lambda--get-request': 'apigateway-v2',
  'lambda--iam-auth': 'apigateway-v2',
  'lambda--invalid': 'apigateway-v2',
  's3--base': 's3',
  's3--decoded-key': 's3',
  's3--delete-object': 's3',
  's3--eventbridge-object-created': 'eventbridge',
  's3--eventbridge-object-deleted': 'eventbridge',
  's3--eventbridge-object-expired': 'eventbridge',
  's3--eventbridge-object-restored': 'eventbridge',
  's3--glacier': 's3',
  // S3 Object Lambda (getObjectContext) expects WriteGetObjectResponse, not a reply.
  's3--object-iam-user': null,
  's3--object-temp-credentials': null,
  's3--s3-lifecycle-event': 's3',
  's3--sqs-event': 'sqs',
  'sns--base': 'sns',
  'sqs--base': 'sqs',
  'sqs--sns-body': 'sqs',
  'vpc-lattice-v2--base': null,
}

const DOC_EXAMPLES: Record<string, [unknown, string]> = {
  'SQS FIFO': [sqsFifoEvent(), 'sqs'],
  'HTTP API payload 1.0': [apiGatewayV1Event(), 'apigateway-v1'],
  'HTTP API payload 2.0': [apiGatewayV2Event(), 'apigateway-v2'],
  ALB: [albEvent(), 'alb'],
  'ALB multi-value': [albMultiValueEvent(), 'alb'],
  'scheduled event': [scheduledEvent(), 'eventbridge'],
  'direct CloudEvent': [{ specversion: '1.0', id: '1', source: '/s', type: 't' }, 'cloudevent'],
}

const matching = (event: unknown) => BUILT_IN_MAPPERS.filter((m) => m.match(event)).map((m) => m.name)

describe('built-in mappers exclude each other', () => {
  it('knows every fixture', () => {
    expect(fixtureNames.map((f) => f.replace(/\.json$/, '')).sort()).toEqual(Object.keys(EXPECTED).sort())
  })

  for (const [name, expected] of Object.entries(EXPECTED)) {
    it(`${name}: ${expected ?? 'no mapper'}`, () => {
      expect(matching(fixture(name))).toEqual(expected === null ? [] : [expected])
    })
  }

  for (const [name, [event, expected]] of Object.entries(DOC_EXAMPLES)) {
    it(`AWS docs, ${name}: ${expected}`, () => expect(matching(event)).toEqual([expected]))
  }

  it('no two mappers take the same value, whatever it is (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(matching(value).length).toBeLessThanOrEqual(1)
      }),
    )
  })

  it('no two mappers take a blend of known events (property)', () => {
    const known = [...Object.values(DOC_EXAMPLES).map(([e]) => e), ...Object.keys(EXPECTED).map((name) => fixture(name))]
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...known), { minLength: 2, maxLength: 3 }), (events) => {
        const blend = Object.assign({}, ...(events as object[]))
        expect(matching(blend).length).toBeLessThanOrEqual(1)
      }),
      { numRuns: 500 },
    )
  })

  it('a mapper never throws on a value it does not recognise (property)', () => {
    const events = Object.values(DOC_EXAMPLES).map(([e]) => e)
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.constantFrom(...events).map((e) => ({ ...(e as object), Records: [null] }))), (value) => {
        for (const m of BUILT_IN_MAPPERS) m.match(value)
      }),
    )
  })
})

describe('an event no mapper matches', () => {
  const unknown = Object.entries(EXPECTED).filter(([, m]) => m === null).map(([name]) => name)

  for (const name of unknown) {
    it(`${name}: a PermanentError naming its top-level keys`, async () => {
      const { log, lines } = captureLog()
      const event = fixture(name)
      const error = await toLambda(recordingHandler().handler, { log })(event, lambdaContext()).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(error).toBeInstanceOf(PermanentError)
      const message = (error as Error).message
      for (const key of Object.keys(event)) expect(message).toContain(JSON.stringify(key))
      expect(lines).toHaveLength(1)
      expect(lines[0]).toMatchObject({ level: 'error', msg: 'unknown Lambda event' })
    })
  }

  it('never names a value', () => {
    const secret = 'sk_live_do_not_log_me'
    const error = unknownEvent({ awslogs: { data: secret }, token: secret })
    expect(error.message).toBe('No mapper matches this Lambda event: an object with keys "awslogs", "token"')
    expect(JSON.stringify(error.toProblem())).not.toContain(secret)
  })

  it('says what it got when it is not an object', () => {
    expect(unknownEvent(null).message).toContain(': null')
    expect(unknownEvent('hello').message).toContain(': a string')
    expect(unknownEvent(42).message).toContain(': a number')
    expect(unknownEvent([1, 2]).message).toContain(': an array of 2 items')
    expect(unknownEvent({}).message).toContain(': an empty object')
    expect(unknownEvent({ Records: [] }).message).toContain('"Records"')
  })

  it('caps the key list', () => {
    const many = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`k${i}`, i]))
    expect(unknownEvent(many).message).toMatch(/"k19" and 5 more$/)
    expect(unknownEvent({ ['x'.repeat(100)]: 1 }).message).toContain(`"${'x'.repeat(40)}…"`)
  })

  it('an HTTP-looking event without a known shape is not guessed into HTTP (honojs/hono#3180)', async () => {
    const { handler } = recordingHandler()
    const { log } = captureLog()
    // Shaped like a request, but neither API Gateway, a Function URL nor ALB.
    const event = { path: '/orders', method: 'GET', headers: {}, body: '' }
    await expect(toLambda(handler, { log })(event, lambdaContext())).rejects.toThrow('an object with keys "path", "method", "headers", "body"')
  })
})

describe('user mappers', () => {
  const lattice = defineMapper({
    kind: 'http',
    name: 'vpc-lattice-v2',
    match: (event): event is { version: '2.0'; method: string; path: string; headers: Record<string, string>; body: string } =>
      typeof event === 'object' && event !== null && (event as { version?: unknown }).version === '2.0' && typeof (event as { method?: unknown }).method === 'string',
    toRequest: (event) => ({ method: event.method, url: event.path, headers: event.headers, body: event.body }),
    toReply: (reply) => ({ statusCode: reply.status, headers: reply.headers, body: reply.body, isBase64Encoded: reply.isBase64Encoded }),
  })

  it('serve a trigger faasade does not know (VPC Lattice)', async () => {
    const { handler, seen } = recordingHandler()
    const event = fixture('vpc-lattice-v2--base')
    event.headers['ce-id'] = 'lattice-1'
    event.headers['ce-source'] = '/lattice'
    event.headers['ce-type'] = 'com.example.lattice'
    event.headers['ce-specversion'] = '1.0'
    event.headers['content-type'] = 'application/json'
    const reply = await toLambda(handler, { mappers: [lattice], log: captureLog().log })(event, lambdaContext())
    expect(reply).toEqual({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":"lattice-1"}', isBase64Encoded: false })
    expect(seen[0]!.event).toMatchObject({ id: 'lattice-1', data: { message: 'Hello from Lambda!' } })
  })

  it('are tried first, so one can take over a built-in trigger', async () => {
    const { handler } = recordingHandler()
    const mine = defineMapper({
      kind: 'events',
      name: 'my-eventbridge',
      match: (event): event is { id: string } => typeof event === 'object' && event !== null && 'detail-type' in event,
      toEvents: () => [],
      reply: () => 'mine',
    })
    expect(await toLambda(handler, { mappers: [mine] })(fixture('eventbridge--base'), lambdaContext())).toBe('mine')
  })
})
