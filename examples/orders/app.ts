// The HTTP API of the same service, a plain Hono app.
import { Hono } from 'hono'

export const app = new Hono()
  .get('/health', (c) => c.json({ ok: true }))
  .get('/orders/:id', (c) => c.json({ orderId: c.req.param('id'), status: 'placed' }))
