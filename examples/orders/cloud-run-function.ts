// Google Cloud Run entry, the functions-framework door: the same service,
// registered as the HTTP function `orders` for a Cloud Run function
// (`gcloud functions deploy orders --gen2`, or `gcloud run deploy --function
// orders`). The framework owns the process: no health paths, no drain.
// Build: `node examples/orders/build-cloud-run.mjs`; deploy: docs/cloud-run.md.
import { http } from '@google-cloud/functions-framework'
import { toHttpFunction } from 'faasade/cloud-run'
import { options } from './cloud-run-options.js'
import { service } from './service.js'

http('orders', toHttpFunction(service, options))
