/**
 * Lambda events from the AWS documentation, in the exact shape given there
 * (the fixtures in ../fixtures/aws are Powertools' test events). Where a test
 * needs a variant (a base64 body, more cookies), it changes a copy and says so.
 */

/**
 * SQS FIFO queue message event: docs.aws.amazon.com/lambda/latest/dg/with-sqs.html,
 * "Example FIFO queue message event".
 */
export const sqsFifoEvent = () => ({
  Records: [
    {
      messageId: '11d6ee51-4cc7-4302-9e22-7cd8afdaadf5',
      receiptHandle: 'AQEBBX8nesZEXmkhsmZeyIE8iQAMig7qw...',
      body: 'Test message.',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '1573251510774',
        SequenceNumber: '18849496460467696128',
        MessageGroupId: '1',
        SenderId: 'AIDAIO23YVJENQZJOL4VO',
        MessageDeduplicationId: '1',
        ApproximateFirstReceiveTimestamp: '1573251510774',
      },
      messageAttributes: {},
      md5OfBody: 'e4e68fb7bd0e697a0ae8f1bb342846b3',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-2:123456789012:fifo.fifo',
      awsRegion: 'us-east-2',
    },
  ],
})

/**
 * HTTP API, payload format 1.0 (the REST API proxy shape, with multi-value
 * headers and query parameters): docs.aws.amazon.com/apigateway/latest/
 * developerguide/http-api-develop-integrations-lambda.html, "Format 1.0".
 */
export const apiGatewayV1Event = () => ({
  version: '1.0',
  resource: '/my/path',
  path: '/my/path',
  httpMethod: 'GET',
  headers: { header1: 'value1', header2: 'value2' },
  multiValueHeaders: { header1: ['value1'], header2: ['value1', 'value2'] },
  queryStringParameters: { parameter1: 'value1', parameter2: 'value' },
  multiValueQueryStringParameters: { parameter1: ['value1', 'value2'], parameter2: ['value'] },
  requestContext: {
    accountId: '123456789012',
    apiId: 'id',
    authorizer: { claims: null, scopes: null },
    domainName: 'id.execute-api.us-east-1.amazonaws.com',
    domainPrefix: 'id',
    extendedRequestId: 'request-id',
    httpMethod: 'GET',
    identity: {
      accessKey: null,
      accountId: null,
      caller: null,
      cognitoAuthenticationProvider: null,
      cognitoAuthenticationType: null,
      cognitoIdentityId: null,
      cognitoIdentityPoolId: null,
      principalOrgId: null,
      sourceIp: '192.0.2.1',
      user: null,
      userAgent: 'user-agent',
      userArn: null,
      clientCert: {
        clientCertPem: 'CERT_CONTENT',
        subjectDN: 'www.example.com',
        issuerDN: 'Example issuer',
        serialNumber: 'a1:a1:a1:a1:a1:a1:a1:a1:a1:a1:a1:a1:a1:a1:a1:a1',
        validity: { notBefore: 'May 28 12:30:02 2019 GMT', notAfter: 'Aug  5 09:36:04 2021 GMT' },
      },
    },
    path: '/my/path',
    protocol: 'HTTP/1.1',
    requestId: 'id=',
    requestTime: '04/Mar/2020:19:15:17 +0000',
    requestTimeEpoch: 1583349317135,
    resourceId: null,
    resourcePath: '/my/path',
    stage: '$default',
  },
  pathParameters: null,
  stageVariables: null,
  body: 'Hello from Lambda!',
  isBase64Encoded: false,
})

/**
 * HTTP API, payload format 2.0 (cookies in their own array): the same page,
 * "Format 2.0".
 */
export const apiGatewayV2Event = () => ({
  version: '2.0',
  routeKey: '$default',
  rawPath: '/my/path',
  rawQueryString: 'parameter1=value1&parameter1=value2&parameter2=value',
  cookies: ['cookie1', 'cookie2'],
  headers: { header1: 'value1', header2: 'value1,value2' },
  queryStringParameters: { parameter1: 'value1,value2', parameter2: 'value' },
  requestContext: {
    accountId: '123456789012',
    apiId: 'api-id',
    authentication: {
      clientCert: {
        clientCertPem: 'CERT_CONTENT',
        subjectDN: 'www.example.com',
        issuerDN: 'Example issuer',
        serialNumber: 'a1:a1:a1:a1:a1:a1:a1:a1:a1:a1:a1:a1:a1:a1:a1:a1',
        validity: { notBefore: 'May 28 12:30:02 2019 GMT', notAfter: 'Aug  5 09:36:04 2021 GMT' },
      },
    },
    authorizer: { jwt: { claims: { claim1: 'value1', claim2: 'value2' }, scopes: ['scope1', 'scope2'] } },
    domainName: 'id.execute-api.us-east-1.amazonaws.com',
    domainPrefix: 'id',
    http: { method: 'POST', path: '/my/path', protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'agent' },
    requestId: 'id',
    routeKey: '$default',
    stage: '$default',
    time: '12/Mar/2020:19:03:58 +0000',
    timeEpoch: 1583348638390,
  },
  body: 'Hello from Lambda',
  pathParameters: { parameter1: 'value1' },
  isBase64Encoded: false,
  stageVariables: { stageVariable1: 'value1', stageVariable2: 'value2' },
})

/**
 * ALB request, single-value headers: docs.aws.amazon.com/elasticloadbalancing/
 * latest/application/lambda-functions.html, "Receive events from the load
 * balancer" (the doc's placeholders `{parameters}`, `cookies` and
 * `request_body` filled in).
 */
export const albEvent = () => ({
  requestContext: { elb: { targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-target-group/6d0ecf831eec9f09' } },
  httpMethod: 'GET',
  path: '/',
  queryStringParameters: { myKey: 'val%20ue' },
  headers: {
    accept: 'text/html,application/xhtml+xml',
    'accept-language': 'en-US,en;q=0.8',
    'content-type': 'text/plain',
    cookie: 'name1=value1',
    host: 'lambda-846800462-us-east-2.elb.amazonaws.com',
    'user-agent': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_6)',
    'x-amzn-trace-id': 'Root=1-5bdb40ca-556d8b0c50dc66f0511bf520',
    'x-forwarded-for': '72.21.198.66',
    'x-forwarded-port': '443',
    'x-forwarded-proto': 'https',
  },
  isBase64Encoded: false,
  body: 'request_body',
})

/** The same page, with multi-value headers turned on for the target group. */
export const albMultiValueEvent = () => ({
  requestContext: { elb: { targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-target-group/6d0ecf831eec9f09' } },
  httpMethod: 'GET',
  path: '/',
  multiValueQueryStringParameters: { myKey: ['val1', 'val2'] },
  multiValueHeaders: {
    accept: ['text/html,application/xhtml+xml'],
    'accept-language': ['en-US,en;q=0.8'],
    'content-type': ['text/plain'],
    cookie: ['name1=value1', 'name2=value2'],
    host: ['lambda-846800462-us-east-2.elb.amazonaws.com'],
    'user-agent': ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_6)'],
    'x-amzn-trace-id': ['Root=1-5bdb40ca-556d8b0c50dc66f0511bf520'],
    'x-forwarded-for': ['72.21.198.66'],
    'x-forwarded-port': ['443'],
    'x-forwarded-proto': ['https'],
  },
  isBase64Encoded: false,
  body: 'request_body',
})

/**
 * EventBridge scheduled event: docs.aws.amazon.com/lambda/latest/dg/
 * with-eventbridge-scheduler.html (the classic rule-based schedule payload).
 */
export const scheduledEvent = () => ({
  version: '0',
  id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '123456789012',
  time: '2015-10-08T16:53:06Z',
  region: 'us-east-1',
  resources: ['arn:aws:events:us-east-1:123456789012:rule/my-scheduled-rule'],
  detail: {},
})
