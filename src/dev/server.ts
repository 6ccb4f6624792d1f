/**
 * The local dev server: any target on localhost through `@hono/node-server`,
 * CloudEvents in all three HTTP modes and plain HTTP, one line a request.
 */
import { cloudEventMode } from '../http/decode.js'
import { createFetchHandler } from '../http/fetch.js'
import type { Target } from '../service.js'

export interface DevServerOptions {
  target: Target
  /** @defaultValue 8080 */
  port?: number
  /** @defaultValue '127.0.0.1' */
  host?: string
  /** Where the request lines go. @defaultValue `console.log` */
  print?: (line: string) => void
}

export interface DevServer {
  readonly url: string
  close(): Promise<void>
}

/** Starts serving `target`; resolves once it listens. */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const { serve } = await import('@hono/node-server')
  const print = options.print ?? ((line: string) => console.log(line))
  const handle = createFetchHandler(options.target, { provider: 'dev' })
  const fetch = async (request: Request) => {
    const started = performance.now()
    const headers: Record<string, string> = {}
    request.headers.forEach((v, k) => (headers[k] = v))
    const mode = cloudEventMode(headers)
    const response = await handle(request)
    const ms = (performance.now() - started).toFixed(1)
    const what = mode ? `CloudEvent ${mode}${headers['ce-type'] ? ` ${headers['ce-type']}` : ''}` : 'http'
    print(`${request.method} ${new URL(request.url).pathname} [${what}] -> ${response.status} in ${ms} ms`)
    return response
  }
  return new Promise((resolve) => {
    const server = serve({ fetch, port: options.port ?? 8080, hostname: options.host ?? '127.0.0.1' }, (info) => {
      resolve({
        url: `http://${options.host ?? '127.0.0.1'}:${info.port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      })
    })
  })
}
