import { describe, expect, it, vi } from 'vitest'
import * as v from 'valibot'
import * as z from 'zod'
import * as zm from 'zod/mini'
import { ConfigurationError, createContext, createEvent, defineHandler, defineMiddleware, TimeoutError, ValidationError } from 'faasade'
import { invoke } from 'faasade/testing'

const ctx = () => createContext({ provider: { name: 'test', raw: null } })
const event = (data: unknown, extra: Record<string, unknown> = {}) =>
  createEvent({ id: '1', source: '/s', type: 'com.example.t', data, ...extra })

describe('defineHandler', () => {
  it.each([
    ['zod', z.object({ n: z.number() })],
    ['zod/mini', zm.object({ n: zm.number() })],
    ['valibot', v.object({ n: v.number() })],
  ])('checks data with a %s schema before handle runs', async (_name, schema) => {
    const handle = vi.fn((e: { data: { n: number } }) => e.data.n * 2)
    const h = defineHandler({ data: schema, handle })
    await expect(h.run(event({ n: 2 }), ctx())).resolves.toBe(4)
    const error = await h.run(event({ n: 'two' }), ctx()).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ValidationError)
    expect((error as ValidationError).issues[0]?.path).toEqual(['n'])
    expect(handle).toHaveBeenCalledTimes(1)
  })

  it('hands the schema output, not the input, to handle (transforms apply)', async () => {
    const h = defineHandler({ data: z.object({ at: z.string().transform((s) => s.length) }), handle: (e) => e.data.at })
    await expect(h.run(event({ at: 'abc' }), ctx())).resolves.toBe(3)
  })

  it('supports async schemas', async () => {
    const schema = z.object({ n: z.number() }).refine(async (d) => d.n > 0)
    const h = defineHandler({ data: schema, handle: (e) => e.data.n })
    await expect(h.run(event({ n: 1 }), ctx())).resolves.toBe(1)
    await expect(h.run(event({ n: -1 }), ctx())).rejects.toBeInstanceOf(ValidationError)
  })

  it('gives handle a frozen event', async () => {
    // Observed inside handle, asserted outside it: an assertion thrown inside
    // would reach run's caller only as the handler's error, and one never made
    // (handle not run) would pass.
    const seen: Array<{ frozen: boolean; write: unknown; id: string }> = []
    const h = defineHandler({
      handle: (e) => {
        let write: unknown
        try {
          ;(e as { id: string }).id = 'x'
        } catch (error) {
          write = error
        }
        seen.push({ frozen: Object.isFrozen(e), write, id: e.id })
        return 'done'
      },
    })
    await expect(h.run(event(1), ctx())).resolves.toBe('done')
    expect(seen).toHaveLength(1)
    expect(seen[0]!.frozen).toBe(true)
    expect(seen[0]!.write).toBeInstanceOf(TypeError)
    expect(seen[0]!.id).toBe('1')
  })

  it('refuses to start after the deadline', async () => {
    const handle = vi.fn()
    const h = defineHandler({ handle })
    const late = createContext({ provider: { name: 'test', raw: null }, deadline: Date.now() - 1 })
    await expect(h.run(event(1), late)).rejects.toBeInstanceOf(TimeoutError)
    expect(handle).not.toHaveBeenCalled()
  })

  it.each([
    [{ type: 'com.example.order.placed' }, 'com.example.order.placed', '/s', true],
    [{ type: 'com.example.order.placed' }, 'com.example.order.cancelled', '/s', false],
    [{ type: 'com.example.order.*' }, 'com.example.order.cancelled', '/s', true],
    [{ type: 'com.example.order.*' }, 'com.example.orders', '/s', false],
    [{ type: /^com\.example\./ }, 'com.example.x', '/s', true],
    [{ source: '/shop/*' }, 'x', '/shop/eu', true],
    [{ source: '/shop/*' }, 'x', '/warehouse', false],
    [{ type: 'a.b', source: '/s' }, 'a.b', '/t', false],
    [{ type: 'a.b+c' }, 'a.bbc', '/s', false],
  ])('filters %o: type %s source %s -> %s', (filter, type, source, accepted) => {
    expect(defineHandler({ ...filter, handle: () => 1 }).accepts({ type, source })).toBe(accepted)
  })

  it('names itself from its exact type, else "handler"', () => {
    expect(defineHandler({ type: 'com.a', handle: () => 1 }).name).toBe('com.a')
    expect(defineHandler({ type: 'com.*', handle: () => 1 }).name).toBe('handler')
    expect(defineHandler({ name: 'n', type: 'com.a', handle: () => 1 }).name).toBe('n')
  })

  it('rejects bad definitions when defined, not when run', () => {
    expect(() => defineHandler({ handle: () => 1, typ: 'x' } as never)).toThrow(/unknown option "typ"/)
    expect(() => defineHandler({} as never)).toThrow(ConfigurationError)
    expect(() => defineHandler({ data: {} as never, handle: () => 1 })).toThrow(/Standard Schema/)
    expect(() => defineHandler({ use: [{} as never], handle: () => 1 })).toThrow(/use\[0\]/)
  })

  it('turns a synchronous throw from handle or a middleware into a rejected promise', async () => {
    const throwing = defineHandler({ handle: () => { throw new Error('sync') } })
    const fromHandle = throwing.run(event(1), ctx())
    expect(fromHandle).toBeInstanceOf(Promise)
    await expect(fromHandle).rejects.toThrow('sync')
    const m = defineMiddleware({ name: 'm', run: () => { throw new Error('sync mw') } })
    const fromMiddleware = defineHandler({ use: [m], handle: () => 1 }).run(event(1), ctx())
    expect(fromMiddleware).toBeInstanceOf(Promise)
    await expect(fromMiddleware).rejects.toThrow('sync mw')
    const late = defineHandler({ handle: () => 1 }).run(event(1), createContext({ provider: { name: 't', raw: null }, deadline: 0 }))
    await expect(late).rejects.toBeInstanceOf(TimeoutError)
  })

  it('passes the handler name to middleware', async () => {
    let seen = ''
    const m = defineMiddleware({ name: 'm', run: (_e, _c, next, info) => ((seen = info.name), next()) })
    await invoke(defineHandler({ name: 'orders', use: [m], handle: () => 1 }), {})
    expect(seen).toBe('orders')
  })
})
