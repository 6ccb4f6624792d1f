/**
 * The Lambda shapes this adapter reads and writes, as AWS documents them.
 * Local types rather than `@types/aws-lambda`: a user of `faasade/aws-lambda`
 * should not need that package to type-check. A type test keeps them
 * compatible with it (test/aws-lambda/types.test-d.ts).
 *
 * The events are typed as AWS sends them, but nothing here is trusted: the
 * mappers check every field they read, and a missing one is a clear error.
 */

/** The invocation context the Lambda runtime passes (the fields the adapter reads). */
export interface LambdaContext {
  readonly awsRequestId: string
  readonly functionName?: string
  readonly invokedFunctionArn?: string
  /** Milliseconds before Lambda stops the invocation. */
  getRemainingTimeInMillis?(): number
}

/** What `ctx.provider.raw` holds on Lambda. */
export interface LambdaRaw {
  /** The native event as Lambda passed it, untouched. */
  readonly event: unknown
  readonly context: LambdaContext
  /** For a batch, the native record behind this CloudEvent. */
  readonly record?: unknown
}

// --- SQS -------------------------------------------------------------------

export interface SqsMessageAttribute {
  stringValue?: string | null
  binaryValue?: string | null
  dataType: string
}

export interface SqsAttributes {
  ApproximateReceiveCount: string
  SentTimestamp: string
  SenderId?: string
  ApproximateFirstReceiveTimestamp?: string
  AWSTraceHeader?: string
  DeadLetterQueueSourceArn?: string
  /** FIFO queues only, as the next two. */
  SequenceNumber?: string
  MessageGroupId?: string
  MessageDeduplicationId?: string
}

export interface SqsRecord {
  messageId: string
  receiptHandle?: string
  body: string
  attributes: SqsAttributes
  messageAttributes?: Record<string, SqsMessageAttribute>
  md5OfBody?: string
  /** `aws:sqs` */
  eventSource: string
  eventSourceARN: string
  awsRegion?: string
}

export interface SqsEvent {
  Records: SqsRecord[]
}

// --- SNS -------------------------------------------------------------------

export interface SnsMessageAttribute {
  Type: string
  Value: string
}

export interface SnsMessage {
  Type: string
  MessageId: string
  TopicArn: string
  Subject?: string | null
  Message: string
  Timestamp: string
  MessageAttributes?: Record<string, SnsMessageAttribute>
}

export interface SnsRecord {
  /** `aws:sns` */
  EventSource: string
  EventVersion?: string
  EventSubscriptionArn: string
  Sns: SnsMessage
}

export interface SnsEvent {
  Records: SnsRecord[]
}

// --- S3 --------------------------------------------------------------------

export interface S3Record {
  eventVersion?: string
  eventSource: string
  awsRegion: string
  eventTime: string
  eventName: string
  responseElements?: { 'x-amz-request-id'?: string; 'x-amz-id-2'?: string }
  s3: {
    bucket: { name: string; arn?: string }
    object: { key: string; size?: number; eTag?: string; versionId?: string; sequencer?: string }
  }
}

export interface S3Event {
  Records: S3Record[]
}

// --- EventBridge -------------------------------------------------------------

export interface EventBridgeEvent {
  version?: string
  id: string
  'detail-type': string
  source: string
  account?: string
  time?: string
  region?: string
  resources?: string[]
  detail?: unknown
}

// --- DynamoDB Streams --------------------------------------------------------

// Every field optional, as @types/aws-lambda has it; the mapper names any that is missing.
export interface DynamoDbRecord {
  eventID?: string
  eventName?: 'INSERT' | 'MODIFY' | 'REMOVE'
  eventVersion?: string
  /** `aws:dynamodb` */
  eventSource?: string
  eventSourceARN?: string
  awsRegion?: string
  dynamodb?: {
    ApproximateCreationDateTime?: number
    Keys?: Record<string, unknown>
    NewImage?: Record<string, unknown>
    OldImage?: Record<string, unknown>
    SequenceNumber?: string
    SizeBytes?: number
    StreamViewType?: string
  }
  userIdentity?: unknown
}

export interface DynamoDbStreamEvent {
  Records: DynamoDbRecord[]
}

// --- Kinesis Data Streams ----------------------------------------------------

export interface KinesisRecord {
  kinesis: {
    kinesisSchemaVersion?: string
    partitionKey: string
    sequenceNumber: string
    /** Base64 of the bytes the producer put. */
    data: string
    approximateArrivalTimestamp: number
  }
  /** `aws:kinesis` */
  eventSource: string
  eventVersion?: string
  eventID: string
  eventName?: string
  invokeIdentityArn?: string
  awsRegion?: string
  eventSourceARN: string
}

export interface KinesisStreamEvent {
  Records: KinesisRecord[]
}

// --- Partial batch response (SQS, Kinesis, DynamoDB Streams) -----------------

export interface BatchResponse {
  batchItemFailures: Array<{ itemIdentifier: string }>
}

// --- HTTP --------------------------------------------------------------------

type Params = Record<string, string | undefined> | null
type MultiParams = Record<string, string[] | undefined> | null

/** API Gateway REST API (and HTTP API with payload format 1.0). */
export interface ApiGatewayV1Event {
  /** `1.0` from an HTTP API, absent from a REST API */
  version?: string
  resource?: string
  path: string
  httpMethod: string
  headers?: Params
  multiValueHeaders?: MultiParams
  queryStringParameters?: Params
  multiValueQueryStringParameters?: MultiParams
  pathParameters?: Params
  stageVariables?: Params
  requestContext: { domainName?: string }
  body?: string | null
  isBase64Encoded?: boolean
}

/** API Gateway HTTP API (payload format 2.0) and Lambda Function URLs. */
export interface ApiGatewayV2Event {
  /** `2.0` */
  version: string
  routeKey?: string
  rawPath: string
  rawQueryString?: string
  cookies?: string[]
  headers?: Record<string, string | undefined>
  queryStringParameters?: Params
  pathParameters?: Params
  stageVariables?: Params
  requestContext: { domainName?: string; http: { method: string; path?: string; protocol?: string; sourceIp?: string } }
  body?: string | null
  isBase64Encoded?: boolean
}

/** Application Load Balancer, single- or multi-value headers as the target group is set. */
export interface AlbEvent {
  requestContext: { elb: { targetGroupArn: string } }
  httpMethod: string
  path: string
  headers?: Params
  multiValueHeaders?: MultiParams
  queryStringParameters?: Params
  multiValueQueryStringParameters?: MultiParams
  body?: string | null
  isBase64Encoded?: boolean
}

export interface ApiGatewayV1Result {
  statusCode: number
  headers: Record<string, string>
  multiValueHeaders: Record<string, string[]>
  body: string
  isBase64Encoded: boolean
}

export interface ApiGatewayV2Result {
  statusCode: number
  headers: Record<string, string>
  cookies: string[]
  body: string
  isBase64Encoded: boolean
}

export interface AlbResult {
  statusCode: number
  statusDescription: string
  headers?: Record<string, string>
  multiValueHeaders?: Record<string, string[]>
  body: string
  isBase64Encoded: boolean
}
