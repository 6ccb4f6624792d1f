// Google Cloud Run entry: the same service as every other provider's entry.
// One container serves the HTTP API, the orders Pub/Sub push subscription
// and the nightly Cloud Scheduler sweep. Order messages are plain bodies
// ({ orderId, amount }), so the Pub/Sub mapper names their CloudEvent type;
// the Scheduler job names the sweep's. A producer that publishes structured
// CloudEvents needs no option.
// Deploy: docs/cloud-run.md (`gcloud run deploy orders --source .`).
import { cloudSchedulerMapper, pubSubPushMapper, serve } from 'faasade/cloud-run'
import { service } from './service.js'

serve(service, {
  mappers: [pubSubPushMapper({ type: 'com.example.order.placed' }), cloudSchedulerMapper({ type: 'com.example.orders.sweep' })],
  // A blocked order (PermanentError) gets a 422, so Pub/Sub redelivers it
  // until the subscription's dead-letter topic takes it: the default, spelled out.
  onDrop: 'dead-letter',
})
