/**
 * The Cloud Run doors' types: a `toHttpFunction` function is the functions
 * framework's `HttpFunction` without a cast, `defineMapper` types the
 * request from `match`, and the options hold no `any`.
 */
import type { HttpFunction } from '@google-cloud/functions-framework'
import type { Server } from 'node:http'
import { expectTypeOf, test } from 'vitest'
import { createEvent, defineHandler, type CloudEvent, type FaasadeError } from 'faasade'
import { createServer, defineMapper, serve, toHttpFunction, type CloudRunMapper, type CloudRunRequest, type CloudRunServeOptions, type CloudRunServer } from 'faasade/cloud-run'

const handler = defineHandler({ type: 'com.example.t', handle: () => undefined })

test('toHttpFunction is an HttpFunction of the framework', () => {
  expectTypeOf(toHttpFunction(handler)).toExtend<HttpFunction>()
})

test('the plain doors return a node:http server', () => {
  expectTypeOf(createServer(handler)).toEqualTypeOf<Server>()
  expectTypeOf(serve).returns.toEqualTypeOf<CloudRunServer>()
})

test('defineMapper types the request from match, and the reply as an HTTP reply', () => {
  interface Signed extends CloudRunRequest {
    readonly headers: Readonly<Record<string, string>> & { 'x-signature': string }
  }
  const signed = defineMapper({
    kind: 'events',
    name: 'signed',
    match: (request): request is Signed => typeof request.headers['x-signature'] === 'string',
    toEvents: (request) => {
      expectTypeOf(request.headers['x-signature']).toEqualTypeOf<string>()
      return [{ event: createEvent({ id: request.headers['x-signature'], source: '/s', type: 't' }) }]
    },
    reply: () => ({ status: 204, headers: {} }),
  })
  expectTypeOf(signed).toExtend<CloudRunMapper<Signed>>()
  expectTypeOf<Parameters<CloudRunMapper['toEvents']>[0]>().toEqualTypeOf<CloudRunRequest>()
  expectTypeOf<ReturnType<CloudRunMapper['toEvents']>[number]['event']>().toEqualTypeOf<CloudEvent | FaasadeError>()
})

test('no option is any', () => {
  expectTypeOf<CloudRunServeOptions['timeoutSeconds']>().toEqualTypeOf<number | undefined>()
  expectTypeOf<CloudRunServeOptions['signals']>().not.toBeAny()
  expectTypeOf<CloudRunServeOptions['onShutdown']>().not.toBeAny()
  expectTypeOf<CloudRunServeOptions['mappers']>().toEqualTypeOf<readonly CloudRunMapper[] | undefined>()
})
