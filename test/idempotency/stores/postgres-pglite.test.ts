/**
 * The PostgreSQL store on PGlite (PostgreSQL compiled to wasm, in process).
 * One instance for the whole file: each costs about 2 s and 750 MB.
 */
import { randomUUID } from 'node:crypto'
import { PGlite } from '@electric-sql/pglite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigurationError } from 'faasade'
import { IdempotencyStoreError, type IdempotencyRecord } from 'faasade/idempotency'
import { createTable, createTableSql, deleteExpired, postgresStore } from 'faasade/idempotency/postgres'
import { describeStoreContract } from '../contract/store-contract.js'

let db: PGlite

beforeAll(async () => {
  db = await PGlite.create()
  await createTable(db)
  await createTable(db) // idempotent
  await db.query('CREATE SCHEMA app', [])
  await createTable(db, { table: 'app.claims' })
})

afterAll(async () => {
  await db?.close()
})

describeStoreContract('postgres (PGlite)', () => postgresStore(db))

const T = () => Date.now() + 60_000
const record = (key: string, expiresAt = T()): IdempotencyRecord => ({ key, status: 'INPROGRESS', expiresAt, payloadHash: 'h', owner: randomUUID() })

describe('postgres store specifics (PGlite)', () => {
  it('a schema-qualified table', async () => {
    const store = postgresStore(db, { table: 'app.claims' })
    const claim = record(`schema-${randomUUID()}`)
    expect(await store.claim(claim, Date.now())).toEqual({ claimed: true })
    expect((await db.query('SELECT count(*)::int AS n FROM app.claims WHERE key = $1', [claim.key])).rows).toEqual([{ n: 1 }])
  })

  it('deleteExpired removes dead rows only, and says how many', async () => {
    const store = postgresStore(db, { table: 'app.claims' })
    const now = Date.now()
    await store.claim(record(`dead-${randomUUID()}`, now - 10), now - 20)
    await store.claim(record(`dead-${randomUUID()}`, now - 5), now - 20)
    const live = record(`live-${randomUUID()}`, now + 60_000)
    await store.claim(live, now)
    expect(await deleteExpired(db, { table: 'app.claims', now })).toBe(2)
    expect(await store.get(live.key)).toEqual(live)
  })

  it('a missing table is a store error with the database error as cause', async () => {
    const error = await postgresStore(db, { table: 'nowhere' })
      .claim(record('k'), Date.now())
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(IdempotencyStoreError)
    expect(((error as Error).cause as Error).message).toMatch(/relation "nowhere" does not exist/)
  })

  it('a foreign row is a store error naming the field, never the value', async () => {
    const key = `foreign-${randomUUID()}`
    await db.query(`INSERT INTO idempotency VALUES ($1, 'MAYBE', $2, 'h', 'o', 'secret result')`, [key, T()])
    const error = await postgresStore(db).get(key).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(IdempotencyStoreError)
    expect(String((error as Error).cause)).toContain('"status"')
    expect(String((error as Error).cause)).not.toContain('secret result')
  })

  it('refuses table names that are not plain identifiers, and unknown options', () => {
    for (const table of ['a;DROP TABLE x', 'a.b.c', '"quoted"', '', '1abc']) {
      expect(() => postgresStore(db, { table })).toThrow(ConfigurationError)
    }
    expect(() => postgresStore(db, { tabel: 'x' } as never)).toThrow(/did you mean "table"/)
    expect(() => postgresStore({} as never)).toThrow(ConfigurationError)
    expect(createTableSql({ table: 'app.idem' })[0]).toContain('"app"."idem"')
  })
})
