/**
 * A queue consumer with a D1 idempotency store made from each invocation's
 * env (`d1Store((ctx) => workerEnv(ctx).DB)`: no `cloudflare:workers`
 * import, no cast, no external), in workerd with a real D1 database. Two
 * copies of one job in a batch run once; a table never created is a
 * DeploymentError that says what to create, and the message is retried.
 */
import type { Miniflare } from 'miniflare'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { d1CreateTableSql } from 'faasade/idempotency/d1'
import { buildPackage, type BuiltPackage } from './support/package.js'
import { startWorkerd, testWorker, workerScript, type TestMessage, type TestWorker } from './support/workerd.js'

const entry = (options: string) => `
import { defineHandler } from 'faasade'
import { toWorker, workerEnv } from 'faasade/cloudflare-workers'
import { idempotent } from 'faasade/idempotency'
import { d1Store } from 'faasade/idempotency/d1'

// Made when the module loads; the binding is found on each invocation.
const store = d1Store((ctx) => workerEnv(ctx).DB)
const crawl = defineHandler({
  name: 'crawl',
  type: 'com.example.crawl',
  use: [idempotent({ store, key: (e) => e.data?.url })],
  async handle(event, ctx) {
    await workerEnv(ctx).DB.prepare('INSERT INTO runs (url) VALUES (?1)').bind(event.data.url).run()
    return { crawled: event.data.url }
  },
})
export default toWorker(crawl, ${options})
`

let pkg: BuiltPackage
let mf: Miniflare
let logs: Array<Record<string, unknown>>
let oneAtATime: TestWorker
let concurrent: TestWorker
let noTable: TestWorker

const at = new Date('2026-11-24T08:00:00.000Z')
const message = (id: string, body: unknown): TestMessage => ({ id, timestamp: at, body, attempts: 1 })

beforeAll(async () => {
  pkg = await buildPackage()
  ;({ mf, logs } = await startWorkerd([
    { name: 'crawl', script: await workerScript(pkg, entry(`{ queue: { type: 'com.example.crawl' }, concurrency: 1 }`)), d1Databases: { DB: 'crawl-db' } },
    { name: 'crawl-concurrent', script: await workerScript(pkg, entry(`{ queue: { type: 'com.example.crawl' } }`)), d1Databases: { DB: 'crawl-db' } },
    { name: 'crawl-no-table', script: await workerScript(pkg, entry(`{ queue: { type: 'com.example.crawl' } }`)), d1Databases: { DB: 'empty-db' } },
  ]))
  const db = await mf.getD1Database('DB', 'crawl')
  await db.batch([...d1CreateTableSql(), 'CREATE TABLE IF NOT EXISTS runs (url TEXT NOT NULL)'].map((sql) => db.prepare(sql)))
  const empty = await mf.getD1Database('DB', 'crawl-no-table')
  await empty.prepare('CREATE TABLE IF NOT EXISTS runs (url TEXT NOT NULL)').run()
  oneAtATime = await testWorker(mf, 'crawl')
  concurrent = await testWorker(mf, 'crawl-concurrent')
  noTable = await testWorker(mf, 'crawl-no-table')
}, 120_000)

afterAll(async () => {
  await mf?.dispose()
  await pkg?.remove()
})

async function runsOf(url: string): Promise<number> {
  const db = await mf.getD1Database('DB', 'crawl')
  const row = await db.prepare('SELECT count(*) AS n FROM runs WHERE url = ?1').bind(url).first<{ n: number }>()
  return row!.n
}

describe('idempotent() on a D1 store made from the invocation env', () => {
  it('runs two copies of one job in a batch once, and acks both', async () => {
    const result = await oneAtATime.queue('crawl', [message('a1', { url: 'https://a.example' }), message('b1', { url: 'https://b.example' }), message('a2', { url: 'https://a.example' })])
    expect(result.outcome).toBe('ok')
    expect([...result.explicitAcks].sort()).toEqual(['a1', 'a2', 'b1'])
    expect(await runsOf('https://a.example')).toBe(1)
    expect(await runsOf('https://b.example')).toBe(1)
    // A later batch with the job again: replayed from D1, not run.
    const again = await concurrent.queue('crawl', [message('a3', { url: 'https://a.example' })])
    expect(again.explicitAcks).toEqual(['a3'])
    expect(await runsOf('https://a.example')).toBe(1)
  })

  it('with messages run concurrently, still runs two copies of a job once', async () => {
    const result = await concurrent.queue('crawl', [message('c1', { url: 'https://c.example' }), message('c2', { url: 'https://c.example' })])
    expect(result.outcome).toBe('ok')
    expect(await runsOf('https://c.example')).toBe(1)
    // Each copy is acked or, while the other held the key, retried: never dropped.
    expect([...result.explicitAcks, ...result.retryMessages.map((m) => m.msgId)].sort()).toEqual(['c1', 'c2'])
  })

  it('coalesces two copies of one message (same id) in a concurrent batch: one run, the same outcome for both', async () => {
    const result = await concurrent.queue('crawl', [message('e1', { url: 'https://e.example' }), message('e1', { url: 'https://e.example' })])
    expect(result.outcome).toBe('ok')
    expect(result.retryMessages).toEqual([])
    expect(result.explicitAcks).toEqual(['e1', 'e1'].slice(0, result.explicitAcks.length))
    expect(result.explicitAcks.length).toBeGreaterThan(0)
    expect(await runsOf('https://e.example')).toBe(1)
  })

  it('says which table is missing, as a DeploymentError, and retries the message', async () => {
    const result = await noTable.queue('crawl', [message('d1', { url: 'https://d.example' })])
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(['d1'])
    const line = logs.find((l) => l.errorName === 'DeploymentError')
    expect(line?.errorMessage).toMatch(/the table "idempotency" does not exist in this D1 database. Create it with the SQL of d1CreateTableSql\(\)/)
  })
})
