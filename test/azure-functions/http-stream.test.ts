/**
 * HTTP streaming (`app.setup({ enableHttpStream: true })`), as the host
 * runs it: at startup the library opens its HTTP proxy and reports its
 * address (`HttpUri`) in the worker's capabilities; for each invocation
 * the host forwards the client's request there, marked with the
 * invocation id, and the library answers that same connection with the
 * function's response, chunk by chunk. Here the test plays the host: it
 * invokes through the ProgrammingModel and forwards a request with a body
 * it writes piece by piece.
 *
 * Each direction is shown to stream by a handshake that only streaming can
 * complete: the app answers the first request chunk before the client
 * sends the rest, and the client reads the first reply chunk before the
 * app writes the rest. Buffering either body would wait forever (the
 * test's timeout).
 *
 * This file runs in its own process (vitest's forks): `app.setup` is set
 * once a process, before the capabilities lock it.
 */
import './support/host.js'
import { app } from '@azure/functions'
import { Hono } from 'hono'
import { beforeAll, describe, expect, it } from 'vitest'
import { toAzureFunctions } from 'faasade/azure-functions'
import { capabilities, invoke } from './support/host.js'

/** A promise with its resolver, for one step of a handshake. */
function signal<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => (resolve = r))
  return { promise, resolve }
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()
const appGotFirstChunk = signal<string>()
const clientGotFirstChunk = signal()

const hono = new Hono().post('/api/echo', async (c) => {
  const reader = c.req.raw.body!.getReader()
  const first = await reader.read()
  appGotFirstChunk.resolve(decoder.decode(first.value))
  let rest = ''
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += decoder.decode(chunk.value)
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(encoder.encode(`got ${rest.length} more bytes;`))
      await clientGotFirstChunk.promise
      controller.enqueue(encoder.encode(' done'))
      controller.close()
    },
  })
  return new Response(body, { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8', 'x-streamed': 'yes' } })
})

let proxy = ''
beforeAll(async () => {
  app.setup({ enableHttpStream: true })
  const azure = toAzureFunctions(hono, { enableHttpStream: true })
  app.http('echo', { methods: ['POST'], authLevel: 'anonymous', route: 'echo', handler: azure.http })
  proxy = (await capabilities()).HttpUri!
})

describe('HTTP streaming (enableHttpStream)', () => {
  it('the request body reaches the app as it arrives, and the reply reaches the client as the app writes it', async () => {
    const invocationId = '11111111-2222-4333-8444-555555555555'
    const headers = { 'content-type': 'text/plain', host: 'orders.azurewebsites.net' }
    // The host's RPC invocation: for a streamed HTTP trigger the body comes through the proxy instead.
    const invocation = invoke('echo', {
      invocationId,
      input: { http: { method: 'POST', url: 'https://orders.azurewebsites.net/api/echo', headers } },
      triggerMetadata: { Headers: { json: JSON.stringify(headers) } },
    })

    let sendRest!: () => void
    const requestBody = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode('first chunk'))
        sendRest = () => {
          controller.enqueue(encoder.encode('x'.repeat(64 * 1024)))
          controller.close()
        }
      },
    })
    // The host forwarding the client's request to the library's proxy.
    const forwarded = fetch(new URL('/api/echo', proxy), {
      method: 'POST',
      body: requestBody,
      duplex: 'half',
      headers: { ...headers, 'x-ms-invocation-id': invocationId, 'x-forwarded-host': 'orders.azurewebsites.net', 'x-forwarded-proto': 'https' },
    } as RequestInit)

    expect(await appGotFirstChunk.promise).toBe('first chunk')
    sendRest()
    const response = await forwarded
    expect(response.status).toBe(200)
    expect(response.headers.get('x-streamed')).toBe('yes')
    expect(response.headers.get('x-ms-invocation-id')).toBe(invocationId)
    const reader = response.body!.getReader()
    const first = await reader.read()
    expect(decoder.decode(first.value)).toBe('got 65536 more bytes;')
    clientGotFirstChunk.resolve()
    let rest = ''
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += decoder.decode(chunk.value)
    expect(rest).toBe(' done')
    const result = await invocation
    expect(result.ok).toBe(true)
  }, 10_000)
})
