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

/**
 * What `ctx.provider.raw` holds on Lambda, by the trigger that delivered
 * the event (`trigger`, the mapper's name): narrow on it and `event` and
 * `record` are typed as that trigger's. A mapper of your own is `'custom'`,
 * its name in `mapper`.
 *
 * @example
 * ```ts
 * const raw = lambdaRaw(ctx)
 * if (raw?.trigger === 'sqs') ctx.log.info('from', { queue: raw.record.eventSourceARN, group: raw.record.attributes.MessageGroupId })
 * ```
 */
export type LambdaRaw =
  | LambdaRawOf<'sqs', SqsEvent, SqsRecord>
  | LambdaRawOf<'sns', SnsEvent, SnsRecord>
  | LambdaRawOf<'s3', S3Event, S3Record>
  | LambdaRawOf<'dynamodb', DynamoDbStreamEvent, DynamoDbRecord>
  | LambdaRawOf<'kinesis', KinesisStreamEvent, KinesisRecord>
  | LambdaRawOf<'eventbridge', EventBridgeEvent, EventBridgeEvent>
  | LambdaRawOf<'cloudevent', unknown, unknown>
  | LambdaRawOf<'apigateway-v1', ApiGatewayV1Event, undefined>
  | LambdaRawOf<'apigateway-v2', ApiGatewayV2Event, undefined>
  | LambdaRawOf<'alb', AlbEvent, undefined>
  | (LambdaRawOf<'custom', unknown, unknown> & { /** The name of your mapper that read the event. */ readonly mapper: string })

/** The triggers faasade maps itself: `LambdaRaw['trigger']` but `'custom'`. */
export type BuiltInTrigger = Exclude<LambdaRaw['trigger'], 'custom'>

/** `ctx.provider.raw` of one trigger. */
export interface LambdaRawOf<Trigger extends string, Event, Record> {
  /** The mapper that read the event: `'sqs'`, `'dynamodb'`, `'apigateway-v2'`, …, or `'custom'`. */
  readonly trigger: Trigger
  /** The native event as Lambda passed it, untouched. */
  readonly event: Event
  readonly context: LambdaContext
  /** For a batch, the native record behind this CloudEvent (for EventBridge, the event itself); none for HTTP. */
  readonly record: Record
}

// --- SQS -------------------------------------------------------------------

/** One SQS message attribute: a typed string or base64 binary value set by the sender. */
export interface SqsMessageAttribute {
  stringValue?: string | null
  binaryValue?: string | null
  dataType: string
}

/** The system attributes SQS sets on every message: receive count, timestamps, and for FIFO queues the group and order. */
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

/**
 * One SQS message as it reaches Lambda. The SQS mapper turns each into its own
 * CloudEvent and reports a failed one by `messageId` in a {@link BatchResponse}.
 */
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

/** What Lambda passes for an SQS trigger: a batch of messages from one queue. */
export interface SqsEvent {
  Records: SqsRecord[]
}

// --- SNS -------------------------------------------------------------------

/** One SNS message attribute, with its SNS data type (`String`, `Number`, `Binary`, ...). */
export interface SnsMessageAttribute {
  Type: string
  Value: string
}

/** The SNS notification inside a record: the published `Message` and its topic, subject and attributes. */
export interface SnsMessage {
  Type: string
  MessageId: string
  TopicArn: string
  Subject?: string | null
  Message: string
  Timestamp: string
  MessageAttributes?: Record<string, SnsMessageAttribute>
}

/** One SNS delivery to Lambda, wrapping the {@link SnsMessage}. */
export interface SnsRecord {
  /** `aws:sns` */
  EventSource: string
  EventVersion?: string
  EventSubscriptionArn: string
  Sns: SnsMessage
}

/** What Lambda passes for an SNS subscription (in practice one record per invocation). */
export interface SnsEvent {
  Records: SnsRecord[]
}

// --- S3 --------------------------------------------------------------------

/** One S3 event notification: which object in which bucket, and what happened to it (`eventName`). */
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

/** What Lambda passes for an S3 event notification: one or more object records. */
export interface S3Event {
  Records: S3Record[]
}

// --- EventBridge -------------------------------------------------------------

/**
 * An EventBridge event as a rule delivers it to Lambda; `detail-type`,
 * `source` and `detail` carry the event itself.
 */
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
/**
 * One change from a DynamoDB stream: the item's keys and, as the stream view
 * type allows, its images before and after. Every field is optional here,
 * as in `@types/aws-lambda`; the mapper names any it needs and does not find.
 */
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

/** What Lambda passes for a DynamoDB Streams trigger: a batch of item changes. */
export interface DynamoDbStreamEvent {
  Records: DynamoDbRecord[]
}

// --- Kinesis Data Streams ----------------------------------------------------

/** One Kinesis Data Streams record: the base64 payload with its partition key and sequence number. */
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

/** What Lambda passes for a Kinesis trigger: a batch of records from one shard. */
export interface KinesisStreamEvent {
  Records: KinesisRecord[]
}

// --- Partial batch response (SQS, Kinesis, DynamoDB Streams) -----------------

/**
 * The partial batch response for SQS, Kinesis and DynamoDB Streams: the items
 * that failed, so that Lambda retries only those (the event source mapping
 * needs `ReportBatchItemFailures`). An empty list means the whole batch succeeded.
 */
export interface BatchResponse {
  batchItemFailures: Array<{ itemIdentifier: string }>
}

// --- HTTP --------------------------------------------------------------------

/** Single-value headers or parameters as API Gateway and ALB send them; `null` when there are none. */
export type Params = Record<string, string | undefined> | null
/** Multi-value headers or parameters as API Gateway and ALB send them; `null` when there are none. */
export type MultiParams = Record<string, string[] | undefined> | null

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

/** The reply Lambda returns to an API Gateway REST API (payload format 1.0), as {@link v1Reply} builds it. */
export interface ApiGatewayV1Result {
  statusCode: number
  headers: Record<string, string>
  multiValueHeaders: Record<string, string[]>
  body: string
  isBase64Encoded: boolean
}

/** The reply Lambda returns to an HTTP API (payload format 2.0) or a Function URL, as {@link v2Reply} builds it. */
export interface ApiGatewayV2Result {
  statusCode: number
  headers: Record<string, string>
  cookies: string[]
  body: string
  isBase64Encoded: boolean
}

/**
 * The reply Lambda returns to an Application Load Balancer, as {@link albReply}
 * builds it: `headers` or `multiValueHeaders`, whichever the target group uses.
 */
export interface AlbResult {
  statusCode: number
  statusDescription: string
  headers?: Record<string, string>
  multiValueHeaders?: Record<string, string[]>
  body: string
  isBase64Encoded: boolean
}
