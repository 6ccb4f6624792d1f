import { describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { ConfigurationError, createContext, createEvent, defineHandler, defineService, dispatch, NoHandlerError, toService } from 'faasade'

const ctx = () => createContext({ provider: { name: 'test', raw: null } })
const placed = defineHandler({ type: 'com.example.order.placed', handle: () => 'placed' })
const anyOrder = defineHandler({ type: 'com.example.order.*', handle: () => 'any' })

describe('defineService', () => {
  it('routes to the first handler that accepts the event', async () => {
    const service = defineService({ events: [placed, anyOrder] })
    const run = (type: string) => dispatch(service, createEvent({ id: '1', source: '/s', type }), ctx())
    await expect(run('com.example.order.placed')).resolves.toBe('placed')
    await expect(run('com.example.order.cancelled')).resolves.toBe('any')
    await expect(run('com.example.invoice.sent')).rejects.toBeInstanceOf(NoHandlerError)
  })

  it('turns a handler, an app or a service into a service', () => {
    const app = new Hono()
    expect(toService(placed).events).toEqual([placed])
    expect(toService(app).http).toBe(app)
    const service = defineService({ http: app, events: [placed] })
    expect(toService(service)).toBe(service)
    expect(() => toService({} as never)).toThrow(ConfigurationError)
  })

  it('rejects bad definitions at once', () => {
    expect(() => defineService({ event: [] } as never)).toThrow(/unknown option "event"/)
    expect(() => defineService({ events: [() => 1] as never })).toThrow(/events\[0\]/)
    expect(() => defineService({ http: {} as never })).toThrow(/fetch/)
    // Neither an app nor a handler: nothing could ever answer.
    expect(() => defineService({})).toThrow(ConfigurationError)
    expect(() => defineService({ events: [] })).toThrow(/`http` app, `events` handlers, or both/)
  })
})
