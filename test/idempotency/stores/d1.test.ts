/**
 * The D1 store in Miniflare (workerd with a local D1 database), twice: the
 * store running inside a Worker (bundled from the sources, the binding taken
 * from `cloudflare:workers` at module scope as the docs show), driven over
 * fetch; and the store in Node on `mf.getD1Database()`'s binding.
 */
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { Miniflare } from 'miniflare'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigurationError, DeploymentError } from 'faasade'
import type { IdempotencyRecord } from 'faasade/idempotency'
import { d1CreateTableSql, d1Store, deleteExpired, type D1DatabaseLike } from 'faasade/idempotency/d1'
import { describeStoreContract } from '../contract/store-contract.js'
import { storeInWorker } from '../setup/store-in-worker.js'

let mf: Miniflare
let db: D1DatabaseLike

async function workerScript(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('../setup/d1-worker.mjs', import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    external: ['cloudflare:*'],
    write: false,
    logLevel: 'silent',
  })
  return result.outputFiles[0]!.text
}

beforeAll(async () => {
  mf = new Miniflare({ modules: true, script: await workerScript(), compatibilityDate: '2026-04-01', d1Databases: { DB: 'idempotency-db' } })
  await mf.ready
  db = await mf.getD1Database('DB')
  await db.batch(d1CreateTableSql().map((sql) => db.prepare(sql)))
})

afterAll(async () => {
  await mf?.dispose()
})

describeStoreContract('d1 (store inside a Worker, in workerd)', () => storeInWorker(() => mf, 'd1'))
describeStoreContract('d1 (binding from mf.getD1Database, store in Node)', () => d1Store(db))

describe('d1 store specifics', () => {
  it('a lost claim is one batch (one request) that returns the live record', async () => {
    const store = d1Store(db)
    const first: IdempotencyRecord = { key: `batch-${Date.now()}`, status: 'INPROGRESS', expiresAt: Date.now() + 60_000, payloadHash: 'h', owner: 'a' }
    await store.claim(first, Date.now())
    let requests = 0
    const counting: D1DatabaseLike = { prepare: (sql) => db.prepare(sql), batch: (statements) => (requests++, db.batch(statements)) }
    expect(await d1Store(counting).claim({ ...first, owner: 'b' }, Date.now())).toEqual({ claimed: false, existing: first })
    expect(requests).toBe(1)
  })

  it('deleteExpired removes dead rows only', async () => {
    const store = d1Store(db)
    const now = Date.now()
    await store.claim({ key: `dead-${now}`, status: 'INPROGRESS', expiresAt: now - 1, payloadHash: '', owner: 'o' }, now - 10)
    const live: IdempotencyRecord = { key: `live-${now}`, status: 'INPROGRESS', expiresAt: now + 60_000, payloadHash: '', owner: 'o' }
    await store.claim(live, now)
    expect(await deleteExpired(db, { now })).toBeGreaterThanOrEqual(1)
    expect(await store.get(live.key)).toEqual(live)
    expect(await store.get(`dead-${now}`)).toBeUndefined()
  })

  it('a missing table is a DeploymentError naming it and how to create it, with D1’s error as cause', async () => {
    const error = await d1Store(db, { table: 'nowhere' })
      .get('k')
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DeploymentError)
    expect((error as Error).message).toMatch(/the table "nowhere" does not exist in this D1 database. Create it with the SQL of d1CreateTableSql\(\{ table: 'nowhere' \}\)/)
    expect(String((error as Error).cause)).toMatch(/no such table/)
  })

  it('refuses what is not a binding, odd table names and unknown options', () => {
    expect(() => d1Store({} as never)).toThrow(ConfigurationError)
    expect(() => d1Store(db, { table: 'x; DROP TABLE y' })).toThrow(ConfigurationError)
    expect(() => d1Store(db, { tabel: 'x' } as never)).toThrow(/did you mean "table"/)
  })
})
