/**
 * A function instance claims an event's key and is SIGKILLed mid-handler (a
 * real child process, on a real Redis and a real PostgreSQL). A second
 * delivery before the lease ends is told to retry and does not run the
 * handler; one after the lease ends runs it.
 *
 * The test asserts the order of events, not how long they took: the lease is
 * long enough (a minute) that the second delivery comes before it ends on any
 * machine, however loaded, and the redelivery's clock (the middleware's
 * `now`) is then moved past the lease's end instead of the test sleeping
 * through it.
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

const LEASE_MS = 60_000
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
  // The redeliveries' clock: real time, until the test moves it past the lease.
  let skew = 0
  const now = () => Date.now() + skew
  const events: Array<{ what: string; at: number }> = []
  const happened = (what: string, at = now()) => void events.push({ what, at })

  happened('claim')
  await claimAndCrash(kind, url, event)
  happened('killed')

  let runs = 0
  const handler = defineHandler({ name: 'crash-test', use: [idempotent({ store, lease: LEASE_MS, now })], handle: async () => (runs++, 'charged') })

  // Before the lease ends: told to retry, for no longer than what is left of the lease.
  happened('early delivery')
  const early = await invoke(handler, event)
  expect(early.ok).toBe(false)
  if (early.ok) return
  expect(early.outcome).toBe('retry')
  expect(early.error).toBeInstanceOf(IdempotencyInProgressError)
  const { expiresAt, retryAfterMs } = early.error as IdempotencyInProgressError
  expect(retryAfterMs).toBeGreaterThan(0)
  expect(retryAfterMs).toBeLessThanOrEqual(LEASE_MS)
  expect(runs).toBe(0)
  happened('lease ends', expiresAt)

  // After it: the redelivery runs the handler, once. Its deadline is on the same (moved) clock.
  skew = expiresAt - Date.now()
  happened('late delivery')
  const late = await invoke(handler, event, { timeoutMs: skew + 30_000 })
  expect(late.ok && late.result).toBe('charged')
  expect(runs).toBe(1)
  expect((await invoke(handler, event, { timeoutMs: skew + 30_000 })).ok).toBe(true)
  expect(runs).toBe(1)

  // The order the scenario claims: the child's claim, its death and the early delivery all fall within the lease; the late one after it.
  const order = [...events].sort((a, b) => a.at - b.at || events.indexOf(a) - events.indexOf(b)).map((e) => e.what)
  expect(order).toEqual(['claim', 'killed', 'early delivery', 'lease ends', 'late delivery'])
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
