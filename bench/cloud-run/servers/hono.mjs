// Hono on @hono/node-server: c.req.json(), c.json().
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { reply } from './work.mjs'

const app = new Hono().post('/', async (c) => c.json(reply(c.req.header('ce-id'), await c.req.json())))
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: '127.0.0.1' })
