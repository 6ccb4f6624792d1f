/**
 * The PostgreSQL store on a real server (initdb'd and started here, as
 * the postgres user when root, on a free port) through a `pg` Pool. Skips,
 * and says so in the run's summary, only when the server binaries are
 * missing (see `findPostgres`).
 */
import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { IdempotencyStoreError, type IdempotencyRecord } from 'faasade/idempotency'
import { createTable, postgresStore } from 'faasade/idempotency/postgres'
import { describeStoreContract } from '../contract/store-contract.js'
import { postgresMissing, startPostgres, type PostgresServer } from '../setup/servers.js'
import { describeUnless } from '../../support/skips.js'

let server: PostgresServer
let pool: pg.Pool

beforeAll(async () => {
  if (postgresMissing) return
  server = await startPostgres()
  pool = new pg.Pool({ connectionString: server.connectionString, max: 20 })
  pool.on('error', () => {})
  await createTable(pool)
})

afterAll(async () => {
  await pool?.end()
  await server?.stop()
})

describeStoreContract('postgres (server 15, pg Pool)', () => postgresStore(pool), { skip: postgresMissing })

describeUnless(postgresMissing)('postgres store specifics (server)', () => {
  it('a lost claim costs one statement, which returns the live record', async () => {
    const store = postgresStore(pool)
    const first: IdempotencyRecord = { key: `one-${randomUUID()}`, status: 'INPROGRESS', expiresAt: Date.now() + 60_000, payloadHash: 'h', owner: randomUUID() }
    await store.claim(first, Date.now())
    let statements = 0
    const counting = { query: (text: string, params: unknown[]) => (statements++, pool.query(text, params)) }
    expect(await postgresStore(counting).claim({ ...first, owner: randomUUID() }, Date.now())).toEqual({ claimed: false, existing: first })
    expect(statements).toBe(1)
  })

  it('a server that is gone is a store error at once', async () => {
    const dead = new pg.Pool({ connectionString: server.connectionString.replace(`:${server.port}/`, ':1/'), connectionTimeoutMillis: 2000 })
    dead.on('error', () => {})
    try {
      const error = await postgresStore(dead).get('k').catch((e: unknown) => e)
      expect(error).toBeInstanceOf(IdempotencyStoreError)
      expect(((error as Error).cause as { code?: string }).code).toBe('ECONNREFUSED')
    } finally {
      await dead.end()
    }
  })
})
