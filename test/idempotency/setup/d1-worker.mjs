// A Worker that holds the D1 store as a Worker would: built at module scope
// from the binding (`env` from cloudflare:workers), and driven over fetch by
// test/idempotency/stores/d1.test.ts: POST { op, args } runs store[op](...args).
import { env } from 'cloudflare:workers'
import { d1CreateTableSql, d1Store } from '../../../src/idempotency/stores/d1.ts'

const store = d1Store(env.DB)

export default {
  async fetch(request) {
    const { op, args } = await request.json()
    try {
      if (op === 'createTable') {
        await env.DB.batch(d1CreateTableSql().map((sql) => env.DB.prepare(sql)))
        return Response.json({ ok: true })
      }
      const result = await store[op](...args)
      return Response.json(result === undefined ? { ok: true } : { ok: true, result })
    } catch (error) {
      return Response.json({ ok: false, name: error.name, message: error.message, cause: String(error.cause?.message ?? error.cause) })
    }
  },
}
