/**
 * Shared pieces of the Azure Functions adapter tests: a handler that
 * records what it saw and fails as its event's data says, and readers for
 * what the host gets back.
 */
import { defineHandler, PermanentError, RetryableError, type CloudEvent, type Context } from 'faasade'
import type { InvocationResult } from './support/host.js'

export interface Seen {
  event: CloudEvent
  ctx: Context
}

/**
 * A catch-all handler that records each event: `{ fail: 'retry' |
 * 'permanent' | 'throw' }` fails that way, anything else succeeds with
 * `{ ok: event.id }`.
 */
export function recordingHandler() {
  const seen: Seen[] = []
  const handler = defineHandler({
    name: 'recorder',
    handle(event, ctx) {
      seen.push({ event, ctx })
      const fail = (event.data as { fail?: string } | null | undefined)?.fail
      if (fail === 'retry') throw new RetryableError(`retry ${event.id}`)
      if (fail === 'permanent') throw new PermanentError(`permanent ${event.id}`)
      if (fail === 'throw') throw new Error(`boom ${event.id}`)
      return { ok: event.id }
    },
  })
  return { handler, seen }
}

/** The RPC HTTP response the library hands the host. */
export interface RpcHttpResponse {
  statusCode: string
  headers: Record<string, string>
  cookies: { name: string; value: string; sameSite: string; path?: unknown; httpOnly?: unknown; maxAge?: unknown; secure?: unknown; domain?: unknown; expires?: unknown }[]
  enableContentNegotiation: boolean
  body: { bytes: Uint8Array }
}

/** The HTTP reply of a host invocation, with its body as text. */
export function httpReply(result: InvocationResult): RpcHttpResponse & { text: string } {
  if (!result.ok) throw new Error(`the invocation failed: ${String(result.error)}`)
  const http = (result.response.returnValue as { http: RpcHttpResponse }).http
  return { ...http, text: Buffer.from(http.body.bytes).toString('utf8') }
}

/** The `user` lines (what the function wrote through its context), each parsed from JSON. */
export function userLines(result: InvocationResult): { level: string; line: Record<string, unknown> }[] {
  return result.logs.filter((l) => l.category === 'user').map((l) => ({ level: l.level, line: JSON.parse(l.message) as Record<string, unknown> }))
}
