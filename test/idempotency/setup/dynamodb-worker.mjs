// A Worker holding the DynamoDB store (no client: the fetch transport, as on
// Workers), driven over fetch by test/idempotency/stores/dynamodb-workers.test.ts:
// POST { op, args } runs store[op](...args). Endpoint and keys come from vars.
import { env } from 'cloudflare:workers'
import { dynamoDbStore } from '../../../src/idempotency/stores/dynamodb.ts'

const store = dynamoDbStore({
  table: env.TABLE,
  endpoint: env.ENDPOINT,
  region: 'us-east-1',
  credentials: { accessKeyId: env.KEY_ID, secretAccessKey: env.SECRET },
})

export default {
  async fetch(request) {
    const { op, args } = await request.json()
    try {
      const result = await store[op](...args)
      return Response.json(result === undefined ? { ok: true } : { ok: true, result })
    } catch (error) {
      return Response.json({ ok: false, name: error.name, message: error.message, cause: String(error.cause?.message ?? error.cause) })
    }
  },
}
