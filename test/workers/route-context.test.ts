/**
 * `routeContext(c)` in workerd: a Hono route of `toWorker` gets the
 * invocation's handler context, with the ray id as its request id (on its
 * log lines too), the deadline from `timeoutMs` and the Worker's bindings.
 */
import type { Miniflare } from 'miniflare'
import { afterAll, beforeAll, expect, it, vi } from 'vitest'
import { buildPackage, type BuiltPackage } from './support/package.js'
import { startWorkerd, workerScript } from './support/workerd.js'

const source = `
import { Hono } from 'hono'
import { routeContext } from 'faasade'
import { toWorker, workerEnv } from 'faasade/cloudflare-workers'
const app = new Hono()
app.get('/ctx', (c) => {
  const ctx = routeContext(c)
  ctx.log.info('in the route')
  return c.json({ provider: ctx.provider.name, requestId: ctx.invocation.requestId, remainingMs: ctx.remainingMs(), region: workerEnv(ctx).REGION })
})
export default toWorker(app, { timeoutMs: 10_000 })
`

let pkg: BuiltPackage
let mf: Miniflare
let logs: Array<Record<string, unknown>>

beforeAll(async () => {
  pkg = await buildPackage()
  ;({ mf, logs } = await startWorkerd([{ name: 'routes', script: await workerScript(pkg, source), bindings: { REGION: 'weur' } }]))
})

afterAll(async () => {
  await mf?.dispose()
  await pkg?.remove()
})

it("gives a Hono route the invocation's context: the ray id (on its log lines), the deadline and the bindings", async () => {
  const response = await mf.dispatchFetch('http://routes/ctx', { headers: { 'cf-ray': '8f1e2d3c4b5a6978-CDG' } })
  const body = (await response.json()) as Record<string, unknown>
  expect(body).toMatchObject({ provider: 'cloudflare-workers', requestId: '8f1e2d3c4b5a6978-CDG', region: 'weur' })
  expect(body.remainingMs).toBeGreaterThan(5_000)
  expect(body.remainingMs).toBeLessThanOrEqual(10_000)
  await vi.waitFor(() => expect(logs).toContainEqual(expect.objectContaining({ level: 'info', msg: 'in the route', requestId: '8f1e2d3c4b5a6978-CDG' })))
})
