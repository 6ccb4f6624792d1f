// Powertools' SQS consumer for the cold-start bench, as its docs put it:
// BatchProcessor + processPartialResponse, each record through makeIdempotent
// on a DynamoDBPersistenceLayer (the SDK v3 client; endpoint, region and
// credentials from the environment).
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch'
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency'
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb'

const persistenceStore = new DynamoDBPersistenceLayer({ tableName: process.env.IDEMPOTENCY_TABLE })
const config = new IdempotencyConfig({ eventKeyJmesPath: 'messageId' })
const processor = new BatchProcessor(EventType.SQS)
const recordHandler = makeIdempotent(async (record) => ({ charged: JSON.parse(record.body).orderId }), { persistenceStore, config })

export async function handler(event, context) {
  config.registerLambdaContext(context)
  return processPartialResponse(event, recordHandler, processor, { context })
}
