// Azure Functions entry (v4 programming model): the same service as every
// other provider's entry. One function app serves the HTTP API, the `orders`
// Storage queue and a sweep every 15 minutes. Order messages are plain
// bodies ({ orderId, amount }), so the queue option names their CloudEvent
// type; a producer that sends structured CloudEvents needs no option.
// host.json sits next to this file; the app's package.json points "main"
// at the compiled form of this file.
import { app } from '@azure/functions'
import { toAzureFunctions } from 'faasade/azure-functions'
import { service } from '../service.js'

const azure = toAzureFunctions(service, {
  storageQueue: { type: 'com.example.order.placed' },
  timer: { type: 'com.example.orders.sweep' },
  // A blocked order (PermanentError) fails its invocation, so the host
  // moves it to `orders-poison` after maxDequeueCount (host.json) tries.
  onDrop: 'dead-letter',
  // host.json's functionTimeout: handlers see their deadline 100 ms before it.
  functionTimeoutMs: 10 * 60_000,
})

// Every path and method to the Hono app (and CloudEvents over HTTP to the
// handlers); host.json sets routePrefix to "" so the app sees /health, not /api/health.
app.http('api', { methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'], authLevel: 'anonymous', route: '{*path}', handler: azure.http })
app.storageQueue('orders', { queueName: 'orders', connection: 'AzureWebJobsStorage', handler: azure.storageQueue })
app.timer('sweep', { schedule: '0 */15 * * * *', handler: azure.timer })
