/**
 * `ctx.signal` on Cloud Run, through both doors on 127.0.0.1 (the plain
 * server, and an HTTP function on the real functions framework's
 * `getTestServer`): it aborts when the client goes away before its
 * response is sent (a CloudEvent over HTTP and a Pub/Sub push alike), at
 * the deadline the request timeout sets, and not when the response went out.
 */
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { http } from '@google-cloud/functions-framework'
import { getTestServer } from '@google-cloud/functions-framework/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { defineHandler, defineService, TimeoutError, type Context } from 'faasade'
import { PUBSUB_TYPE, toHttpFunction, type CloudRunOptions } from 'faasade/cloud-run'
import { startServer } from './support.js'

/** What the handler saw: its context, and the reason `ctx.signal` aborted with. */
interface Seen {
  ctx?: Context
  reason?: unknown
}

/** Waits on `ctx.signal` until it aborts, or 3 s. */
function service(seen: Seen) {
  const wait = (_event: unknown, ctx: Context) => {
    seen.ctx = ctx
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 3_000)
      ctx.signal.addEventListener('abort', () => {
        seen.reason = ctx.signal.reason
        clearTimeout(timer)
        resolve()
      })
    })
  }
  const quick = (_event: unknown, ctx: Context) => void (seen.ctx = ctx)
  return defineService({ events: [defineHandler({ type: 'com.example.wait', handle: wait }), defineHandler({ type: 'com.example.quick', handle: quick }), defineHandler({ type: PUBSUB_TYPE, handle: wait })] })
}

const framework: Server[] = []
let functions = 0

afterEach(async () => {
  await Promise.all(framework.splice(0).map((server) => new Promise((resolve) => server.close(resolve))))
})

type Door = (seen: Seen, options?: CloudRunOptions) => Promise<string>

const doors: Record<string, Door> = {
  'the plain server': async (seen, options = {}) => (await startServer(service(seen), options)).url,
  'the functions framework': async (seen, options = {}) => {
    const name = `signal${functions++}`
    http(name, toHttpFunction(service(seen), options))
    const server = getTestServer(name)
    framework.push(server)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  },
}

const binary = (type: string) => ({ 'ce-specversion': '1.0', 'ce-id': 'sig-1', 'ce-source': '//test', 'ce-type': type, 'content-type': 'application/json' })
const pushBody = JSON.stringify({ message: { data: Buffer.from('{"a":1}').toString('base64'), messageId: 'm-1', publishTime: '2026-12-07T10:00:00Z', attributes: {} }, subscription: 'projects/p/subscriptions/s' })

/** Sends a request and hangs up 150 ms later, once the handler is waiting. */
async function hangUp(url: string, init: RequestInit): Promise<void> {
  const client = new AbortController()
  const pending = fetch(url, { ...init, signal: client.signal }).catch(() => undefined)
  await new Promise((resolve) => setTimeout(resolve, 150))
  client.abort()
  await pending
}

async function reasonOf(seen: Seen): Promise<unknown> {
  for (let i = 0; i < 100 && seen.reason === undefined; i++) await new Promise((resolve) => setTimeout(resolve, 20))
  return seen.reason
}

describe.each(Object.entries(doors))('ctx.signal through %s', (_name, door) => {
  it('aborts when the client of a CloudEvent over HTTP goes away', async () => {
    const seen: Seen = {}
    const url = await door(seen)
    await hangUp(url, { method: 'POST', headers: binary('com.example.wait'), body: '{}' })
    const reason = await reasonOf(seen)
    expect(reason).toMatchObject({ name: 'ClientGoneError', message: expect.stringMatching(/before the response was sent/) })
  })

  it('aborts when Pub/Sub hangs up on a push (a trigger of the mapping table)', async () => {
    const seen: Seen = {}
    const url = await door(seen)
    await hangUp(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: pushBody })
    expect(await reasonOf(seen)).toMatchObject({ name: 'ClientGoneError' })
  })

  it('aborts at the deadline, timeoutMarginMs before the request timeout, with a TimeoutError', async () => {
    const seen: Seen = {}
    const url = await door(seen, { timeoutSeconds: 0.4, timeoutMarginMs: 100 })
    const started = Date.now()
    const response = await fetch(url, { method: 'POST', headers: binary('com.example.wait'), body: '{}' })
    expect(seen.reason).toBeInstanceOf(TimeoutError)
    expect(Date.now() - started).toBeLessThan(2_000)
    expect(response.status).toBeLessThan(300)
  })

  it('does not abort once the response went out', async () => {
    const seen: Seen = {}
    const url = await door(seen)
    expect((await fetch(url, { method: 'POST', headers: binary('com.example.quick'), body: '{}' })).status).toBe(204)
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(seen.ctx!.signal.aborted).toBe(false)
  })
})
