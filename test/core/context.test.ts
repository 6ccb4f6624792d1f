import { describe, expect, it, vi } from 'vitest'
import { createContext, createLogger, drainWaitUntil, TimeoutError } from 'faasade'

const provider = { name: 'test', raw: { secretish: 'native event' } }

describe('context', () => {
  it('reports the time left and never a negative number', () => {
    let now = 1_000
    const ctx = createContext({ provider, deadline: 1_500, now: () => now })
    expect(ctx.remainingMs()).toBe(500)
    now = 2_000
    expect(ctx.remainingMs()).toBe(0)
  })

  it('has no deadline unless the provider gives one', () => {
    const ctx = createContext({ provider })
    expect(ctx.deadline).toBe(Infinity)
    expect(ctx.signal.aborted).toBe(false)
  })

  it('aborts the signal at the deadline with a TimeoutError', async () => {
    const ctx = createContext({ provider, deadline: Date.now() + 20 })
    expect(ctx.signal.aborted).toBe(false)
    await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve))
    expect(ctx.signal.reason).toBeInstanceOf(TimeoutError)
  })

  it('an already passed deadline gives an aborted signal', () => {
    const ctx = createContext({ provider, deadline: Date.now() - 5 })
    expect(ctx.signal.aborted).toBe(true)
  })

  it("follows the provider's own signal, with its reason, before the deadline or with none; asks for it on first read only", () => {
    for (const deadline of [Date.now() + 60_000, undefined]) {
      const gone = new AbortController()
      let asked = 0
      const ctx = createContext({ provider, deadline, signal: () => (asked++, gone.signal) })
      expect(asked).toBe(0)
      expect(ctx.signal.aborted).toBe(false)
      const reason = new Error('client gone')
      gone.abort(reason)
      expect(ctx.signal.reason).toBe(reason)
      expect(asked).toBe(1)
    }
    const already = new AbortController()
    already.abort('gone')
    expect(createContext({ provider, signal: () => already.signal }).signal.reason).toBe('gone')
  })

  it('hands waitUntil work to the provider when it has a waitUntil', async () => {
    const waitUntil = vi.fn()
    const ctx = createContext({ provider, waitUntil })
    ctx.waitUntil(Promise.resolve(1))
    expect(waitUntil).toHaveBeenCalledTimes(1)
  })

  it('collects waitUntil work otherwise, and drains it; a failed task is logged, not thrown', async () => {
    const lines: string[] = []
    const ctx = createContext({ provider, log: createLogger({ sink: (l) => lines.push(l) }) })
    let done = false
    ctx.waitUntil(new Promise((r) => setTimeout(r, 10)).then(() => (done = true)))
    ctx.waitUntil(Promise.reject(new Error('flush failed')))
    await drainWaitUntil(ctx)
    expect(done).toBe(true)
    expect(lines.join('\n')).toContain('flush failed')
  })

  it('drains waitUntil work that waitUntil work hands on', async () => {
    const ctx = createContext({ provider })
    const done: string[] = []
    const later = (name: string, then?: () => void) => new Promise<void>((r) => setTimeout(() => (done.push(name), then?.(), r()), 5))
    ctx.waitUntil(later('first', () => ctx.waitUntil(later('second'))))
    await drainWaitUntil(ctx)
    expect(done).toEqual(['first', 'second'])
  })

  it('serialises without the native event or the logger', () => {
    const ctx = createContext({ provider, deadline: Date.UTC(2026, 10, 24), attempt: 2 })
    Object.assign(ctx, { tenant: 'acme' })
    const json = JSON.parse(JSON.stringify(ctx)) as Record<string, unknown>
    expect(json).toEqual({ attempt: 2, tenant: 'acme', deadline: '2026-11-24T00:00:00.000Z', provider: { name: 'test' }, invocation: {} })
    expect(JSON.stringify(ctx)).not.toContain('native event')
  })

  it('serialises the invocation facts, never the provider\'s environment bindings (a Worker\'s env holds secrets)', () => {
    const ctx = createContext({ provider: { ...provider, env: { API_KEY: 'sk_live_binding' } }, invocation: { requestId: 'req-1', coldStart: true } })
    expect(ctx.provider.env).toEqual({ API_KEY: 'sk_live_binding' })
    const json = JSON.stringify(ctx)
    expect(JSON.parse(json)).toMatchObject({ provider: { name: 'test' }, invocation: { requestId: 'req-1', coldStart: true } })
    expect(json).not.toContain('sk_live_binding')
  })

  it('inspects (console.log) without the native event either', async () => {
    const { inspect } = await import('node:util')
    const ctx = createContext({ provider, attempt: 1 })
    expect(inspect(ctx, { depth: 5 })).not.toContain('native event')
    expect(inspect(ctx)).toContain('attempt: 1')
  })
})
