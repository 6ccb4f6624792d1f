/**
 * `faasade/idempotency/postgres`: idempotency records in a PostgreSQL table,
 * through anything with `query(text, params)` that resolves to `{ rows }`:
 * a `pg` `Pool` or `Client`, PGlite, Neon's serverless `Pool`. Nothing is
 * imported from any of them.
 *
 * Every primitive is one statement, one round trip:
 *
 * - `claim`: `INSERT … ON CONFLICT (key) DO UPDATE … WHERE expires_at <= now`
 *   in a CTE, and in the same statement a `SELECT` of the row it lost to. A
 *   row held by a transaction that committed after the statement began is
 *   not visible to that `SELECT`; then `existing` is `undefined` and the
 *   middleware reads it (a second round trip, only in that race).
 * - `complete`: `UPDATE … WHERE key AND owner AND status = 'INPROGRESS'`.
 * - `release`: `DELETE … WHERE key AND owner`.
 * - `get`: `SELECT … WHERE key`.
 *
 * Times are the `now` and `expiresAt` the middleware passes (epoch ms, in a
 * `bigint` column), never the database's clock. Dead rows stay until a claim
 * takes their key over or {@link deleteExpired} removes them (run it from a
 * scheduled job).
 *
 * The table ({@link createTableSql} prints it; {@link createTable} runs it):
 *
 * ```sql
 * CREATE TABLE IF NOT EXISTS idempotency (
 *   key          text PRIMARY KEY,
 *   status       text NOT NULL,
 *   expires_at   bigint NOT NULL,
 *   payload_hash text NOT NULL,
 *   owner        text NOT NULL,
 *   result       text
 * );
 * CREATE INDEX IF NOT EXISTS idempotency_expires_at ON idempotency (expires_at);
 * ```
 *
 * @example
 * ```ts
 * import pg from 'pg'
 * import { idempotent } from 'faasade/idempotency'
 * import { postgresStore } from 'faasade/idempotency/postgres'
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL })
 * pool.on('error', (error) => console.error('pg', error)) // an idle client's lost connection must not crash the process
 * const store = postgresStore(pool)
 * export const orderPlaced = defineHandler({ use: [idempotent({ store })], handle })
 * ```
 */
import { ConfigurationError } from '../../errors.js'
import { checkOptions } from '../../middleware.js'
import type { StoreOperation } from '../errors.js'
import type { ClaimResult, IdempotencyRecord, IdempotencyStore } from '../store.js'
import { storeFailure } from './internal/failure.js'
import { toRecord } from './internal/record.js'

/** What the store needs of a client: `pg`'s `Pool`/`Client`, PGlite, and most others fit. */
export interface PostgresQueryable {
  /** Runs one parameterised statement (`$1`, `$2`, … bound to `params`) and resolves to the rows it returned. */
  query(text: string, params: unknown[]): Promise<{ rows: unknown[] }>
}

/** What {@link postgresStore} takes beside the client: the table's name. */
export interface PostgresStoreOptions {
  /** The table, optionally schema-qualified (`app.idempotency`). Letters, digits and `_` only. @defaultValue `'idempotency'` */
  table?: string
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/

function tableOf(owner: string, table: string | undefined): { quoted: string; bare: string } {
  const name = table ?? 'idempotency'
  const parts = typeof name === 'string' ? name.split('.') : []
  if (parts.length === 0 || parts.length > 2 || !parts.every((part) => IDENTIFIER.test(part))) {
    throw new ConfigurationError(`${owner}: table must be a name or schema.name of letters, digits and _ (got ${JSON.stringify(name)})`)
  }
  return { quoted: parts.map((part) => `"${part}"`).join('.'), bare: parts[parts.length - 1]! }
}

function isQueryable(client: unknown): client is PostgresQueryable {
  return typeof client === 'object' && client !== null && typeof (client as { query?: unknown }).query === 'function'
}

/**
 * The SQL that creates the store's table and its index on `expires_at`, as
 * two statements.
 *
 * @example
 * ```ts
 * console.log(createTableSql({ table: 'app.idempotency' }).join(';\n'))
 * ```
 */
export function createTableSql(options: PostgresStoreOptions = {}): [table: string, index: string] {
  checkOptions('createTableSql', options, ['table'])
  const { quoted, bare } = tableOf('createTableSql', options.table)
  return [
    `CREATE TABLE IF NOT EXISTS ${quoted} (key text PRIMARY KEY, status text NOT NULL, expires_at bigint NOT NULL, payload_hash text NOT NULL, owner text NOT NULL, result text)`,
    `CREATE INDEX IF NOT EXISTS "${bare}_expires_at" ON ${quoted} (expires_at)`,
  ]
}

/**
 * Creates the store's table and index if they do not exist (a migration
 * tool is the better home for them in production).
 *
 * @example
 * ```ts
 * await createTable(pool)
 * ```
 */
export async function createTable(client: PostgresQueryable, options: PostgresStoreOptions = {}): Promise<void> {
  if (!isQueryable(client)) throw new ConfigurationError('createTable: client must have query(text, params)')
  for (const statement of createTableSql(options)) await client.query(statement, [])
}

/**
 * Deletes the records dead at `now` (epoch ms; default the current time) and
 * says how many. Run it from a scheduled job: claims reuse dead rows, but
 * keys never seen again stay until this.
 *
 * @example
 * ```ts
 * const removed = await deleteExpired(pool)
 * ```
 */
export async function deleteExpired(client: PostgresQueryable, options: PostgresStoreOptions & { now?: number } = {}): Promise<number> {
  checkOptions('deleteExpired', options, ['table', 'now'])
  if (!isQueryable(client)) throw new ConfigurationError('deleteExpired: client must have query(text, params)')
  const { quoted } = tableOf('deleteExpired', options.table)
  const { rows } = await client.query(`WITH gone AS (DELETE FROM ${quoted} WHERE expires_at <= $1 RETURNING 1) SELECT count(*)::int AS n FROM gone`, [
    options.now ?? Date.now(),
  ])
  return Number((rows[0] as { n?: unknown } | undefined)?.n ?? 0)
}

/**
 * `expires_at` is a `bigint`: a fractional instant is rounded up, so a record
 * never dies before its time (nor, with `now` rounded down, is it judged dead early).
 */
const ms = (t: number) => Math.ceil(t)

interface Row {
  claimed?: unknown
  status?: unknown
  expires_at?: unknown
  payload_hash?: unknown
  owner?: unknown
  result?: unknown
}

/**
 * Creates a PostgreSQL store on your pool (or PGlite instance).
 *
 * @example
 * ```ts
 * import { PGlite } from '@electric-sql/pglite'
 * import { createTable, postgresStore } from 'faasade/idempotency/postgres'
 *
 * const db = await PGlite.create()
 * await createTable(db)
 * const store = postgresStore(db)
 * ```
 */
export function postgresStore(client: PostgresQueryable, options: PostgresStoreOptions = {}): IdempotencyStore {
  checkOptions('postgresStore', options, ['table'])
  if (!isQueryable(client)) throw new ConfigurationError('postgresStore: client must be a pg Pool or Client, PGlite, or anything with query(text, params)')
  const t = tableOf('postgresStore', options.table).quoted
  const name = 'postgres'

  const sql = {
    claim:
      `WITH claimed AS (INSERT INTO ${t} AS r (key, status, expires_at, payload_hash, owner, result) VALUES ($1, $2, $3, $4, $5, NULL) ` +
      `ON CONFLICT (key) DO UPDATE SET status = EXCLUDED.status, expires_at = EXCLUDED.expires_at, payload_hash = EXCLUDED.payload_hash, owner = EXCLUDED.owner, result = NULL ` +
      `WHERE r.expires_at <= $6 RETURNING 1) ` +
      `SELECT true AS claimed, NULL::text AS status, NULL::bigint AS expires_at, NULL::text AS payload_hash, NULL::text AS owner, NULL::text AS result FROM claimed ` +
      `UNION ALL SELECT false, status, expires_at, payload_hash, owner, result FROM ${t} WHERE key = $1 AND NOT EXISTS (SELECT 1 FROM claimed)`,
    complete: `UPDATE ${t} SET status = $2, expires_at = $3, payload_hash = $4, result = $5 WHERE key = $1 AND owner = $6 AND status = 'INPROGRESS'`,
    get: `SELECT status, expires_at, payload_hash, owner, result FROM ${t} WHERE key = $1`,
    release: `DELETE FROM ${t} WHERE key = $1 AND owner = $2`,
  }

  const query = async (operation: StoreOperation, key: string, params: unknown[]): Promise<Row[]> => {
    try {
      return (await client.query(sql[operation], params)).rows as Row[]
    } catch (error) {
      throw storeFailure(name, operation, key, error)
    }
  }

  const fromRow = (operation: StoreOperation, key: string, row: Row | undefined): IdempotencyRecord | undefined =>
    row === undefined
      ? undefined
      : toRecord(name, operation, key, { status: row.status, expiresAt: row.expires_at, payloadHash: row.payload_hash, owner: row.owner, result: row.result })

  return {
    name,
    async claim(record, now): Promise<ClaimResult> {
      const rows = await query('claim', record.key, [record.key, record.status, ms(record.expiresAt), record.payloadHash, record.owner, Math.floor(now)])
      const row = rows[0]
      if (row?.claimed === true) return { claimed: true }
      return { claimed: false, existing: fromRow('claim', record.key, row) }
    },
    async complete(record) {
      await query('complete', record.key, [record.key, record.status, ms(record.expiresAt), record.payloadHash, record.result ?? null, record.owner])
    },
    async get(key) {
      return fromRow('get', key, (await query('get', key, [key]))[0])
    },
    async release(key, owner) {
      await query('release', key, [key, owner])
    },
  }
}
