/**
 * The adapter's local Lambda types stay compatible with `@types/aws-lambda`
 * (what users type their events with), and a `toLambda` handler is a Lambda
 * `Handler` without a cast.
 */
import type * as AWS from 'aws-lambda'
import { expectTypeOf, test } from 'vitest'
import { defineHandler } from 'faasade'
import {
  defineMapper,
  lambdaRaw,
  toLambda,
  type AlbEvent,
  type AlbResult,
  type ApiGatewayV1Event,
  type ApiGatewayV1Result,
  type ApiGatewayV2Event,
  type ApiGatewayV2Result,
  type BatchResponse,
  type DynamoDbStreamEvent,
  type EventBridgeEvent,
  type KinesisStreamEvent,
  type LambdaContext,
  type S3Event,
  type SnsEvent,
  type SqsEvent,
} from 'faasade/aws-lambda'

test('native events typed with @types/aws-lambda are accepted', () => {
  expectTypeOf<AWS.Context>().toExtend<LambdaContext>()
  expectTypeOf<AWS.SQSEvent>().toExtend<SqsEvent>()
  expectTypeOf<AWS.SNSEvent>().toExtend<SnsEvent>()
  expectTypeOf<AWS.S3Event>().toExtend<S3Event>()
  expectTypeOf<AWS.EventBridgeEvent<'Scheduled Event', object>>().toExtend<EventBridgeEvent>()
  expectTypeOf<AWS.DynamoDBStreamEvent>().toExtend<DynamoDbStreamEvent>()
  expectTypeOf<AWS.KinesisStreamEvent>().toExtend<KinesisStreamEvent>()
  expectTypeOf<AWS.APIGatewayProxyEvent>().toExtend<ApiGatewayV1Event>()
  expectTypeOf<AWS.APIGatewayProxyEventV2>().toExtend<ApiGatewayV2Event>()
  expectTypeOf<AWS.ALBEvent>().toExtend<AlbEvent>()
})

test('replies are what @types/aws-lambda expects', () => {
  expectTypeOf<BatchResponse>().toExtend<AWS.SQSBatchResponse>()
  expectTypeOf<ApiGatewayV1Result>().toExtend<AWS.APIGatewayProxyResult>()
  expectTypeOf<ApiGatewayV2Result>().toExtend<AWS.APIGatewayProxyStructuredResultV2>()
  expectTypeOf<AlbResult>().toExtend<AWS.ALBResult>()
})

test('a toLambda handler is a Lambda Handler', () => {
  const handler: AWS.Handler = toLambda(defineHandler({ handle: () => 1 }))
  expectTypeOf(handler).toBeFunction()
})

test('defineMapper infers the event type from match', () => {
  defineMapper({
    kind: 'events',
    name: 'ping',
    match: (event): event is { ping: string } => typeof (event as { ping?: unknown } | null)?.ping === 'string',
    toEvents: (event) => {
      expectTypeOf(event.ping).toEqualTypeOf<string>()
      return []
    },
    reply: (_outcomes, _items, event) => event.ping,
  })
})

test('lambdaRaw(ctx) is typed by its trigger: narrowing on `trigger` types `event` and `record`', () => {
  const ctx = {} as import('faasade').Context
  const raw = lambdaRaw(ctx)
  if (raw?.trigger === 'sqs') {
    expectTypeOf(raw.record).toEqualTypeOf<SqsEvent['Records'][number]>()
    expectTypeOf(raw.event).toEqualTypeOf<SqsEvent>()
  }
  if (raw?.trigger === 'dynamodb') expectTypeOf(raw.record).toEqualTypeOf<DynamoDbStreamEvent['Records'][number]>()
  if (raw?.trigger === 'apigateway-v2') expectTypeOf(raw.record).toEqualTypeOf<undefined>()
  if (raw?.trigger === 'custom') expectTypeOf(raw.mapper).toEqualTypeOf<string>()
})
