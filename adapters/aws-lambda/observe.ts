/**
 * What a Lambda delivery tells the kit's observer: its trigger, and where
 * its trace context travels. An SQS message carries it in a `traceparent`
 * message attribute (OpenTelemetry's propagators) or in the
 * `AWSTraceHeader` system attribute (X-Ray's format, converted); an SNS
 * notification in its message attributes; an HTTP request in its headers;
 * and every invocation in `_X_AMZN_TRACE_ID`, the X-Ray context Lambda
 * sets per invocation when tracing is on, read last.
 */
import type { DeliveryDescription, ObserverOptions } from '../../src/adapter/index.js'
import { fromHeaders, fromMessageAttributes, fromXRayHeader, type HeaderCarrier, type MessageAttribute, type TraceContext } from '../../src/adapter/index.js'
import type { Context } from '../../src/context.js'
import { importOpenTelemetry } from '../../src/observability/import-api.js'
import type { LambdaRaw } from './lambda-types.js'

type Attributes = Readonly<Record<string, MessageAttribute | undefined>>

interface RecordShape {
  readonly eventSource?: unknown
  readonly EventSource?: unknown
  readonly eventSourceARN?: unknown
  readonly messageAttributes?: Attributes
  readonly attributes?: { readonly AWSTraceHeader?: unknown }
  readonly Sns?: { readonly MessageAttributes?: Attributes; readonly TopicArn?: unknown }
}

interface EventShape {
  readonly Records?: readonly unknown[]
  readonly headers?: HeaderCarrier | null
  readonly httpMethod?: unknown
  readonly requestContext?: unknown
  readonly 'detail-type'?: unknown
}

/**
 * The observer options of every Lambda function: the facts Lambda sets in
 * the environment (function name, version, memory, region), and
 * {@link describeLambdaDelivery}.
 *
 * @example
 * ```ts
 * createAdapter(observed(target, lambdaObserver()), options, platform)
 * ```
 */
export function lambdaObserver(env: Readonly<Record<string, string | undefined>> = process.env): ObserverOptions {
  const memoryMb = Number(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE)
  const attributes: Record<string, string | number> = {}
  // faas.max_memory is in bytes; Lambda says megabytes.
  if (Number.isFinite(memoryMb) && memoryMb > 0) attributes['faas.max_memory'] = memoryMb * 1024 * 1024
  if (env.AWS_LAMBDA_FUNCTION_VERSION) attributes['faas.version'] = env.AWS_LAMBDA_FUNCTION_VERSION
  return {
    cloudProvider: 'aws',
    cloudPlatform: 'aws_lambda',
    cloudRegion: env.AWS_REGION || undefined,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME || undefined,
    attributes,
    openTelemetry: importOpenTelemetry,
    describe: (ctx) => describeLambdaDelivery(ctx, env),
  }
}

/**
 * One Lambda delivery: an SQS or SNS record, a stream record, a bucket or
 * EventBridge event, an HTTP request, or a direct invoke.
 *
 * @example
 * ```ts
 * describeLambdaDelivery(ctx) // { trigger: 'pubsub', messagingSystem: 'aws_sqs', destination: 'orders', parent: …, batchSize: 10 }
 * ```
 */
export function describeLambdaDelivery(ctx: Pick<Context, 'provider'>, env: Readonly<Record<string, string | undefined>> = process.env): DeliveryDescription {
  const raw = ctx.provider.raw as Partial<LambdaRaw> | undefined
  const event = (raw?.event ?? {}) as EventShape
  const record = (raw?.record ?? undefined) as RecordShape | undefined
  const xray = (): TraceContext | undefined => fromXRayHeader(env._X_AMZN_TRACE_ID)
  const batchSize = Array.isArray(event.Records) ? event.Records.length : undefined
  const source = record?.eventSource ?? record?.EventSource
  switch (source) {
    case 'aws:sqs':
      return {
        trigger: 'pubsub',
        messagingSystem: 'aws_sqs',
        destination: lastPart(record?.eventSourceARN),
        batchSize,
        parent: fromMessageAttributes(record?.messageAttributes) ?? fromXRayHeader(record?.attributes?.AWSTraceHeader) ?? xray(),
      }
    case 'aws:sns':
      return { trigger: 'pubsub', messagingSystem: 'aws_sns', destination: lastPart(record?.Sns?.TopicArn), batchSize, parent: fromMessageAttributes(record?.Sns?.MessageAttributes) ?? xray() }
    case 'aws:kinesis':
    case 'aws:dynamodb':
      return { trigger: 'datasource', destination: lastPart(record?.eventSourceARN), batchSize, parent: xray() }
    case undefined:
      break
    default:
      // S3 and S3-compatible notifications.
      return { trigger: 'datasource', batchSize, parent: xray() }
  }
  if (event.requestContext !== undefined || event.httpMethod !== undefined) return { trigger: 'http', parent: fromHeaders(event.headers) ?? xray() }
  if (event['detail-type'] === 'Scheduled Event') return { trigger: 'timer', parent: xray() }
  return { trigger: event['detail-type'] === undefined ? 'other' : 'pubsub', parent: xray() }
}

/** A queue's or topic's name from its ARN (`arn:aws:sqs:eu-west-1:123456789012:orders` is `orders`); a stream's from `…:stream/name/…`. */
function lastPart(arn: unknown): string | undefined {
  if (typeof arn !== 'string') return undefined
  const resource = arn.split(':')[5]
  if (resource === undefined) return undefined
  return resource.includes('/') ? resource.split('/')[1] : resource
}
