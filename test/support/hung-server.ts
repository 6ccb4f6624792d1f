/**
 * A server on 127.0.0.1 that accepts connections and never answers, and a
 * way to wait for a call while garbage is collected: for the tests that a
 * request timeout fires even when nothing but its own timer keeps it alive.
 */
import { createServer } from 'node:http'
import type { Socket } from 'node:net'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

export interface HungServer {
  /** `http://127.0.0.1:PORT` (no trailing slash). */
  readonly origin: string
  close(): Promise<void>
}

/** Starts a server that reads nothing and answers nothing. */
export async function startHungServer(): Promise<HungServer> {
  const sockets = new Set<Socket>()
  const server = createServer(() => {})
  server.on('connection', (socket) => (sockets.add(socket), socket.on('close', () => sockets.delete(socket))))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    origin: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    async close() {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

/** Settles `call`, collecting garbage every few ms meanwhile; 'hung' if it has not after `capMs`. */
export async function underGc(call: Promise<unknown>, capMs: number): Promise<unknown> {
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
