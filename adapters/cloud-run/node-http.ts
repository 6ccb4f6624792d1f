/**
 * Node's HTTP objects to and from plain values: a request read whole (within
 * a byte limit), a plain reply or a web `Response` written back. Nothing
 * here decides a status; `handle.ts` does.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { HttpReply } from '../../src/http/message.js'
import type { CloudRunRequest } from './mapper.js'

/** Lower-case names (Node's own); a repeated header joined with `, ` (Node joins cookies with `; `). */
export function headersOf(incoming: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {}
  const { headers: given } = incoming
  for (const name in given) {
    const value = given[name]
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value
  }
  return headers
}

/**
 * The request with its body read (at once when it was given: no promise
 * more than needed, each costs behind the framework's domain), or `undefined` when the body is over
 * `limit` bytes: refused before a byte is read when `content-length` says
 * so, else as soon as the count passes it (the rest is not kept). `body`
 * may be given when something before us read it (Express's `rawBody`).
 */
export function readRequest(incoming: IncomingMessage, limit: number, body?: Uint8Array): CloudRunRequest | undefined | Promise<CloudRunRequest | undefined> {
  const headers = headersOf(incoming)
  const request = (bytes: Uint8Array): CloudRunRequest => ({ method: incoming.method ?? 'GET', url: incoming.url ?? '/', headers, body: bytes, incoming })
  if (body !== undefined) {
    // A body parser inflated it: the headers must describe the bytes we hand on.
    delete headers['content-encoding']
    headers['content-length'] = String(body.byteLength)
    return body.byteLength > limit ? undefined : request(new Uint8Array(body.buffer, body.byteOffset, body.byteLength))
  }
  if (Number(headers['content-length']) > limit) return undefined
  return readBody(incoming, limit).then((read) => read && request(read))
}

function readBody(incoming: IncomingMessage, limit: number): Promise<Uint8Array | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const done = (value: Uint8Array | undefined, error?: unknown) => {
      incoming.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose)
      if (error === undefined) resolve(value)
      else reject(error)
    }
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        // Stop reading: the 413 goes out with `connection: close`, which ends the rest.
        incoming.pause()
        done(undefined)
      } else chunks.push(chunk)
    }
    const onEnd = () => done(chunks.length === 1 ? new Uint8Array(chunks[0]!.buffer, chunks[0]!.byteOffset, chunks[0]!.length) : new Uint8Array(Buffer.concat(chunks, size)))
    // Node reports a client gone mid-body as an 'aborted' error (ECONNRESET).
    const onError = (error: unknown) => done(undefined, (error as { code?: string }).code === 'ECONNRESET' ? new ClientGoneError() : error)
    // The client went away before the body ended.
    const onClose = () => done(undefined, new ClientGoneError())
    incoming.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose)
    if (incoming.readableEnded) onEnd()
  })
}

/** The client closed the connection before its request body ended (nothing to answer, no one to answer), or before its response was sent. */
export class ClientGoneError extends Error {
  constructor(message = 'The client closed the connection before the request body ended') {
    super(message)
    this.name = 'ClientGoneError'
  }
}

/** Writes a plain reply and ends the response. */
export function writeReply(res: ServerResponse, reply: HttpReply): void {
  if (res.headersSent) return void res.end()
  res.writeHead(reply.status, reply.headers)
  res.end(reply.body)
}

/**
 * Writes the status and headers of an app's `Response` (every `Set-Cookie`
 * as its own header), then its body as it comes, waiting when the client
 * reads slower than the app writes. The response is not ended: `end` is
 * the caller's, once the app's `waitUntil` work is done. Rejects when the
 * body fails; a client that goes away cancels the body.
 */
export async function writeResponse(res: ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string | string[]> = {}
  for (const [name, value] of response.headers) if (name !== 'set-cookie') headers[name] = value
  const cookies = response.headers.getSetCookie()
  if (cookies.length > 0) headers['set-cookie'] = cookies
  const body = response.body
  if (body === null) {
    res.writeHead(response.status, response.statusText || undefined, headers)
    return
  }
  const reader = body.getReader()
  // The first chunk before the head: a body that fails at once is still the app's 500, not a cut reply.
  let next = await reader.read()
  res.writeHead(response.status, response.statusText || undefined, headers)
  const gone = () => void reader.cancel().catch(() => {})
  res.once('close', gone)
  try {
    while (!next.done) {
      if (res.destroyed) return
      if (!res.write(next.value)) await drained(res)
      next = await reader.read()
    }
  } finally {
    res.off('close', gone)
  }
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const go = () => {
      res.off('drain', go).off('close', go)
      resolve()
    }
    res.on('drain', go).on('close', go)
  })
}
