/**
 * A client chooses its header names, and `constructor`, `__proto__`,
 * `toString` and `hasOwnProperty` are valid tokens. Gathered into a plain
 * `{}`, the first read back `Object.prototype`'s members (the app got
 * `function Object() { [native code] }, …`) and `__proto__` went to the
 * prototype setter and was lost. Each must reach the app, the `authorize`
 * hook and CloudEvent detection as the string sent. The events are parsed
 * from JSON, as Lambda hands them, so that `__proto__` is an own key.
 */
import { describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { defineHandler, defineService, encodeBinary, createEvent, type CloudEvent } from 'faasade'
import { toLambda } from 'faasade/aws-lambda'
import { apiGatewayV1Event, apiGatewayV2Event } from './events.js'
import { captureLog, lambdaContext } from './helpers.js'

type Event = Record<string, any>

const NAMES = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'] as const
const sent = Object.fromEntries(NAMES.map((name) => [name, `sent-${name}`]))

/** An object with these own keys: made by `JSON.parse`, as Lambda's are, `"__proto__"` is one of them. */
function ownKeys(entries: Array<[string, unknown]>): Record<string, any> {
  return JSON.parse(`{${entries.map(([name, value]) => `${JSON.stringify(name)}:${JSON.stringify(value)}`).join(',')}}`) as Record<string, any>
}

/** The event with `extra` headers in `headers` (and in `multiValueHeaders`, for v1, which the adapter reads). */
function withHeaders(event: Event, extra: Record<string, string>, multi: boolean, body?: string): Event {
  if (body !== undefined) event.body = body
  event.headers = ownKeys([...Object.entries(event.headers as Record<string, string>), ...Object.entries(extra)])
  if (multi) event.multiValueHeaders = ownKeys([...Object.entries(event.multiValueHeaders as Record<string, string[]>), ...Object.entries(extra).map(([n, v]): [string, string[]] => [n, [v]])])
  return event
}

const shapes = {
  // POST, as a CloudEvent is sent (the sample event is a GET).
  'API Gateway REST (v1)': (extra: Record<string, string>, body?: string) => withHeaders({ ...apiGatewayV1Event(), httpMethod: 'POST' }, extra, true, body),
  'API Gateway HTTP API (v2)': (extra: Record<string, string>, body?: string) => withHeaders(apiGatewayV2Event(), extra, false, body),
}

/** A service whose app echoes the named headers, with CloudEvents on /events only, and what its hook saw. */
function echoService() {
  const app = new Hono()
  app.all('*', (c) => c.json(Object.fromEntries(NAMES.map((name) => [name, c.req.header(name) ?? null]))))
  const delivered: CloudEvent[] = []
  const authorized: Array<Record<string, unknown>> = []
  const handler = defineHandler({ handle: (event) => void delivered.push(event) })
  const service = defineService({
    http: app,
    events: [handler],
    cloudEvents: {
      path: '/my/path',
      authorize: (request) => {
        // Names arrive lower-cased (`tostring`), as HTTP has them case-insensitive.
        authorized.push(Object.fromEntries(NAMES.map((name) => [name, request.headers[name.toLowerCase()]])))
        return true
      },
    },
  })
  return { service, delivered, authorized }
}

describe.each(Object.entries(shapes))('%s', (_, build) => {
  it('headers named after Object.prototype members reach the app as the strings sent', async () => {
    const { service, delivered } = echoService()
    // Not a CloudEvent (no ce-* header, a JSON body): the app's.
    const event = build({ ...sent, 'content-type': 'application/json' }, '{}')
    event.path = event.rawPath = event.requestContext.path = '/other'
    if (event.requestContext.http) event.requestContext.http.path = '/other'
    const reply = (await toLambda(service, { log: captureLog().log })(event, lambdaContext())) as Event
    expect(reply.statusCode).toBe(200)
    expect(JSON.parse(reply.body as string)).toEqual(sent)
    expect(delivered).toEqual([])
  })

  it('are not taken for CloudEvents on the events route: the app gets the request', async () => {
    const { service, delivered, authorized } = echoService()
    const reply = (await toLambda(service, { log: captureLog().log })(build({ ...sent }, 'hello'), lambdaContext())) as Event
    expect(reply.statusCode).toBe(200)
    expect(JSON.parse(reply.body as string)).toEqual(sent)
    expect(delivered).toEqual([])
    expect(authorized).toEqual([])
  })

  it('do not hide a binary CloudEvent, and the authorize hook reads them as sent', async () => {
    const { service, delivered, authorized } = echoService()
    const ce = createEvent({ id: 'e1', source: '/test', type: 'test.ping', data: { n: 1 } })
    const binary = encodeBinary(ce)
    const reply = (await toLambda(service, { log: captureLog().log })(build({ ...sent, ...binary.headers }, binary.body as string), lambdaContext())) as Event
    expect(reply.statusCode).toBeLessThan(300)
    expect(delivered.map((e) => e.id)).toEqual(['e1'])
    expect(authorized).toEqual([sent])
  })
})
