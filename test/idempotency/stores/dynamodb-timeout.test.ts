// The store's requestTimeout against a server that accepts the connection
// and never answers, while garbage is collected: the fetch transport used to
// hand aws4fetch an AbortSignal.timeout() that it dropped when it rebuilt
// the request, so the signal (and its timer) could be collected and the call
// hung for good.
import { createServer, type Server } from 'node:http'
import type { Socket } from 'node:net'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { IdempotencyStoreError } from 'faasade/idempotency'
import { dynamoDbStore } from 'faasade/idempotency/dynamodb'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

let server: Server
const sockets = new Set<Socket>()
let endpoint: string

beforeAll(async () => {
  // Reads nothing, answers nothing: a hung endpoint.
  server = createServer(() => {})
  server.on('connection', (socket) => (sockets.add(socket), socket.on('close', () => sockets.delete(socket))))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`
})

afterAll(async () => {
  for (const socket of sockets) socket.destroy()
  await new Promise((resolve) => server.close(resolve))
})

/** Settles `call`, collecting garbage every few ms meanwhile; 'hung' if it has not after `capMs`. */
async function underGc(call: Promise<unknown>, capMs: number): Promise<unknown> {
  let done = false
  const settled = call.then(
    () => 'resolved',
    (error: unknown) => error,
  ).finally(() => (done = true))
  const cap = new Promise((resolve) => setTimeout(() => resolve('hung'), capMs))
  const collect = (async () => {
    while (!done) {
      gc()
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  })()
  const result = await Promise.race([settled, cap])
  done = true
  await collect
  return result
}

describe.each(['fetch', 'node'] as const)('dynamoDbStore (%s transport) against a server that never answers', (transport) => {
  it('fails with a typed store error whose cause is a timeout, within the configured timeout', async () => {
    const store = dynamoDbStore({ table: 'idempotency', transport, endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' }, requestTimeout: 150 })
    const started = Date.now()
    const error = await underGc(store.get('never-answered'), 5_000)
    expect(error).toBeInstanceOf(IdempotencyStoreError)
    expect((error as IdempotencyStoreError).operation).toBe('get')
    expect(((error as Error).cause as Error).name).toBe('TimeoutError')
    // Generous: the bound is the timeout plus scheduling on a busy machine, not a hang.
    expect(Date.now() - started).toBeLessThan(4_000)
  })
})
