// fromAwsSecretsManager's fetch transport against a server that accepts the
// connection and never answers, while garbage is collected: aws4fetch
// dropped the AbortSignal.timeout() given to it when it rebuilt the request,
// so the signal (and its timer) could be collected and the call hung.
import { createServer, type Server } from 'node:http'
import type { Socket } from 'node:net'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigurationError } from 'faasade'
import { SecretUnavailableError } from 'faasade/secrets'
import { fromAwsSecretsManager } from 'faasade/secrets/aws'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

let server: Server
const sockets = new Set<Socket>()
let endpoint: string
const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret-test-key' }

beforeAll(async () => {
  server = createServer(() => {})
  server.on('connection', (socket) => (sockets.add(socket), socket.on('close', () => sockets.delete(socket))))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}/`
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

describe('fromAwsSecretsManager (fetch transport) against a server that never answers', () => {
  it('fails with SecretUnavailableError caused by a timeout, within requestTimeout', async () => {
    const provider = fromAwsSecretsManager('prod/hung', { transport: 'fetch', endpoint, region: 'us-east-1', credentials, requestTimeout: 150 })
    const started = Date.now()
    const error = await underGc(provider.load({ provider: undefined }), 5_000)
    expect(error).toBeInstanceOf(SecretUnavailableError)
    expect(((error as Error).cause as Error).name).toBe('TimeoutError')
    // Generous: the bound is the timeout plus scheduling on a busy machine, not a hang.
    expect(Date.now() - started).toBeLessThan(4_000)
  })

  it('refuses requestTimeout where it would not apply, and a value that is not a duration', () => {
    expect(() => fromAwsSecretsManager('x', { transport: 'sdk', requestTimeout: 1_000 })).toThrow(ConfigurationError)
    expect(() => fromAwsSecretsManager('x', { requestTimeout: 0 })).toThrow(ConfigurationError)
    expect(() => fromAwsSecretsManager('x', { requestTimeout: Number.NaN })).toThrow(ConfigurationError)
  })
})
