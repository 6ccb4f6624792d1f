/**
 * `routeContext(c)`: a Hono route gets the handler context of its
 * invocation (the platform's request id on its log lines, the deadline,
 * `waitUntil`), on the adapter kit's HTTP path; Lambda here, with a real
 * API Gateway payload (Workers in test/workers/route-context.test.ts).
 */
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { routeContext } from 'faasade'
import { toLambda } from 'faasade/aws-lambda'
import { apiGatewayV2Event } from '../aws-lambda/events.js'
import { captureLog, lambdaContext } from '../aws-lambda/helpers.js'

function app() {
  const waited: string[] = []
  const hono = new Hono()
  hono.post('/my/path', (c) => {
    const ctx = routeContext(c)
    ctx.log.info('in the route', { route: '/my/path' })
    ctx.waitUntil(Promise.resolve().then(() => void waited.push('after')))
    return c.json({
      provider: ctx.provider.name,
      requestId: ctx.invocation.requestId,
      remainingMs: ctx.remainingMs(),
      same: routeContext(c) === ctx && routeContext(c.req.raw) === ctx,
    })
  })
  return { hono, waited }
}

describe('routeContext on Lambda', () => {
  it("gives the route the invocation's request id (on its log lines too), its deadline and waitUntil", async () => {
    const { log, lines } = captureLog()
    const { hono, waited } = app()
    const reply = (await toLambda(hono, { log, timeoutMarginMs: 100 })(apiGatewayV2Event(), lambdaContext(5_000, 'req-77'))) as { statusCode: number; body: string }
    expect(reply.statusCode).toBe(200)
    const body = JSON.parse(reply.body)
    expect(body).toMatchObject({ provider: 'aws-lambda', requestId: 'req-77', same: true })
    expect(body.remainingMs).toBeGreaterThan(4_000)
    expect(body.remainingMs).toBeLessThanOrEqual(4_900)
    expect(lines).toContainEqual(expect.objectContaining({ level: 'info', msg: 'in the route', requestId: 'req-77', route: '/my/path' }))
    // The route's waitUntil work is awaited before the invocation returns.
    expect(waited).toEqual(['after'])
  })
})

describe('routeContext outside an adapter', () => {
  it("is a context of its own, named 'http', with no deadline (a test calling app.request())", async () => {
    const hono = new Hono().get('/', (c) => c.json({ name: routeContext(c).provider.name, deadline: routeContext(c).deadline }))
    expect(await (await hono.request('/')).json()).toEqual({ name: 'http', deadline: null })
  })
})
