/**
 * The Lambda functions the bench bundles and the events it sends them. Each
 * function answers with a constant, so that what is measured is the
 * framework around it. The events are AWS's shapes (test/aws-lambda/events.ts
 * and the fixtures in test/fixtures/aws).
 */

const HELLO = `async () => ({ hello: 'world' })`

/** Entry sources, bundled by esbuild; `faasade` resolves to the built dist/. */
export const FUNCTIONS = {
  raw: {
    label: 'raw handler',
    source: `export const handler = ${HELLO}`,
  },
  middy: {
    label: '@middy/core around the handler',
    source: `import middy from '@middy/core'\nexport const handler = middy(${HELLO})`,
  },
  faasade: {
    label: 'faasade `toLambda(defineHandler(...))`',
    source: `import { defineHandler } from 'faasade'\nimport { toLambda } from 'faasade/aws-lambda'\nexport const handler = toLambda(defineHandler({ handle: ${HELLO} }))`,
  },
  honoOwn: {
    label: "Hono app, Hono's own `handle` (hono/aws-lambda)",
    source: `import { Hono } from 'hono'\nimport { handle } from 'hono/aws-lambda'\nconst app = new Hono().get('/', (c) => c.json({ hello: 'world' }))\nexport const handler = handle(app)`,
  },
  honoFaasade: {
    label: 'the same Hono app, `toLambda(app)`',
    source: `import { Hono } from 'hono'\nimport { toLambda } from 'faasade/aws-lambda'\nconst app = new Hono().get('/', (c) => c.json({ hello: 'world' }))\nexport const handler = toLambda(app)`,
  },
}

/** EventBridge scheduled event (docs.aws.amazon.com, as test/aws-lambda/events.ts). */
export const eventBridgeEvent = {
  version: '0',
  id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '123456789012',
  time: '2015-10-08T16:53:06Z',
  region: 'us-east-1',
  resources: ['arn:aws:events:us-east-1:123456789012:rule/my-scheduled-rule'],
  detail: {},
}

/** An API Gateway HTTP API (payload 2.0) request; `extra` overrides fields. */
export function apiGatewayV2(extra = {}) {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/',
    rawQueryString: '',
    headers: { accept: '*/*', host: 'id.execute-api.us-east-1.amazonaws.com', 'user-agent': 'curl/8.0', 'x-forwarded-proto': 'https' },
    requestContext: {
      accountId: '123456789012',
      apiId: 'id',
      domainName: 'id.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'id',
      http: { method: 'GET', path: '/', protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'curl/8.0' },
      requestId: 'id',
      routeKey: '$default',
      stage: '$default',
      time: '12/Mar/2020:19:03:58 +0000',
      timeEpoch: 1583348638390,
    },
    isBase64Encoded: false,
    ...extra,
  }
}

/** A CloudEvent in binary mode over API Gateway v2. */
export const cloudEventOverHttp = apiGatewayV2({
  rawPath: '/events',
  headers: {
    host: 'id.execute-api.us-east-1.amazonaws.com',
    'ce-specversion': '1.0',
    'ce-id': 'order-1',
    'ce-source': '/shop',
    'ce-type': 'com.example.order.placed',
    'content-type': 'application/json',
  },
  body: '{"orderId":"A1","amount":12.5}',
  requestContext: { ...apiGatewayV2().requestContext, http: { method: 'POST', path: '/events', protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'curl/8.0' } },
})

/** A 10-record SQS batch (docs.aws.amazon.com/lambda/latest/dg/with-sqs.html shape); record 4 fails. */
export function sqsBatch(size = 10, failing = 4) {
  return {
    Records: Array.from({ length: size }, (_, i) => ({
      messageId: `059f36b4-87a3-44ab-83d2-66197583${String(i).padStart(4, '0')}`,
      receiptHandle: 'AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...',
      body: JSON.stringify({ orderId: i === failing ? 'bad' : `A${i}`, amount: 12.5 }),
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1545082649183', SenderId: 'AIDAIENQZJOLO23YVJ4VO', ApproximateFirstReceiveTimestamp: '1545082649185' },
      messageAttributes: {},
      md5OfBody: 'e4e68fb7bd0e697a0ae8f1bb342846b3',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-2:123456789012:my-queue',
      awsRegion: 'us-east-2',
    })),
  }
}

/**
 * A Lambda context as the runtime builds one, except that every invocation
 * it serves has 30 s left: the benches reuse one context for thousands of
 * invocations, and a deadline fixed when it was made ran out under callgrind
 * (about 50 times slower than a plain run), after which every batch took the
 * deadline-passed path and counted far more instructions than a real one.
 */
export function lambdaContext() {
  return {
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    functionName: 'bench',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:bench',
    memoryLimitInMB: '128',
    logGroupName: '/aws/lambda/bench',
    logStreamName: '2026/11/24/[$LATEST]abc',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 30_000,
    done() {},
    fail() {},
    succeed() {},
  }
}
