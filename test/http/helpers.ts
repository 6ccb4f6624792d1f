/**
 * Shared pieces of the HTTP-binding tests: requests in the shape adapters
 * hand to the binding (lower-case header names), a service run with a
 * captured logger, and a problem+json reader that fails on any leak.
 */
import { expect } from 'vitest'
import {
  createContext,
  createLogger,
  defineHandler,
  serveCloudEvents,
  toService,
  type CloudEvent,
  type Handler,
  type HttpReply,
  type HttpRequest,
  type Problem,
  type ServeOptions,
  type Target,
} from 'faasade'

export const JSON_EVENT = 'application/cloudevents+json'
export const JSON_BATCH = 'application/cloudevents-batch+json'

/** A POST as an adapter hands it over: header names lower-case, body as received. */
export function post(headers: Record<string, string>, body?: string | Uint8Array): HttpRequest {
  return { method: 'POST', headers, body }
}

/** The four required attributes as binary-mode headers. */
export function ceHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return { 'ce-specversion': '1.0', 'ce-id': 'A234-1234-1234', 'ce-source': '/mycontext', 'ce-type': 'com.example.someevent', ...extra }
}

/** A handler that records every event it gets and returns nothing (204). */
export function recorder(): { handler: Handler; seen: CloudEvent[] } {
  const seen: CloudEvent[] = []
  return { seen, handler: defineHandler({ handle: (event) => void seen.push(event) }) }
}

/** Runs `serveCloudEvents` with a context per event and every log line captured. */
export async function serve(
  target: Target,
  request: HttpRequest,
  options: Partial<Omit<ServeOptions, 'log' | 'context'>> = {},
): Promise<{ reply: HttpReply; logs: Record<string, unknown>[] }> {
  const logs: Record<string, unknown>[] = []
  const log = createLogger({ level: 'debug', sink: (line) => logs.push(JSON.parse(line) as Record<string, unknown>) })
  const reply = await serveCloudEvents(toService(target), request, {
    ...options,
    log,
    context: (event) => createContext({ provider: { name: 'test', raw: request }, log: log.child({ eventId: event.id }) }),
  })
  return { reply, logs }
}

/** The body of a reply as text. */
export function text(reply: Pick<HttpReply, 'body'>): string {
  const { body } = reply
  if (body === undefined) return ''
  return typeof body === 'string' ? body : new TextDecoder().decode(body)
}

/**
 * The problem+json body of a reply, after checking what every error reply
 * must be: a 4xx or 5xx that matches the body, the problem media type, and
 * no stack frame anywhere in it.
 */
export function problemOf(reply: HttpReply, status?: number): Problem {
  if (status !== undefined) expect(reply.status).toBe(status)
  expect(reply.status).toBeGreaterThanOrEqual(400)
  expect(reply.headers['content-type']).toBe('application/problem+json')
  const body = text(reply)
  expect(body).not.toMatch(/\bat \S+ \(|\bat file:|\bat node:|\n\s+at /)
  expect(body).not.toMatch(/\.ts:\d+|\.js:\d+/)
  const problem = JSON.parse(body) as Problem
  expect(problem.status).toBe(reply.status)
  expect(typeof problem.title).toBe('string')
  return problem
}

/** The issue paths a validation problem names, e.g. `['id', '1.source']`. */
export function pathsOf(problem: Problem): Array<string | undefined> {
  return (problem.issues ?? []).map((issue) => issue.path)
}
