/**
 * Bad input over the HTTP trigger is the client's fault: a typed 4xx
 * problem, never a 5xx the client would retry. Each request goes the
 * host's way (RPC data through the library's ProgrammingModel).
 */
import './support/host.js'
import { app } from '@azure/functions'
import { beforeAll, describe, expect, it } from 'vitest'
import { createEvent, createLogger, defineService, encodeStructured } from 'faasade'
import { toAzureFunctions } from 'faasade/azure-functions'
import { httpReply, recordingHandler } from './helpers.js'
import { invoke, type RpcHttp } from './support/host.js'

const recorder = recordingHandler()
const quiet = createLogger({ sink: () => {} })
const served: string[] = []
const azure = toAzureFunctions(
  defineService({
    events: [recorder.handler],
    http: { fetch: (request: Request) => (served.push(request.url), new Response('app')) },
    cloudEvents: { path: '/api/bad-input' },
  }),
  { maxBodyBytes: 300, log: quiet },
)
const eventsOnly = toAzureFunctions(recorder.handler, { log: quiet })

beforeAll(() => {
  app.http('bad-input', { methods: ['GET', 'POST', 'PUT'], authLevel: 'anonymous', handler: azure.http })
  app.http('bad-input-events', { methods: ['POST'], authLevel: 'anonymous', handler: eventsOnly.http })
})

const rpc = (headers: Record<string, string>, body?: string, method = 'POST'): { http: RpcHttp } => ({
  http: { method, url: 'https://orders.azurewebsites.net/api/bad-input', headers, ...(body === undefined ? {} : { body: { bytes: Buffer.from(body) } }) },
})

const good = encodeStructured(createEvent({ id: 'e1', source: '/orders', type: 'com.example.order.placed', data: { n: 1 } }))
const STRUCTURED = { 'Content-Type': 'application/cloudevents+json' }
const BATCH = { 'Content-Type': 'application/cloudevents-batch+json' }

const cases: { name: string; fn?: string; headers: Record<string, string>; body?: string; status: number }[] = [
  { name: 'binary mode without ce-source, ce-type', headers: { 'ce-specversion': '1.0', 'ce-id': '1', 'Content-Type': 'application/json' }, body: '{}', status: 400 },
  { name: 'binary mode with an unknown specversion', headers: { 'ce-specversion': '0.3', 'ce-id': '1', 'ce-source': '/s', 'ce-type': 't' }, body: '{}', status: 400 },
  { name: 'binary mode with a time that is not RFC 3339', headers: { 'ce-specversion': '1.0', 'ce-id': '1', 'ce-source': '/s', 'ce-type': 't', 'ce-time': 'yesterday' }, body: '', status: 400 },
  { name: 'structured mode with a body that is not JSON', headers: STRUCTURED, body: '{"specversion":', status: 400 },
  { name: 'structured mode with a JSON array', headers: STRUCTURED, body: '[]', status: 400 },
  { name: 'structured mode with a datacontenttype carrying a header', headers: STRUCTURED, body: JSON.stringify({ specversion: '1.0', id: '1', source: '/s', type: 't', datacontenttype: 'text/plain\r\nSet-Cookie: a=b' }), status: 400 },
  { name: 'structured mode in a format other than JSON', headers: { 'Content-Type': 'application/cloudevents+xml' }, body: '<event/>', status: 415 },
  { name: 'a batch that is not an array', headers: BATCH, body: '{}', status: 400 },
  { name: 'a body over maxBodyBytes', headers: STRUCTURED, body: JSON.stringify({ specversion: '1.0', id: '1', source: '/s', type: 't', data: 'x'.repeat(400) }), status: 413 },
  { name: 'a plain request to a function with no HTTP app', fn: 'bad-input-events', headers: { 'Content-Type': 'application/json' }, body: '{}', status: 400 },
]

describe('malformed CloudEvents over HTTP: a 4xx problem, the handler never runs', () => {
  it.each(cases)('$name → $status', async ({ fn = 'bad-input', headers, body, status }) => {
    recorder.seen.length = 0
    const reply = httpReply(await invoke(fn, { input: rpc(headers, body) }))
    expect(Number(reply.statusCode)).toBe(status)
    expect(reply.headers['content-type']).toBe('application/problem+json')
    expect(JSON.parse(reply.text)).toMatchObject({ status })
    expect(recorder.seen).toHaveLength(0)
  })

  it('the well-formed event next to them is served (the table is not refusing everything)', async () => {
    expect(httpReply(await invoke('bad-input', { input: rpc(good.headers, good.body as string) })).statusCode).toBe('200')
  })
})

describe('a request no web Request can carry', () => {
  it('never reaches the handler: the library refuses it while it builds its own HttpRequest, before any function code runs', async () => {
    served.length = 0
    const outcome = invoke('bad-input', { input: rpc({ 'x-name': '日本' }, undefined, 'GET') })
    await expect(outcome).rejects.toThrow(TypeError)
    expect(served).toEqual([])
  })

  it('a header value with Latin-1 text is carried as the client sent it', async () => {
    served.length = 0
    expect(httpReply(await invoke('bad-input', { input: rpc({ 'x-name': 'café' }, undefined, 'GET') })).statusCode).toBe('200')
    expect(served).toEqual(['https://orders.azurewebsites.net/api/bad-input'])
  })
})

describe("the adapter's own guard", () => {
  // Not a host path (the library already refused such requests, above): a
  // request-shaped object, to show the guard answers 400, never 5xx.
  it('a request no web Request can carry is a ValidationError (400) that names no value', async () => {
    const { toWebRequestFrom } = await import('faasade/azure-functions')
    const shaped = { method: 'TRACE', url: 'https://orders.azurewebsites.net/api/x', headers: new Headers(), arrayBuffer: async () => new ArrayBuffer(0) }
    const refused = toWebRequestFrom(shaped as never)
    await expect(refused).rejects.toMatchObject({ name: 'ValidationError', status: 400 })
    await expect(refused).rejects.not.toThrow(/TRACE/)
  })
})
