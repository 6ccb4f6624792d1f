/**
 * `faasade/aws-lambda`: run a handler, a Hono app or a service as an AWS
 * Lambda function, behind every common trigger: API Gateway (REST and HTTP
 * APIs), Function URLs, ALB, SQS (standard and FIFO), SNS, S3, EventBridge,
 * DynamoDB Streams, Kinesis, and a CloudEvent invoked directly.
 *
 * @example
 * ```ts
 * // lambda.ts: handler `lambda.handler`
 * import { toLambda } from 'faasade/aws-lambda'
 * import { service } from './service.js'
 * export const handler = toLambda(service)
 * ```
 */
export { toLambda, lambdaRaw, unknownEvent, PROVIDER_NAME, type LambdaHandler } from './to-lambda.js'
export type { LambdaOptions } from './options.js'
export { toLambdaStream, type ResponseStream, type StreamingHandler } from './stream.js'
export { defineMapper, type EventMapper, type HttpMapper, type HttpReplyParts, type LambdaHttpRequest, type LambdaMapper, type NativeItem } from './mapper.js'
export {
  alb as albMapper,
  apiGatewayV1 as apiGatewayV1Mapper,
  apiGatewayV2 as apiGatewayV2Mapper,
  BUILT_IN_MAPPERS,
  cloudEvent as cloudEventMapper,
  dynamodb as dynamodbMapper,
  decodeS3Key,
  DYNAMODB_TYPE_PREFIX,
  eventBridge as eventBridgeMapper,
  kinesisMapper,
  KINESIS_RECORD_TYPE,
  s3 as s3Mapper,
  S3_TYPE_PREFIX,
  sns as snsMapper,
  SNS_TYPE_PREFIX,
  sqsMapper,
  SQS_MESSAGE_TYPE,
  type RecordType,
} from './mapping.js'
export { dynamodbStreamMapper, type DynamoDbChange, type DynamoDbStreamOptions } from './dynamodb-mapper.js'
export { unmarshall, unmarshallValue, type AttributeValue, type DynamoDbItem, type DynamoDbValue } from './dynamodb-json.js'
export { albReply, fromCoreReply, fromResponse, isTextual, statusDescription, toWebRequest, v1Reply, v2Reply } from './http.js'
export type * from './lambda-types.js'
export { describeLambdaDelivery, lambdaObserver } from './observe.js'
