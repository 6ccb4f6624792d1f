/**
 * A bare HTTP POST over Node's own `node:http`/`node:https`, for stores that
 * speak a JSON protocol on Node. `fetch` would do, but on Node 20 its first
 * use loads undici, about 14 ms that every cold start pays (measured in
 * bench/idempotency); `node:http` is already loaded.
 *
 * The modules are loaded on first use, by `process.getBuiltinModule` or an
 * import bundlers do not follow, so that a bundle for Workers (where this
 * never runs) holds no `node:` import.
 */
import type * as Http from 'node:http'
import { utf8 } from '../../hash.js'
import { builtin } from './builtin.js'
import { timeoutError } from './timeout.js'

/** Whether this is Node itself (not workerd's compatibility layer). */
export function isNode(): boolean {
  const g = globalThis as { process?: { release?: { name?: unknown } }; navigator?: { userAgent?: unknown } }
  return g.process?.release?.name === 'node' && g.navigator?.userAgent !== 'Cloudflare-Workers'
}

const load = (name: string) => builtin<Pick<typeof Http, 'request'>>(name)

export interface Reply {
  readonly status: number
  readonly text: string
}

let http: Promise<Pick<typeof Http, 'request'>> | undefined
let https: Promise<Pick<typeof Http, 'request'>> | undefined

function once(request: typeof Http.request, url: URL, headers: Promise<Record<string, string>>, body: Uint8Array, timeoutMs: number) {
  return new Promise<Reply>((resolveReply, rejectReply) => {
    // The request (and its connection) starts now; headers are set when they
    // are ready, before anything is written: connecting overlaps signing.
    const req = request(url, { method: 'POST' })
    // For the whole request, reply included (req.setTimeout would only
    // catch a socket idle that long, not a server that trickles).
    const timer = setTimeout(() => req.destroy(timeoutError(timeoutMs)), timeoutMs)
    const resolve = (reply: Reply) => (clearTimeout(timer), resolveReply(reply))
    const reject = (error: unknown) => (clearTimeout(timer), rejectReply(error))
    req.on('error', (error: Error & { reusedSocket?: boolean }) => {
      error.reusedSocket = req.reusedSocket
      reject(error)
    })
    req.on('response', (res) => {
      const chunks: Uint8Array[] = []
      res.on('data', (chunk: Uint8Array) => chunks.push(chunk))
      res.on('error', reject)
      res.on('end', () => {
        const all = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0))
        let at = 0
        for (const chunk of chunks) all.set(chunk, (at += chunk.byteLength) - chunk.byteLength)
        resolve({ status: res.statusCode ?? 0, text: new TextDecoder().decode(all) })
      })
    })
    headers.then(
      (values) => {
        for (const [name, value] of Object.entries(values)) req.setHeader(name, value)
        req.setHeader('content-length', String(body.byteLength))
        req.end(body)
      },
      (error: unknown) => req.destroy(error instanceof Error ? error : new Error(String(error))),
    )
  })
}

/**
 * POSTs `body` to `url` with the headers `headers` resolves to (they may
 * still be computed: the connection does not wait for them). A keep-alive
 * connection the server closed while idle (after a Lambda thaw, say) fails
 * with ECONNRESET before anything was sent; that one case is tried once
 * more, on a new connection.
 */
export async function post(url: URL, headers: Promise<Record<string, string>>, body: string, timeoutMs: number): Promise<Reply> {
  const { request } = await (url.protocol === 'https:' ? (https ??= load('node:https')) : (http ??= load('node:http')))
  const bytes = utf8(body)
  try {
    return await once(request, url, headers, bytes, timeoutMs)
  } catch (error) {
    const e = error as { code?: unknown; reusedSocket?: boolean }
    if (e.code !== 'ECONNRESET' || !e.reusedSocket) throw error
    return once(request, url, headers, bytes, timeoutMs)
  }
}
