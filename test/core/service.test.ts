import { describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { ConfigurationError, createContext, createEvent, defineHandler, defineService, dispatch, mayDeliver, NoHandlerError, pathOf, toService, wantsEvents } from 'faasade'

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

describe('where CloudEvents over HTTP reach the handlers', () => {
  const placed = defineHandler({ type: 'com.example.order.placed', handle: () => 1 })
  const app = { fetch: () => new Response('app') }
  const ce = { 'ce-specversion': '1.0', 'ce-id': '1', 'ce-source': '/s', 'ce-type': 'com.example.order.placed' }
  const line = (method: string, path: string, headers: Record<string, string> = ce) => ({ method, path, headers })

  it('a service with no app takes them on any path; with an app, only on its cloudEvents route (POST by default)', () => {
    expect(wantsEvents(defineService({ events: [placed] }), line('PUT', '/anything'))).toBe(true)
    expect(wantsEvents(defineService({ http: app, events: [placed] }), line('POST', '/'))).toBe(false)
    const routed = defineService({ http: app, events: [placed], cloudEvents: { path: ['/events', '/hooks'] } })
    expect(wantsEvents(routed, line('POST', '/events'))).toBe(true)
    expect(wantsEvents(routed, line('post', '/hooks'))).toBe(true)
    expect(wantsEvents(routed, line('GET', '/events'))).toBe(false)
    expect(wantsEvents(routed, line('POST', '/events/x'))).toBe(false)
    expect(wantsEvents(routed, line('POST', '/events', { 'content-type': 'application/json' }))).toBe(false)
  })

  it('refuses a malformed route at definition time', () => {
    expect(() => defineService({ http: app, events: [placed], cloudEvents: { path: 'events' } })).toThrow(ConfigurationError)
    expect(() => defineService({ http: app, events: [placed], cloudEvents: { path: [] } })).toThrow(ConfigurationError)
    expect(() => defineService({ http: app, events: [placed], cloudEvents: { path: '/e', authorize: 'yes' as never } })).toThrow(ConfigurationError)
  })

  it('mayDeliver: true without a hook, the hook\'s answer with one, false when it throws or answers anything but true', async () => {
    const line1 = line('POST', '/e')
    expect(await mayDeliver(defineService({ http: app, events: [placed], cloudEvents: { path: '/e' } }), line1)).toBe(true)
    expect(await mayDeliver(defineService({ http: app, events: [placed], cloudEvents: { path: '/e', authorize: async () => false } }), line1)).toBe(false)
    expect(await mayDeliver(defineService({ http: app, events: [placed], cloudEvents: { path: '/e', authorize: () => 'yes' as never } }), line1)).toBe(false)
    expect(await mayDeliver(defineService({ http: app, events: [placed], cloudEvents: { path: '/e', authorize: () => { throw new Error('x') } } }), line1)).toBe(false)
  })

  it.each([
    ['https://api.example.com/events?x=1', '/events'],
    ['http://h:8080/a/b#frag', '/a/b'],
    ['/a?b=/c', '/a'],
    ['https://h', '/'],
    ['/', '/'],
  ])('pathOf(%s) is %s', (url, path) => {
    expect(pathOf(url)).toBe(path)
  })
})

