// A local HTTP server on 127.0.0.1 (port 0) that answers with a handler and
// records every request, so a test can assert what went over the wire and
// how many remote calls were made.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Recorded {
  method: string
  url: URL
  headers: IncomingHttpHeaders
  body: string
}

export interface Reply {
  status?: number
  headers?: Record<string, string>
  body?: string | object
}

export interface LocalServer {
  readonly url: string
  readonly port: number
  readonly requests: Recorded[]
  /** Requests whose path (and query, when given) matches. */
  count(path: string | RegExp): number
  reset(): void
  close(): Promise<void>
}

const open = new Set<Server>()
process.on('exit', () => {
  for (const server of open) server.close()
})

export async function startServer(handle: (req: Recorded) => Reply | Promise<Reply>): Promise<LocalServer> {
  const requests: Recorded[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', async () => {
      const recorded: Recorded = {
        method: req.method ?? 'GET',
        url: new URL(req.url ?? '/', 'http://127.0.0.1'),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      }
      requests.push(recorded)
      try {
        const reply = await handle(recorded)
        const body = typeof reply.body === 'string' || reply.body === undefined ? (reply.body ?? '') : JSON.stringify(reply.body)
        res.writeHead(reply.status ?? 200, { 'content-length': String(Buffer.byteLength(body)), ...reply.headers })
        res.end(body)
      } catch (error) {
        res.writeHead(599)
        res.end(String(error))
      }
    })
  })
  open.add(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    count: (path) => requests.filter((r) => (typeof path === 'string' ? r.url.pathname === path : path.test(r.url.pathname + r.url.search))).length,
    reset: () => void requests.splice(0),
    close: () =>
      new Promise<void>((resolve) => {
        open.delete(server)
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
