/**
 * Every Lambda trigger faasade knows, as a mapper object (`mapper.ts`), and
 * every rule of how its fields become CloudEvent attributes. This file holds
 * the whole mapping; `to-lambda.ts` only does the I/O.
 *
 * S3 and SNS follow the CloudEvents adapter documents
 * (cloudevents/spec `cloudevents/adapters/aws-s3.md`, `aws-sns.md`, the
 * "Notification" table); the others are faasade's own, written to read the
 * same way. Extension attributes carry the provider facts, named `aws*` in
 * lower-case letters and digits, as the spec requires.
 *
 * **A record whose payload is already a structured CloudEvent** (an SQS
 * body, an SNS message, an SQS body that is an SNS notification whose
 * message is one, a Kinesis record's data, an EventBridge `detail`, a direct
 * invoke) passes through unchanged: it is read by the rules of the JSON
 * format, as over HTTP, and must be valid. Nothing is added to it.
 *
 * **Payloads that are text** (SQS body, Kinesis data): a JSON object or array
 * is parsed (`application/json`); SQS text that is anything else stays a
 * string (`text/plain`), Kinesis data that is anything else stays bytes
 * (`application/octet-stream`, a `Uint8Array`).
 *
 * | trigger | `id` | `source` | `type` | `subject` | `time` | `data` | extensions |
 * |---|---|---|---|---|---|---|---|
 * | SQS (standard, FIFO) | `messageId` | `eventSourceARN` (the queue ARN) | `com.amazonaws.sqs.message` (`sqsMapper({ type })` to choose) | – | `attributes.SentTimestamp` | `body` (see above) | `awsreceivecount` (`ApproximateReceiveCount`), `awsmessagegroupid`, `awsdeduplicationid`, `awssequencenumber` (FIFO), `awsmessageattributes` (JSON of name → string or base64 value) |
 * | SNS | `Sns.MessageId` | `EventSubscriptionArn` | `com.amazonaws.sns.` + `Sns.Type` | `Sns.Subject` | `Sns.Timestamp` | the `Sns` object | `awstopicarn`, `awsmessageattributes` |
 * | S3 | `responseElements.x-amz-request-id` + `.` + `x-amz-id-2` | `eventSource` + `.` + `awsRegion` + `.` + bucket name | `com.amazonaws.s3.` + `eventName` | `s3.object.key` | `eventTime` | the record | – |
 * | EventBridge (scheduled events too) | `id` | `source` | `detail-type` | `resources[0]` | `time` | `detail` | `awsaccount`, `awsregion` |
 * | DynamoDB Streams | `eventID` | `eventSourceARN` | `com.amazonaws.dynamodb.` + `eventName` | – | `dynamodb.ApproximateCreationDateTime` | the `dynamodb` object (DynamoDB JSON) | `awssequencenumber` |
 * | Kinesis | `eventID` | `eventSourceARN` | `com.amazonaws.kinesis.record` (`kinesisMapper({ type })`) | – | `kinesis.approximateArrivalTimestamp` | `kinesis.data`, decoded (see above) | `awspartitionkey`, `awssequencenumber` |
 * | direct invoke | the event is a structured CloudEvent (it has `specversion`) ||||||
 *
 * Every `datacontenttype` is `application/json` unless said above. Times are
 * RFC 3339 in UTC. A record that cannot be read is an `InvalidEventError`
 * for that record alone (a drop: it never will be readable).
 *
 * **HTTP**: API Gateway REST (v1, and HTTP API payload 1.0), HTTP API (v2)
 * and Function URLs (payload 2.0), and Application Load Balancer become one
 * plain request. One that carries a CloudEvent (binary, structured or batch
 * mode) goes to the event handlers; any other to the HTTP app. Authorizer
 * events (`methodArn`, `routeArn`) are not requests and match nothing.
 *
 * **Outcomes** (the Lambda rows of the outcome table, docs/architecture.md):
 *
 * | outcome | SQS, Kinesis, DynamoDB Streams | SNS, S3, EventBridge | direct invoke |
 * |---|---|---|---|
 * | ok | not in `batchItemFailures` | return | return the result |
 * | retry | in `batchItemFailures` by `messageId` / sequence number; FIFO and streams: it and every later record of its key (message group, partition key, item), while other keys run on | throw: Lambda retries, then the on-failure destination | throw |
 * | drop (`onDrop: 'dead-letter'`, the default) | in failures, to reach the DLQ; ordered sources: and every later record | throw: the on-failure destination | throw |
 * | drop (`onDrop: 'ack'`) | logged, not in failures | logged, return | return the problem document |
 */
import { InvalidEventError, isFaasadeError, type FaasadeError } from '../../src/errors.js'
import { checkEvent, invalidEvent, isCloudEvent, type CloudEvent } from '../../src/event.js'
import { decodeCloudEvents } from '../../src/http/decode.js'
import { toJsonFormat } from '../../src/http/encode.js'
import { platformError } from '../../src/adapter/index.js'
import type { Outcome } from '../../src/outcome.js'
import { formatTimestamp } from '../../src/time.js'
import { albReply, badField, readBody, readHeaders, readMethod, readQuery, v1Reply, v2Reply } from './http.js'
import type {
  AlbEvent,
  AlbResult,
  ApiGatewayV1Event,
  ApiGatewayV1Result,
  ApiGatewayV2Event,
  ApiGatewayV2Result,
  BatchResponse,
  DynamoDbRecord,
  DynamoDbStreamEvent,
  EventBridgeEvent,
  KinesisRecord,
  KinesisStreamEvent,
  S3Event,
  S3Record,
  SnsEvent,
  SnsRecord,
  SqsEvent,
  SqsRecord,
} from './lambda-types.js'
import type { EventMapper, HttpMapper, LambdaMapper, NativeItem } from './mapper.js'

/** The `type` of an SQS message that is not a CloudEvent. */
export const SQS_MESSAGE_TYPE = 'com.amazonaws.sqs.message'
/** The `type` of a Kinesis record that is not a CloudEvent. */
export const KINESIS_RECORD_TYPE = 'com.amazonaws.kinesis.record'
/** DynamoDB Streams records: this prefix and `INSERT`, `MODIFY` or `REMOVE`. */
export const DYNAMODB_TYPE_PREFIX = 'com.amazonaws.dynamodb.'
/** SNS messages: this prefix and the message's `Type` (`Notification`). */
export const SNS_TYPE_PREFIX = 'com.amazonaws.sns.'
/** S3 notifications: this prefix and the `eventName` (`ObjectCreated:Put`). */
export const S3_TYPE_PREFIX = 'com.amazonaws.s3.'

// --- Queues and streams: one CloudEvent a record, partial batch failures ------

/** What a record that is not a CloudEvent becomes: one `type` for all, or one chosen per record. */
export type RecordType<R> = string | ((record: R) => string)

/**
 * The SQS mapper, with the `type` of messages that are not CloudEvents (to
 * route plain bodies to a handler). Passed in `mappers`, it takes over from
 * the built-in one, which is `sqsMapper()`.
 */
export function sqsMapper(options: { type?: RecordType<SqsRecord> } = {}): EventMapper<SqsEvent, BatchResponse> {
  const type = options.type ?? SQS_MESSAGE_TYPE
  return {
    kind: 'events',
    name: 'sqs',
    match: (event): event is SqsEvent => recordSource(event) === 'aws:sqs',
    // FIFO: a queue whose name ends in .fifo, as every FIFO queue's must. Not a
    // message group id: a standard ("fair") queue's messages may carry one too.
    ordered: (event) => event.Records.some((r) => text(r?.eventSourceARN)?.endsWith('.fifo') === true),
    toEvents: (event) =>
      event.Records.map((record, i) =>
        // The message group orders a FIFO queue: other groups run beside a failed one (Powertools' skipGroupOnError).
        item('SQS', i, record, (r) => sqsEvent(r, type), text(record?.messageId), count(record?.attributes?.ApproximateReceiveCount), text(record?.attributes?.MessageGroupId)),
      ),
    reply: batchFailures,
  }
}

/** The Kinesis mapper, with the `type` of records that are not CloudEvents; the built-in one is `kinesisMapper()`. */
export function kinesisMapper(options: { type?: RecordType<KinesisRecord> } = {}): EventMapper<KinesisStreamEvent, BatchResponse> {
  const type = options.type ?? KINESIS_RECORD_TYPE
  return {
    kind: 'events',
    name: 'kinesis',
    match: (event): event is KinesisStreamEvent => recordSource(event) === 'aws:kinesis',
    ordered: () => true,
    // Order holds per partition key; Lambda retries a stream from the lowest failed sequence number it is told.
    toEvents: (event) => event.Records.map((record, i) => item('Kinesis', i, record, (r) => kinesisEvent(r, type), text(record?.kinesis?.sequenceNumber), undefined, text(record?.kinesis?.partitionKey))),
    reply: batchFailures,
  }
}

export const sqs = sqsMapper()
export const kinesis = kinesisMapper()

/**
 * The built-in DynamoDB Streams mapper (exported as `dynamodbMapper`): one
 * CloudEvent per item change, typed `com.amazonaws.dynamodb.INSERT`,
 * `MODIFY` or `REMOVE`. The stream is ordered per item, so a record that
 * fails holds back the later records of the same item, and the reply is a
 * partial batch response.
 */
export const dynamodb: EventMapper<DynamoDbStreamEvent, BatchResponse> = {
  kind: 'events',
  name: 'dynamodb',
  match: (event): event is DynamoDbStreamEvent => recordSource(event) === 'aws:dynamodb',
  ordered: () => true,
  // Order holds per item (its key attributes).
  toEvents: (event) => event.Records.map((record, i) => item('DynamoDB Streams', i, record, dynamodbEvent, text(record?.dynamodb?.SequenceNumber), undefined, itemKey(record?.dynamodb?.Keys))),
  reply: batchFailures,
}

// --- Async invokes: return, or throw for Lambda to retry ---------------------

/**
 * The built-in SNS mapper (exported as `snsMapper`): each notification
 * becomes a CloudEvent typed `com.amazonaws.sns.Notification`, or passes
 * through when its message is a structured CloudEvent. SNS invokes Lambda
 * asynchronously, so a failure to retry is thrown for Lambda to retry.
 */
export const sns: EventMapper<SnsEvent, void> = {
  kind: 'events',
  name: 'sns',
  match: (event): event is SnsEvent => recordSource(event) === 'aws:sns',
  toEvents: (event) => event.Records.map((record, i) => item('SNS', i, record, snsEvent, text(record?.Sns?.MessageId))),
  reply: asyncReply,
}

/**
 * The built-in S3 mapper (exported as `s3Mapper`): one CloudEvent per object
 * notification, typed `com.amazonaws.s3.` plus the event name
 * (`ObjectCreated:Put`), with the object key as `subject`. Also matches
 * S3-compatible notifications from other providers. An asynchronous invoke:
 * a failure to retry is thrown.
 */
export const s3: EventMapper<S3Event, void> = {
  kind: 'events',
  name: 's3',
  // `aws:s3`, or another provider's S3-compatible notifications (the adapter document allows them).
  match: (event): event is S3Event => recordSource(event)?.endsWith(':s3') === true && isObject(firstRecord(event)?.s3),
  toEvents: (event) => event.Records.map((record, i) => item('S3', i, record, s3Event)),
  reply: asyncReply,
}

/**
 * The built-in EventBridge mapper (exported as `eventBridgeMapper`), for
 * rules and schedules: `detail-type` becomes the CloudEvent `type` and
 * `detail` its data; a `detail` that is a structured CloudEvent passes
 * through. An asynchronous invoke: a failure to retry is thrown.
 */
export const eventBridge: EventMapper<EventBridgeEvent, void> = {
  kind: 'events',
  name: 'eventbridge',
  match: (event): event is EventBridgeEvent =>
    shape(event) === 'eventbridge' && isObject(event) && typeof event['detail-type'] === 'string' && typeof event.source === 'string',
  toEvents: (event) => [item('EventBridge', 0, event, eventBridgeEvent, text(event.id))],
  reply: asyncReply,
}

/** A direct invoke (`aws lambda invoke`, the SDK, Step Functions) whose payload is a structured CloudEvent. */
export const cloudEvent: EventMapper<Record<string, unknown>, unknown> = {
  kind: 'events',
  name: 'cloudevent',
  match: (event): event is Record<string, unknown> => shape(event) === 'cloudevent',
  toEvents: (event) => [item('CloudEvent', 0, event, (e) => unwrap(JSON.stringify(e)), text(event.id))],
  reply: (outcomes) => {
    const outcome = outcomes[0]
    if (outcome === undefined) return undefined
    if (outcome.kind === 'retry') throw outcome.error
    if (outcome.kind === 'drop') return outcome.error.toProblem()
    const { result } = outcome
    if (result instanceof Uint8Array) return Buffer.from(result.buffer, result.byteOffset, result.byteLength).toString('base64')
    return isCloudEvent(result) ? toJsonFormat(result) : result
  },
}

// --- HTTP --------------------------------------------------------------------

/**
 * The built-in mapper for API Gateway REST APIs and HTTP APIs with payload
 * format 1.0 (exported as `apiGatewayV1Mapper`): reads the event into one
 * plain HTTP request and writes the reply with {@link v1Reply}.
 */
export const apiGatewayV1: HttpMapper<ApiGatewayV1Event, ApiGatewayV1Result> = {
  kind: 'http',
  name: 'apigateway-v1',
  match: (event): event is ApiGatewayV1Event => httpShape(event) === 'v1',
  toRequest: (event) => ({
    method: readMethod(event.httpMethod, 'httpMethod'),
    url: path(event.path, 'path') + readQuery(event.queryStringParameters, event.multiValueQueryStringParameters),
    headers: readHeaders(event.headers, event.multiValueHeaders),
    body: readBody(event.body, event.isBase64Encoded),
    host: text(event.requestContext.domainName),
  }),
  toReply: v1Reply,
}

/**
 * The built-in mapper for HTTP APIs with payload format 2.0 and Lambda
 * Function URLs (exported as `apiGatewayV2Mapper`), cookies included; the
 * reply is written with {@link v2Reply}. `toLambdaStream` uses it to
 * recognise the requests it streams.
 */
export const apiGatewayV2: HttpMapper<ApiGatewayV2Event, ApiGatewayV2Result> = {
  kind: 'http',
  name: 'apigateway-v2',
  // Function URLs send the same payload (format 2.0) and take the same reply.
  match: (event): event is ApiGatewayV2Event => httpShape(event) === 'v2',
  toRequest: (event) => {
    const query = event.rawQueryString
    if (query !== undefined && typeof query !== 'string') throw badField('rawQueryString', 'must be a string')
    if (event.cookies !== undefined && !(Array.isArray(event.cookies) && event.cookies.every((c) => typeof c === 'string'))) throw badField('cookies', 'must be an array of strings')
    return {
      method: readMethod(event.requestContext.http.method, 'requestContext.http.method'),
      url: path(event.rawPath, 'rawPath') + (query ? `?${query}` : ''),
      headers: readHeaders(event.headers, undefined, event.cookies),
      body: readBody(event.body, event.isBase64Encoded),
      host: text(event.requestContext.domainName),
    }
  },
  toReply: v2Reply,
}

/**
 * The built-in Application Load Balancer mapper (exported as `albMapper`).
 * The query string is taken as the client sent it, and the reply uses
 * multi-value headers exactly when the request came with them (the target
 * group's setting).
 */
export const alb: HttpMapper<AlbEvent, AlbResult> = {
  kind: 'http',
  name: 'alb',
  match: (event): event is AlbEvent => httpShape(event) === 'alb',
  toRequest: (event) => ({
    method: readMethod(event.httpMethod, 'httpMethod'),
    // A load balancer passes the query as the client sent it: not decoded, so not encoded again.
    url: path(event.path, 'path') + readQuery(event.queryStringParameters, event.multiValueQueryStringParameters, true),
    headers: readHeaders(event.headers, event.multiValueHeaders),
    body: readBody(event.body, event.isBase64Encoded),
  }),
  toReply: (parts, event) => albReply(parts, isObject(event.multiValueHeaders)),
}

/** The built-in mappers. Their shape tests exclude each other, so their order does not matter. */
export const BUILT_IN_MAPPERS: readonly LambdaMapper[] = [apiGatewayV2, apiGatewayV1, alb, sqs, sns, s3, eventBridge, dynamodb, kinesis, cloudEvent]

// --- Records to CloudEvents --------------------------------------------------

function sqsEvent(record: SqsRecord, type: RecordType<SqsRecord>): CloudEvent {
  const body = field(record, 'body')
  const payload = fromText(body)
  if (payload.event) return payload.event
  // SNS to SQS without raw delivery: the body is the notification, and its message may be a CloudEvent.
  const inner = notificationMessage(payload.data)
  const unwrapped = inner === undefined ? undefined : fromText(inner).event
  if (unwrapped) return unwrapped
  const attributes: Record<string, unknown> = isObject(record.attributes) ? record.attributes : {}
  return build({
    id: field(record, 'messageId'),
    source: field(record, 'eventSourceARN'),
    type: typeof type === 'function' ? type(record) : type,
    time: epochMs(attributes.SentTimestamp),
    datacontenttype: payload.contentType,
    data: payload.data,
    awsreceivecount: count(attributes.ApproximateReceiveCount),
    awsmessagegroupid: text(attributes.MessageGroupId),
    awsdeduplicationid: text(attributes.MessageDeduplicationId),
    awssequencenumber: text(attributes.SequenceNumber),
    awsmessageattributes: attributesJson(record.messageAttributes, (a) => text(a.stringValue) ?? text(a.binaryValue)),
  })
}

function snsEvent(record: SnsRecord): CloudEvent {
  const message = object(record, 'Sns')
  if (typeof message.Message === 'string') {
    const unwrapped = fromText(message.Message).event
    if (unwrapped) return unwrapped
  }
  return build({
    id: field(message, 'MessageId', 'Sns.MessageId'),
    source: field(record, 'EventSubscriptionArn'),
    type: SNS_TYPE_PREFIX + field(message, 'Type', 'Sns.Type'),
    subject: text(message.Subject) || undefined,
    time: text(message.Timestamp),
    datacontenttype: 'application/json',
    data: message,
    awstopicarn: text(message.TopicArn),
    awsmessageattributes: attributesJson(message.MessageAttributes, (a) => text(a.Value)),
  })
}

/**
 * An S3 object key as the object is named: the key in a notification (the
 * CloudEvent's `subject`) is URL-encoded with `+` for a space, and the
 * mapping keeps it as sent, as the CloudEvents adapter document says.
 * Throws a `URIError` for a key that is not URL-encoded.
 *
 * @example
 * ```ts
 * decodeS3Key(event.subject!) // 'photos/red+flower.jpg' -> 'photos/red flower.jpg'
 * ```
 */
export function decodeS3Key(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '))
}

function s3Event(record: S3Record): CloudEvent {
  const detail = object(record, 's3')
  const bucket = object(detail, 'bucket', 's3.bucket')
  const response = object(record, 'responseElements')
  return build({
    id: `${field(response, 'x-amz-request-id', 'responseElements.x-amz-request-id')}.${field(response, 'x-amz-id-2', 'responseElements.x-amz-id-2')}`,
    source: `${field(record, 'eventSource')}.${field(record, 'awsRegion')}.${field(bucket, 'name', 's3.bucket.name')}`,
    type: S3_TYPE_PREFIX + field(record, 'eventName'),
    subject: field(object(detail, 'object', 's3.object'), 'key', 's3.object.key'),
    time: text(record.eventTime),
    datacontenttype: 'application/json',
    data: record,
  })
}

function eventBridgeEvent(event: EventBridgeEvent): CloudEvent {
  if (isStructured(event.detail)) return unwrap(JSON.stringify(event.detail))
  const resource = Array.isArray(event.resources) ? text(event.resources[0]) : undefined
  return build({
    id: field(event, 'id'),
    source: field(event, 'source'),
    type: field(event, 'detail-type'),
    subject: resource || undefined,
    time: text(event.time),
    datacontenttype: event.detail === undefined ? undefined : 'application/json',
    data: event.detail,
    awsaccount: text(event.account),
    awsregion: text(event.region),
  })
}

function dynamodbEvent(record: DynamoDbRecord): CloudEvent {
  const change = object(record, 'dynamodb')
  return build({
    id: field(record, 'eventID'),
    source: field(record, 'eventSourceARN'),
    type: DYNAMODB_TYPE_PREFIX + field(record, 'eventName'),
    time: epochMs(typeof change.ApproximateCreationDateTime === 'number' ? change.ApproximateCreationDateTime * 1000 : undefined),
    datacontenttype: 'application/json',
    data: change,
    awssequencenumber: field(change, 'SequenceNumber', 'dynamodb.SequenceNumber'),
  })
}

function kinesisEvent(record: KinesisRecord, type: RecordType<KinesisRecord>): CloudEvent {
  const data = object(record, 'kinesis')
  const payload = fromBytes(new Uint8Array(Buffer.from(field(data, 'data', 'kinesis.data'), 'base64')))
  if (payload.event) return payload.event
  const arrival = data.approximateArrivalTimestamp
  return build({
    id: field(record, 'eventID'),
    source: field(record, 'eventSourceARN'),
    type: typeof type === 'function' ? type(record) : type,
    time: epochMs(typeof arrival === 'number' ? arrival * 1000 : undefined),
    datacontenttype: payload.contentType,
    data: payload.data,
    awspartitionkey: text(data.partitionKey),
    awssequencenumber: field(data, 'sequenceNumber', 'kinesis.sequenceNumber'),
  })
}

// --- Outcomes to replies -----------------------------------------------------

/** Exactly the records to redeliver, by their ids. */
function batchFailures(outcomes: readonly Outcome[], items: readonly NativeItem[]): BatchResponse {
  const batchItemFailures: BatchResponse['batchItemFailures'] = []
  outcomes.forEach((outcome, i) => {
    // A record without an id cannot be named; an empty one makes Lambda retry the whole batch, which loses nothing.
    if (outcome.kind === 'retry') batchItemFailures.push({ itemIdentifier: items[i]?.id ?? '' })
  })
  return { batchItemFailures }
}

/** Async invokes have no reply: a retry is a thrown error (the original one for an unexpected error, which Lambda shows), everything else returns. */
function asyncReply(outcomes: readonly Outcome[]): void {
  for (const outcome of outcomes) if (outcome.kind === 'retry') throw platformError(outcome.error)
}

/** A DynamoDB item's key attributes as one string, the same for every change of that item. */
function itemKey(keys: unknown): string | undefined {
  return isObject(keys) ? JSON.stringify(Object.keys(keys).sort().map((name) => [name, keys[name]])) : undefined
}

// --- Reading payloads --------------------------------------------------------

interface Payload {
  readonly event?: CloudEvent
  readonly data?: unknown
  readonly contentType?: string
}

const STRUCTURED = { 'content-type': 'application/cloudevents+json' }

/** A structured CloudEvent read by the core's JSON-format rules (those of HTTP). */
function unwrap(json: string | Uint8Array): CloudEvent {
  return decodeCloudEvents({ method: 'POST', headers: STRUCTURED, body: json })[0]!
}

function fromText(body: string): Payload {
  const json = parseJson(body)
  if (json === NOT_JSON) return { data: body, contentType: 'text/plain' }
  if (isStructured(json)) return { event: unwrap(body) }
  return { data: json, contentType: 'application/json' }
}

function fromBytes(bytes: Uint8Array): Payload {
  const json = looksLikeJson(bytes[firstNonSpace(bytes)]) ? parseJson(utf8(bytes)) : NOT_JSON
  if (json === NOT_JSON) return { data: bytes, contentType: 'application/octet-stream' }
  if (isStructured(json)) return { event: unwrap(bytes) }
  return { data: json, contentType: 'application/json' }
}

const NOT_JSON = Symbol('not JSON')
// Made on first use (Kinesis bytes only): making one costs a cold start about 0.08 ms.
let decoder: TextDecoder | undefined

/** A JSON object or array, or `NOT_JSON`: other JSON values (`"x"`, `12`) are read as the text they also are. */
function parseJson(text: string | undefined): unknown {
  if (text === undefined) return NOT_JSON
  let start = 0
  while (start < text.length && isSpace(text.charCodeAt(start))) start++
  if (!looksLikeJson(text.charCodeAt(start))) return NOT_JSON
  try {
    return JSON.parse(text)
  } catch {
    return NOT_JSON
  }
}

function looksLikeJson(code: number | undefined): boolean {
  return code === 0x7b || code === 0x5b // { or [
}

function firstNonSpace(bytes: Uint8Array): number {
  let i = 0
  while (i < bytes.length && isSpace(bytes[i])) i++
  return i
}

/** JSON's whitespace (RFC 8259): space, tab, line feed, carriage return. */
function isSpace(code: number | undefined): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d
}

function utf8(bytes: Uint8Array): string | undefined {
  try {
    return (decoder ??= new TextDecoder('utf-8', { fatal: true })).decode(bytes)
  } catch {
    return undefined
  }
}

function isStructured(value: unknown): value is Record<string, unknown> {
  return isObject(value) && Object.hasOwn(value, 'specversion')
}

/** The message of an SNS notification delivered through SQS without raw message delivery. */
function notificationMessage(body: unknown): string | undefined {
  if (!isObject(body) || body.Type !== 'Notification' || typeof body.TopicArn !== 'string') return undefined
  return text(body.Message)
}

/** Message attributes as one JSON object of name → value (extension values are strings, numbers or booleans). */
function attributesJson(attributes: unknown, value: (attribute: Record<string, unknown>) => string | undefined): string | undefined {
  if (!isObject(attributes)) return undefined
  const out: Record<string, string> = {}
  let any = false
  for (const name in attributes) {
    const attribute = attributes[name]
    const v = isObject(attribute) ? value(attribute) : undefined
    if (v !== undefined) {
      out[name] = v
      any = true
    }
  }
  return any ? JSON.stringify(out) : undefined
}

// --- Reading fields ------------------------------------------------------------

/**
 * One item of a batch. A record that cannot be read becomes its error, so
 * that one bad record costs only itself.
 */
function item<R>(trigger: string, index: number, record: R, read: (record: R) => CloudEvent, id?: string, attempt?: number, key?: string): NativeItem {
  let event: CloudEvent | FaasadeError
  try {
    if (!isObject(record)) throw new InvalidEventError(`${trigger} record ${index} is not an object`, [{ message: 'is not an object', path: [index] }])
    event = read(record)
  } catch (error) {
    event = isFaasadeError(error) ? error : new InvalidEventError(`${trigger} record ${index} could not be read`, [], { cause: error })
  }
  return { event, id, attempt, record, key }
}

/**
 * Which family an event belongs to, by keys no two families share: a
 * CloudEvent has `specversion`; a batch or notification has `Records`; an
 * EventBridge event has `detail-type`; anything else may be HTTP. Every
 * built-in shape test starts here, so that no event matches two of them.
 */
function shape(event: unknown): 'cloudevent' | 'records' | 'eventbridge' | 'other' | undefined {
  if (!isObject(event)) return undefined
  if (Object.hasOwn(event, 'specversion')) return 'cloudevent'
  if ('Records' in event) return 'records'
  if ('detail-type' in event) return 'eventbridge'
  return 'other'
}

/** The service a batch's first record comes from: `eventSource` (`EventSource` for SNS). */
function recordSource(event: unknown): string | undefined {
  const first = shape(event) === 'records' ? firstRecord(event) : undefined
  return text(first?.eventSource) ?? text(first?.EventSource)
}

/**
 * Which HTTP payload: format 2.0 (HTTP API, Function URLs) by its version;
 * otherwise a load balancer's by `requestContext.elb`, else API Gateway's
 * format 1.0. Authorizer events (`routeArn`, `methodArn`) are none of them.
 */
function httpShape(event: unknown): 'v1' | 'v2' | 'alb' | undefined {
  if (shape(event) !== 'other' || !isObject(event) || !isObject(event.requestContext)) return undefined
  if ('routeArn' in event || 'methodArn' in event) return undefined
  if (event.version === '2.0') return isObject(event.requestContext.http) ? 'v2' : undefined
  if (typeof event.httpMethod !== 'string') return undefined
  return isObject(event.requestContext.elb) ? 'alb' : 'v1'
}

function firstRecord(event: unknown): Record<string, unknown> | undefined {
  if (!isObject(event) || !Array.isArray(event.Records)) return undefined
  const first: unknown = event.Records[0]
  return isObject(first) ? first : undefined
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}

/** A required string field, or an error naming it. */
function field(from: object, name: string, path = name): string {
  const value = (from as Record<string, unknown>)[name]
  if (typeof value === 'string' && value !== '') return value
  throw missing(path, value === undefined ? 'is missing' : 'must be a non-empty string')
}

/** A required object field, or an error naming it. */
function object(from: object, name: string, path = name): Record<string, unknown> {
  const value = (from as Record<string, unknown>)[name]
  if (isObject(value)) return value
  throw missing(path, value === undefined ? 'is missing' : 'must be an object')
}

function missing(path: string, message: string): InvalidEventError {
  return new InvalidEventError(`Unreadable record: ${path} ${message}`, [{ message, path: path.split('.') }], { detail: `${path} ${message}` })
}

/** A delivery count: a positive 32-bit integer, else nothing. */
function count(value: unknown): number | undefined {
  const n = typeof value === 'string' && value !== '' ? Number(value) : NaN
  return Number.isInteger(n) && n >= 1 && n <= 2 ** 31 - 1 ? n : undefined
}

/** Epoch milliseconds (a number, or a string of digits as SQS sends them) as RFC 3339, else nothing. */
function epochMs(value: unknown): WrittenTime | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value !== '' ? Number(value) : NaN
  // Rounded: stream times are seconds with a fraction, and `* 1000` is inexact.
  const time = formatTimestamp(Math.round(n))
  return time === undefined ? undefined : new WrittenTime(time)
}

/** A time this file wrote itself (`formatTimestamp` writes only valid ones), as opposed to one read from a payload. */
class WrittenTime {
  readonly rfc3339: string
  constructor(rfc3339: string) {
    this.rfc3339 = rfc3339
  }
}

/**
 * A CloudEvent from attributes named in this file (no key ever comes from
 * the payload), checked by the core's rules (`checkEvent`), and frozen. A
 * time written by `epochMs` is set after the check, which it needs no more
 * than it needs a second writing; every other value is checked, a time
 * read from the payload too. Attributes left `undefined` are absent.
 */
function build(attributes: { time?: WrittenTime | string; [name: string]: unknown }): CloudEvent {
  const event: Record<string, unknown> = { specversion: '1.0' }
  let written: WrittenTime | undefined
  for (const name in attributes) {
    const value = attributes[name]
    if (value === undefined) continue
    if (value instanceof WrittenTime) written = value
    else event[name] = value
  }
  const issues = checkEvent(event)
  if (issues.length > 0) throw invalidEvent(issues)
  if (written !== undefined) event.time = written.rfc3339
  return Object.freeze(event) as CloudEvent
}

/**
 * The path, with `?` and `#` escaped: HTTP APIs hand the path decoded, so
 * either is a character of the path, not the start of a query or fragment
 * (an encoded path never holds them bare, so escaping is right for all).
 */
function path(value: unknown, name: string): string {
  if (typeof value !== 'string' || !value.startsWith('/')) throw badField(name, value === undefined ? 'is missing' : 'must be a path starting with /')
  return value.includes('?') || value.includes('#') ? value.replace(/[?#]/g, encodeURIComponent) : value
}
