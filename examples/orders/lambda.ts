// AWS Lambda entry: the same service as every other provider's entry. One
// function serves the HTTP API (API Gateway, a Function URL or an ALB in
// front) and the `orders` SQS queue. Order messages are plain bodies
// ({ orderId, amount }), so the SQS mapper names their CloudEvent type; a
// producer that sends structured CloudEvents needs no option.
// Deploy: the README's Lambda section (esbuild bundle, zip, handler `lambda.handler`).
import { sqsMapper, toLambda } from 'faasade/aws-lambda'
import { service } from './service.js'

export const handler = toLambda(service, {
  mappers: [sqsMapper({ type: 'com.example.order.placed' })],
  // A blocked order (PermanentError) goes to the queue's dead-letter queue
  // after maxReceiveCount deliveries instead of being dropped.
  onDrop: 'dead-letter',
})
