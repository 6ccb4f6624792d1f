// Two handlers on one store must never share idempotency records unless
// asked to: a handler's records were keyed by its name, which defaults to
// its type (or 'handler' for a wildcard), so a second handler of one event
// type was handed the first one's result and never ran.
import { describe, expect, it } from 'vitest'
import { ConfigurationError, createEvent, defineHandler } from 'faasade'
import { idempotent, memoryStore } from 'faasade/idempotency'
import { deliver } from '../helpers/deliver.js'

const placed = (id = 'evt-1') => createEvent({ id, source: '/shop', type: 'com.example.order.placed', data: { orderId: 'A1' } })

describe('idempotent: one store, several handlers', () => {
  it('refuses, when defined, a second unnamed handler of the same type on the same store, naming both', () => {
    const store = memoryStore()
    const sent: string[] = []
    defineHandler({ type: 'com.example.order.placed', use: [idempotent({ store })], handle: () => ({ billed: true }) })
    let error: unknown
    try {
      const email = defineHandler({ type: 'com.example.order.placed', source: '/shop', use: [idempotent({ store })], handle: () => (sent.push('mail'), { sent: true }) })
      void email
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ConfigurationError)
    const message = (error as Error).message
    expect(message).toContain('"com.example.order.placed"')
    // Both handlers are described: the first by its type, the second by its type and source.
    expect(message).toContain('an unnamed handler of type "com.example.order.placed" (defined first)')
    expect(message).toContain('an unnamed handler of type "com.example.order.placed", source "/shop" (being defined)')
    expect(message).toContain("defineHandler({ name: 'billing'")
  })

  it('refuses two unnamed wildcard handlers on the same store', () => {
    const store = memoryStore()
    defineHandler({ type: 'com.example.order.*', use: [idempotent({ store })], handle: () => 1 })
    expect(() => defineHandler({ type: 'com.example.*', use: [idempotent({ store })], handle: () => 2 })).toThrow(ConfigurationError)
    expect(() => defineHandler({ type: /^com\.other\./, use: [idempotent({ store })], handle: () => 3 })).toThrow(/com\\\.other/)
  })

  it('refuses an unnamed handler whose default name is another handler’s explicit name', () => {
    const store = memoryStore()
    defineHandler({ name: 'com.example.order.placed', use: [idempotent({ store })], handle: () => 1 })
    expect(() => defineHandler({ type: 'com.example.order.placed', use: [idempotent({ store })], handle: () => 2 })).toThrow(ConfigurationError)
  })

  it('refuses the same idempotent() middleware in two unnamed handlers of one type', () => {
    const guard = idempotent({ store: memoryStore() })
    defineHandler({ type: 'com.example.order.placed', use: [guard], handle: () => 1 })
    expect(() => defineHandler({ type: 'com.example.order.placed', use: [guard], handle: () => 2 })).toThrow(ConfigurationError)
  })

  it('runs both handlers of one event type once each when they are named', async () => {
    const store = memoryStore()
    const ran: string[] = []
    const billing = defineHandler({ name: 'billing', type: 'com.example.order.placed', use: [idempotent({ store })], handle: () => (ran.push('bill'), { billed: true }) })
    const email = defineHandler({ name: 'email', type: 'com.example.order.placed', use: [idempotent({ store })], handle: () => (ran.push('mail'), { sent: true }) })
    expect((await deliver(billing, placed())).outcome).toEqual({ kind: 'ok', result: { billed: true } })
    expect((await deliver(email, placed())).outcome).toEqual({ kind: 'ok', result: { sent: true } })
    expect((await deliver(email, placed())).outcome).toEqual({ kind: 'ok', result: { sent: true } })
    expect(ran).toEqual(['bill', 'mail'])
  })

  it('lets one middleware serve two named handlers, each with its own records', async () => {
    const guard = idempotent({ store: memoryStore() })
    const ran: string[] = []
    const a = defineHandler({ name: 'a', use: [guard], handle: () => ran.push('a') })
    const b = defineHandler({ name: 'b', use: [guard], handle: () => ran.push('b') })
    await deliver(a, placed())
    await deliver(b, placed())
    await deliver(a, placed())
    expect(ran).toEqual(['a', 'b'])
  })

  it('shares records when asked: the same explicit handler name (one handler defined twice, on two instances)', async () => {
    const store = memoryStore()
    let runs = 0
    const make = () => defineHandler({ name: 'orders', type: 'com.example.order.placed', use: [idempotent({ store, cache: false })], handle: () => ++runs })
    const [one, two] = [make(), make()]
    expect((await deliver(one, placed())).outcome).toEqual({ kind: 'ok', result: 1 })
    expect((await deliver(two, placed())).outcome).toEqual({ kind: 'ok', result: 1 })
    expect(runs).toBe(1)
  })

  it('shares records when asked: the same idempotent({ name }) on two handlers', async () => {
    const store = memoryStore()
    let runs = 0
    const v1 = defineHandler({ type: 'com.example.order.placed', use: [idempotent({ store, name: 'orders' })], handle: () => ++runs })
    const v2 = defineHandler({ type: 'com.example.order.*', use: [idempotent({ store, name: 'orders' })], handle: () => ++runs })
    await deliver(v1, placed())
    expect((await deliver(v2, placed())).outcome).toEqual({ kind: 'ok', result: 1 })
    expect(runs).toBe(1)
  })

  it('keeps apart two unnamed handlers of one type that use different stores', async () => {
    let runs = 0
    const a = defineHandler({ type: 'com.example.order.placed', use: [idempotent({ store: memoryStore() })], handle: () => ++runs })
    const b = defineHandler({ type: 'com.example.order.placed', use: [idempotent({ store: memoryStore() })], handle: () => ++runs })
    await deliver(a, placed())
    await deliver(b, placed())
    expect(runs).toBe(2)
  })

  it('checks the name option', () => {
    expect(() => idempotent({ name: '' })).toThrow(ConfigurationError)
    expect(() => idempotent({ name: 42 as never })).toThrow(ConfigurationError)
  })
})
