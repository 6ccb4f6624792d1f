// The Cloud Run options both entries share (cloud-run.ts, the plain server;
// cloud-run-function.ts, the functions framework). Order messages are plain
// bodies ({ orderId, amount }), so the Pub/Sub mapper names their CloudEvent
// type; the Scheduler job names the sweep's. A producer that publishes
// structured CloudEvents needs no option.
import { cloudSchedulerMapper, pubSubPushMapper, type FunctionOptions } from 'faasade/cloud-run'

export const options: FunctionOptions = {
  mappers: [pubSubPushMapper({ type: 'com.example.order.placed' }), cloudSchedulerMapper({ type: 'com.example.orders.sweep' })],
  // A blocked order (PermanentError) gets a 422, so Pub/Sub redelivers it
  // until the subscription's dead-letter topic takes it: the default, spelled out.
  onDrop: 'dead-letter',
}
