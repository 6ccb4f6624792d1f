import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { checkOptions, ConfigurationError, createContext, createEvent, defineHandler, defineMiddleware, type Middleware } from 'faasade'

const ctx = () => createContext({ provider: { name: 'test', raw: null } })
const event = createEvent({ id: '1', source: '/s', type: 't' })

function tracer(name: string, log: string[], opts: { shortCircuit?: unknown; throwIn?: boolean; catchAs?: unknown } = {}): Middleware<{}> {
  return defineMiddleware({
    name,
    async run(_e, _c, next) {
      log.push(`>${name}`)
      if (opts.throwIn) throw new Error(`${name} failed`)
      if (opts.shortCircuit !== undefined) {
        log.push(`<${name}=${String(opts.shortCircuit)}`)
        return opts.shortCircuit
      }
      try {
        const result = await next()
        log.push(`<${name}=${String(result)}`)
        return result
      } catch (error) {
        log.push(`!${name}`)
        if (opts.catchAs !== undefined) return opts.catchAs
        throw error
      }
    },
  })
}

describe('middleware composition', () => {
  it('runs in the order of use, as an onion', async () => {
    const log: string[] = []
    const h = defineHandler({ use: [tracer('a', log), tracer('b', log)], handle: () => (log.push('h'), 'r') })
    await expect(h.run(event, ctx())).resolves.toBe('r')
    expect(log).toEqual(['>a', '>b', 'h', '<b=r', '<a=r'])
  })

  it('a short-circuit skips the inner layers, and the outer ones still see its result', async () => {
    const log: string[] = []
    const h = defineHandler({ use: [tracer('a', log), tracer('b', log, { shortCircuit: 'cached' }), tracer('c', log)], handle: () => (log.push('h'), 'r') })
    await expect(h.run(event, ctx())).resolves.toBe('cached')
    expect(log).toEqual(['>a', '>b', '<b=cached', '<a=cached'])
  })

  it('errors travel outwards through every entered middleware, which may recover', async () => {
    const log: string[] = []
    const h = defineHandler({ use: [tracer('a', log, { catchAs: 'fallback' }), tracer('b', log)], handle: () => { throw new Error('boom') } })
    await expect(h.run(event, ctx())).resolves.toBe('fallback')
    expect(log).toEqual(['>a', '>b', '!b', '!a'])
  })

  it('calling next twice is an error, and the handler runs once', async () => {
    let runs = 0
    const twice = defineMiddleware({ name: 'twice', async run(_e, _c, next) { await next(); return next() } })
    const h = defineHandler({ use: [twice], handle: () => ++runs })
    await expect(h.run(event, ctx())).rejects.toThrow(/called next\(\) more than once/)
    expect(runs).toBe(1)
  })

  it('additions given to next are on ctx for inner layers and the handler', async () => {
    const a = defineMiddleware<{ user: string }>({ name: 'a', run: (_e, _c, next) => next({ user: 'ada' }) })
    const b = defineMiddleware<{ n: number }>({ name: 'b', run: (_e, c, next) => next({ n: (c as unknown as { user: string }).user.length }) })
    const h = defineHandler({ use: [a, b], handle: (_e, c) => `${c.user}:${c.n}` })
    await expect(h.run(event, ctx())).resolves.toBe('ada:3')
  })

  it('holds the onion for any stack of middleware (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom('pass', 'short', 'throw', 'catch'), { maxLength: 6 }), fc.boolean(), async (kinds, handlerThrows) => {
        const log: string[] = []
        const use = kinds.map((k, i) =>
          tracer(`m${i}`, log, k === 'short' ? { shortCircuit: `s${i}` } : k === 'throw' ? { throwIn: true } : k === 'catch' ? { catchAs: `c${i}` } : {}),
        )
        const h = defineHandler({ use, handle: () => { log.push('h'); if (handlerThrows) throw new Error('h'); return 'r' } })
        await h.run(event, ctx()).catch(() => undefined)
        // Entered middleware are exactly a prefix; each is left at most once; the handler runs iff no one stopped early.
        const entered = log.filter((l) => l.startsWith('>')).map((l) => l.slice(1))
        expect(entered).toEqual(kinds.slice(0, entered.length).map((_, i) => `m${i}`))
        const stoppedAt = kinds.findIndex((k) => k === 'short' || k === 'throw')
        expect(log.includes('h')).toBe(stoppedAt === -1)
        expect(entered.length).toBe(stoppedAt === -1 ? kinds.length : stoppedAt + 1)
      }),
      { numRuns: 200 },
    )
  })
})

describe('checkOptions', () => {
  it('rejects unknown keys and suggests the near one', () => {
    expect(() => checkOptions('idempotent', { tll: 1 }, ['ttl', 'lease'])).toThrow(/unknown option "tll" \(did you mean "ttl"\?\)/)
    expect(() => checkOptions('x', { zzzzzz: 1 }, ['ttl'])).toThrow(ConfigurationError)
    expect(() => checkOptions('x', { ttl: 1 }, ['ttl'])).not.toThrow()
    expect(() => checkOptions('x', undefined, ['ttl'])).not.toThrow()
    expect(() => checkOptions('x', 5 as never, ['ttl'])).toThrow(/must be an object/)
  })
})
