/**
 * Redis goes away mid-run (SIGKILL) and comes back on the same port, with
 * the clients configured as the store's docs say (fail fast, no offline
 * queue). While it is down a delivery fails closed: a retryable
 * IdempotencyStoreError and the handler not run. Once it is back the
 * redelivery runs the handler, and nothing is lost: the server appends and
 * fsyncs every write (AOF), so records written before the crash are still
 * there and their duplicates are still replayed.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { createClient } from 'redis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEvent, defineHandler, RetryableError } from 'faasade'
import { idempotent, IdempotencyStoreError } from 'faasade/idempotency'
import { redisStore, type RedisClientLike } from 'faasade/idempotency/redis'
import { invoke } from 'faasade/testing'
import { redisMissing, startRedis, type RedisServer } from '../setup/servers.js'
import { describeUnless } from '../../support/skips.js'

let server: RedisServer
let dir: string

beforeAll(async () => {
  if (redisMissing) return
  dir = await mkdtemp(join(tmpdir(), 'faasade-redis-'))
  server = await startRedis({ persistDir: dir })
})

afterAll(async () => {
  await server?.stop()
  if (dir) await rm(dir, { recursive: true, force: true })
})

interface Client {
  client: RedisClientLike
  /** Resolves when the client is connected and ready again (its failed reconnects emit 'error' meanwhile: not a rejection). */
  ready(): Promise<unknown>
  close(): Promise<unknown>
}

const clients: Record<string, () => Promise<Client>> = {
  async ioredis() {
    const io = new Redis(server.port, '127.0.0.1', {
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      retryStrategy: (n) => Math.min(n * 50, 500),
    })
    io.on('error', () => {})
    await io.connect()
    return { client: io, ready: () => new Promise((resolve) => io.once('ready', resolve)), close: async () => io.disconnect() }
  },
  async 'node-redis'() {
    const node = createClient({ url: server.url, disableOfflineQueue: true, socket: { reconnectStrategy: (n: number) => Math.min(n * 50, 500) } })
    node.on('error', () => {})
    await node.connect()
    return { client: node, ready: () => new Promise((resolve) => node.once('ready', resolve)), close: () => node.close() }
  },
}

describeUnless(redisMissing)('redis store: the server goes down mid-run and comes back', () => {
  it.each(Object.keys(clients))('%s: fails closed while down; after the restart the delivery runs once and nothing is lost', async (which) => {
    const { client, ready, close } = await clients[which]!()
    try {
      const runs: string[] = []
      const handler = defineHandler({
        name: `down-${which}`,
        use: [idempotent({ store: redisStore(client), cache: false })],
        handle: async (event) => (runs.push(event.id), { charged: event.id }),
      })
      const before = createEvent({ id: `before-${which}`, source: '/orders', type: 'order.placed', data: { n: 1 } })
      const during = createEvent({ id: `during-${which}`, source: '/orders', type: 'order.placed', data: { n: 2 } })
      expect((await invoke(handler, before)).ok).toBe(true)

      await server.kill()
      const down = await invoke(handler, during)
      expect(down.ok).toBe(false)
      if (down.ok) return
      expect(down.outcome).toBe('retry')
      expect(down.error).toBeInstanceOf(IdempotencyStoreError)
      expect(down.error).toBeInstanceOf(RetryableError)
      expect((down.error as IdempotencyStoreError).operation).toBe('claim')
      expect(runs).toEqual([`before-${which}`])

      const back = ready()
      await server.restart()
      await back
      // The redelivery of the event that failed runs it, once.
      const redelivered = await invoke(handler, during)
      expect(redelivered.ok && redelivered.result).toEqual({ charged: during.id })
      expect((await invoke(handler, during)).ok).toBe(true)
      // The record written before the crash survived it: its duplicate is replayed, not run.
      const duplicate = await invoke(handler, before)
      expect(duplicate.ok && duplicate.result).toEqual({ charged: before.id })
      expect(runs).toEqual([`before-${which}`, `during-${which}`])
    } finally {
      await close()
    }
  })

  it('ioredis: the server dies while the handler runs: its effect stands, the lost completion is logged loudly with the key', async () => {
    const { client, ready, close } = await clients.ioredis!()
    try {
      let runs = 0
      const handler = defineHandler({
        name: 'down-mid-handler',
        use: [idempotent({ store: redisStore(client), cache: false })],
        async handle() {
          runs++
          await server.kill()
          return 'charged'
        },
      })
      const event = createEvent({ id: 'mid-handler', source: '/orders', type: 'order.placed', data: {} })
      const run = await invoke(handler, event)
      expect(run.ok && run.result).toBe('charged')
      const loud = run.logs.find((line) => String(line.msg ?? line.message).includes('IDEMPOTENCY NOT RECORDED'))
      expect(loud).toMatchObject({ level: 'error', idempotencyKey: expect.stringMatching(/^down-mid-handler:/), leaseEndsAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) })
      const back = ready()
      await server.restart()
      await back
      // The claim is still held (INPROGRESS) until its lease ends: a redelivery is told to retry, not run.
      const again = await invoke(handler, event)
      expect(!again.ok && again.outcome).toBe('retry')
      expect(runs).toBe(1)
    } finally {
      await close()
    }
  })
})
