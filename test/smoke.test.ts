import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import { defineHandler, defineMiddleware, PermanentError } from '../src/index.js'
import { invoke } from '../src/testing/index.js'

describe('smoke', () => {
  it('runs a handler with a schema and middleware', async () => {
    const order: string[] = []
    const m1 = defineMiddleware<{ a: number }>({ name: 'a', async run(_e, _c, next) { order.push('a>'); const r = await next({ a: 1 }); order.push('<a'); return r } })
    const h = defineHandler({
      type: 'com.example.x',
      data: z.object({ n: z.number() }),
      use: [m1],
      handle: (event, ctx) => { order.push('h'); return event.data.n + ctx.a },
    })
    const r = await invoke(h, { type: 'com.example.x', data: { n: 2 } })
    expect(r.ok && r.result).toBe(3)
    expect(order).toEqual(['a>', 'h', '<a'])
    const bad = await invoke(h, { type: 'com.example.x', data: { n: 'x' } })
    expect(bad.outcome).toBe('drop')
    const perm = await invoke(defineHandler({ handle() { throw new PermanentError('no') } }), {})
    expect(perm.outcome).toBe('drop')
  })
})
