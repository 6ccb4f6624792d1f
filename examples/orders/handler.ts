// The business logic: no provider SDK in sight. `import * as z` keeps zod's
// bundle at 26 KB gzipped instead of 92 KB (docs/architecture.md).
import { defineHandler, PermanentError, RetryableError } from 'faasade'
import { idempotent, memoryStore } from 'faasade/idempotency'
import { fromEnv, secrets } from 'faasade/secrets'
import * as z from 'zod'

export const orderPlaced = defineHandler({
  type: 'com.example.order.placed',
  data: z.object({ orderId: z.string().min(1), amount: z.number().positive() }),
  // fromEnv is the embedded default; in production swap in
  // fromAwsSecretsManager('prod/stripe') from 'faasade/secrets/aws', or the GCP/Azure ones.
  // The memory store is the embedded default (one instance); in production
  // pass redisStore, dynamoDbStore, postgresStore, azureTableStore or d1Store.
  use: [secrets({ stripe: fromEnv('STRIPE_API_KEY') }), idempotent({ store: memoryStore() })],
  async handle(event, ctx) {
    // The key is a Secret: this line logs "stripe":"[redacted]".
    ctx.log.info('charging', { orderId: event.data.orderId, amount: event.data.amount, stripe: ctx.secrets.stripe })
    const apiKey: string = ctx.secrets.stripe.value // what a Stripe client would be given
    // Stand-ins for two answers a payment provider gives: a blocked order never
    // goes through (PermanentError: not redelivered), a rate limit passes
    // (RetryableError: redelivered, on Workers after retryAfterMs).
    if (event.data.orderId === 'blocked') throw new PermanentError('This order is blocked')
    if (event.data.orderId === 'rate-limited') throw new RetryableError('The payment provider is rate limiting', { retryAfterMs: 3_000 })
    return { orderId: event.data.orderId, charged: apiKey.length > 0 }
  },
})

/**
 * A periodic sweep of orders left unpaid. Workers run it from a cron
 * trigger (worker.ts names its type); elsewhere any scheduler that sends this
 * CloudEvent type reaches it. Like every event handler of the service, it is
 * also reachable as a CloudEvent over HTTP: a sweep that callers must not
 * start belongs in a service of its own, deployed without an HTTP trigger.
 */
export const sweepUnpaid = defineHandler({
  type: 'com.example.orders.sweep',
  async handle(event, ctx) {
    // A real sweep would query the order store here.
    ctx.log.info('sweeping unpaid orders', { schedule: event.subject, at: event.time })
    return { swept: 0 }
  },
})
