// Google Cloud Run entry, the plain server: the same service as every other
// provider's entry. One container serves the HTTP API, the orders Pub/Sub
// push subscription and the nightly Cloud Scheduler sweep, and drains on
// SIGTERM. Build: `node examples/orders/build-cloud-run.mjs`; deploy:
// docs/cloud-run.md (`gcloud run deploy orders --source dist-cloud-run/run`).
import { serve } from 'faasade/cloud-run'
import { options } from './cloud-run-options.js'
import { service } from './service.js'

serve(service, options)
