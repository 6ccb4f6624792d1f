// Our SQS consumer for the cold-start bench: each record becomes a CloudEvent
// and runs through an idempotent handler on DynamoDB (the default fetch
// transport: credentials, region and endpoint from the environment).
// faasade/aws-lambda is not built yet, so the consumer is written here with
// the core's runBatch and createContext, as the adapter will do it.
import { createContext, createEvent, defineHandler, runBatch } from 'faasade'
import { idempotent } from 'faasade/idempotency'
import { dynamoDbStore } from 'faasade/idempotency/dynamodb'

const store = dynamoDbStore({ table: process.env.IDEMPOTENCY_TABLE })
const orderPlaced = defineHandler({
  name: 'orders',
  use: [idempotent({ store })],
  async handle(event) {
    return { charged: event.data.orderId }
  },
})

export async function handler(sqs, lambda) {
  const deadline = Date.now() + lambda.getRemainingTimeInMillis()
  const outcomes = await runBatch(sqs.Records, (record) => {
    const event = createEvent({ id: record.messageId, source: record.eventSourceARN, type: 'aws.sqs.message', data: JSON.parse(record.body) })
    return orderPlaced.run(event, createContext({ provider: { name: 'aws-lambda', raw: record }, deadline }))
  })
  return { batchItemFailures: sqs.Records.filter((_, i) => outcomes[i].kind === 'retry').map((r) => ({ itemIdentifier: r.messageId })) }
}
