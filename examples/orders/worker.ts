// Cloudflare Workers entry: the same service as every other provider's entry.
// Order messages on the `orders` queue are plain bodies ({ orderId, amount }),
// so the queue option names their CloudEvent type; a producer that sends
// structured CloudEvents needs no option. wrangler.toml sits next to this file.
import { toWorker } from 'faasade/cloudflare-workers'
import { service } from './service.js'

export default toWorker(service, {
  queue: { type: 'com.example.order.placed' },
  onDrop: 'dead-letter',
  // The cron trigger of wrangler.toml runs the sweep.
  scheduled: { type: 'com.example.orders.sweep' },
})
