// The business logic: no provider SDK in sight. `import * as z` keeps zod's
// bundle at 26 KB gzipped instead of 92 KB (DESIGN.md).
import { defineHandler, PermanentError } from 'faasade'
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
    if (event.data.orderId === 'blocked') throw new PermanentError('This order is blocked')
    return { orderId: event.data.orderId, charged: apiKey.length > 0 }
  },
})
