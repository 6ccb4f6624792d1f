/**
 * A function instance claims an event's key and is SIGKILLed mid-handler (a
 * real child process, on a real Redis and a real PostgreSQL). A second
 * delivery before the lease ends is told to retry and does not run the
 * handler; one after the lease ends runs it.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { Redis } from 'ioredis'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEvent, defineHandler } from 'faasade'
import { idempotent, IdempotencyInProgressError, type IdempotencyStore } from 'faasade/idempotency'
import { createTable, postgresStore } from 'faasade/idempotency/postgres'
import { redisStore } from 'faasade/idempotency/redis'
import { invoke } from 'faasade/testing'
import { postgresMissing, redisMissing, startPostgres, startRedis, stopChild, type PostgresServer, type RedisServer } from '../setup/servers.js'
import { describeUnless } from '../../support/skips.js'

const LEASE_MS = 1500
let dir: string
let child: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'faasade-crash-'))
  child = join(dir, 'crash-child.mjs')
  await build({
    entryPoints: [fileURLToPath(new URL('../setup/crash-child.mjs', import.meta.url))],
    outfile: child,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: ['pg-native'],
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    logLevel: 'silent',
  })
})

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
})

/** Runs the child until it is inside the handler (the key claimed), then SIGKILLs it. */
async function claimAndCrash(kind: 'redis' | 'postgres', url: string, event: object): Promise<void> {
  const proc = spawn(process.execPath, [child, kind, url, JSON.stringify(event), String(LEASE_MS)], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()))
  const lines = createInterface({ input: proc.stdout! })
  const running = new Promise<void>((resolve, reject) => {
    lines.on('line', (line) => line === 'RUNNING' && resolve())
    proc.once('exit', (code) => reject(new Error(`child exited (${code}) before running:\n${stderr}`)))
  })
  await running
  await stopChild(proc, 'SIGKILL')
}

async function crashScenario(kind: 'redis' | 'postgres', url: string, store: IdempotencyStore) {
  const event = createEvent({ id: `crash-${kind}-${Date.now()}`, source: '/orders', type: 'order.placed', data: { orderId: 'A1' } })
  await claimAndCrash(kind, url, event)
  const killedAt = Date.now()

  let runs = 0
  const handler = defineHandler({ name: 'crash-test', use: [idempotent({ store, lease: LEASE_MS })], handle: async () => (runs++, 'charged') })

  // Before the lease ends: told to retry, for no longer than what is left of the lease.
  const early = await invoke(handler, event)
  expect(Date.now() - killedAt).toBeLessThan(LEASE_MS) // else the machine is too slow for this check to mean anything
  expect(early.ok).toBe(false)
  if (early.ok) return
  expect(early.outcome).toBe('retry')
  expect(early.error).toBeInstanceOf(IdempotencyInProgressError)
  const { expiresAt, retryAfterMs } = early.error as IdempotencyInProgressError
  expect(retryAfterMs).toBeGreaterThan(0)
  expect(retryAfterMs).toBeLessThanOrEqual(LEASE_MS)
  expect(runs).toBe(0)

  // After it: the redelivery runs the handler, once.
  await new Promise((r) => setTimeout(r, Math.max(0, expiresAt - Date.now()) + 50))
  const late = await invoke(handler, event)
  expect(late.ok && late.result).toBe('charged')
  expect(runs).toBe(1)
  expect((await invoke(handler, event)).ok).toBe(true)
  expect(runs).toBe(1)
}

describeUnless(redisMissing)('crash mid-handler: redis', () => {
  let server: RedisServer
  let io: Redis
  beforeAll(async () => {
    server = await startRedis()
    io = new Redis(server.port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false })
    await io.connect()
  })
  afterAll(async () => {
    io?.disconnect()
    await server?.stop()
  })

  it('a second delivery within the lease retries; one after it runs the handler', async () => {
    await crashScenario('redis', server.url, redisStore(io))
  })
})

describeUnless(postgresMissing)('crash mid-handler: postgres', () => {
  let server: PostgresServer
  let pool: pg.Pool
  beforeAll(async () => {
    server = await startPostgres()
    pool = new pg.Pool({ connectionString: server.connectionString })
    pool.on('error', () => {})
    await createTable(pool)
  })
  afterAll(async () => {
    await pool?.end()
    await server?.stop()
  })

  it('a second delivery within the lease retries; one after it runs the handler', async () => {
    await crashScenario('postgres', server.connectionString, postgresStore(pool))
  })
})
