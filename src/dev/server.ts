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
  /**
   * Host names a request's `Host` header may name besides `localhost`,
   * `127.0.0.1`, `[::1]` and the address listened on (each alone or with the
   * server's port); a request naming any other gets a 403. `faasade dev
   * --allow-host`.
   * @defaultValue `[]`
   */
  allowedHosts?: readonly string[]
  /** Where the request lines go. @defaultValue `console.log` */
  print?: (line: string) => void
}

export interface DevServer {
  readonly url: string
  close(): Promise<void>
}

/** The command that installs what the dev server runs on, named when it is missing. */
export const NODE_SERVER_INSTALL = 'npm install -D @hono/node-server hono'

/**
 * Starts serving `target`; resolves once it listens.
 *
 * Listening on 127.0.0.1 keeps other machines out, not web pages: a page
 * whose name an attacker points at 127.0.0.1 (DNS rebinding) can send
 * requests from the developer's own browser, with its own name as `Host`.
 * So a request whose `Host` is not one of this server's names is refused
 * with a 403 before the target sees it.
 *
 * @example
 * ```ts
 * const server = await startDevServer({ target: service, port: 3000, allowedHosts: ['dev.example.test'] })
 * // curl -H 'Host: evil.example' http://127.0.0.1:3000/ → 403
 * await server.close()
 * ```
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  let serve: typeof import('@hono/node-server').serve
  try {
    // Loaded here, not at the top: it is an optional peer dependency, which
    // only the dev server uses, and a user who never runs it need not install it.
    ;({ serve } = await import('@hono/node-server'))
  } catch {
    throw new Error(`the dev server needs @hono/node-server and hono, which are not installed: ${NODE_SERVER_INSTALL}`)
  }
  const print = options.print ?? ((line: string) => console.log(line))
  const handle = createFetchHandler(options.target, { provider: 'dev' })
  const host = options.host ?? '127.0.0.1'
  let allowed = new Set<string>()
  const fetch = async (request: Request) => {
    const started = performance.now()
    const path = new URL(request.url).pathname
    const named = request.headers.get('host')
    if (named === null || !allowed.has(named.toLowerCase())) {
      print(`${request.method} ${path} -> 403 in ${(performance.now() - started).toFixed(1)} ms (Host ${named === null ? 'missing' : JSON.stringify(named)} not allowed)`)
      return hostRefused(named)
    }
    // No prototype: a header named `__proto__` or `constructor` is a name like any other.
    const headers = Object.create(null) as Record<string, string>
    request.headers.forEach((v, k) => (headers[k] = v))
    const mode = cloudEventMode(headers)
    const response = await handle(request)
    const ms = (performance.now() - started).toFixed(1)
    const what = mode ? `CloudEvent ${mode}${headers['ce-type'] ? ` ${headers['ce-type']}` : ''}` : 'http'
    print(`${request.method} ${path} [${what}] -> ${response.status} in ${ms} ms`)
    return response
  }
  return new Promise((resolve) => {
    const server = serve({ fetch, port: options.port ?? 8080, hostname: host }, (info) => {
      allowed = allowedHosts(host, info.port, options.allowedHosts ?? [])
      resolve({
        url: `http://${urlHost(host)}:${info.port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      })
    })
  })
}

/** Every `Host` value that names this server: each name alone and with the port, lower-cased. */
function allowedHosts(listening: string, port: number, extra: readonly string[]): Set<string> {
  const names = ['localhost', '127.0.0.1', '[::1]', ...extra]
  // The address listened on names the server too, unless it is every address.
  if (listening !== '0.0.0.0' && listening !== '::' && listening !== '') names.push(urlHost(listening))
  const allowed = new Set<string>()
  for (const name of names) {
    const lower = urlHost(name.toLowerCase())
    allowed.add(lower)
    allowed.add(`${lower}:${port}`)
  }
  return allowed
}

/** An IPv6 address (two colons or more) in brackets, as a `Host` header and a URL write it; `name:port` stays as it is. */
function urlHost(name: string): string {
  return name.split(':').length > 2 && !name.startsWith('[') ? `[${name}]` : name
}

function hostRefused(named: string | null): Response {
  const what = named === null ? 'A request without a Host header' : `Host ${JSON.stringify(named)}`
  const body = `403 Forbidden: ${what} is not allowed by faasade dev, which answers only requests naming localhost, 127.0.0.1 or [::1] (a guard against DNS rebinding). To serve another name, start it with --allow-host <name>.\n`
  return new Response(body, { status: 403, headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' } })
}
