/**
 * A service and a handler are frozen at run time; their types say so: every
 * member is readonly, so assigning to one is a type error, not a TypeError
 * in production. (`Object.assign(service, …)` cannot be refused by a type:
 * its signature takes any object.)
 */
import { describe, expectTypeOf, it } from 'vitest'
import { defineHandler, defineService } from 'faasade'

const handler = defineHandler({ type: 'com.example.a', handle: () => 1 })
const service = defineService({ events: [handler] })

describe('readonly services and handlers', () => {
  it('refuses assignment to any member of a service', () => {
    // @ts-expect-error: route is readonly
    service.route = () => undefined
    // @ts-expect-error: http is readonly
    service.http = undefined
    // @ts-expect-error: events is a readonly list
    service.events.push(handler)
    expectTypeOf(service.route).toBeFunction()
  })

  it('refuses assignment to any member of a handler', () => {
    // @ts-expect-error: run is readonly
    handler.run = async () => 2
    // @ts-expect-error: accepts is readonly
    handler.accepts = () => true
    expectTypeOf(handler.run).returns.resolves.toEqualTypeOf<number>()
  })
})
