/**
 * `faasade/idempotency/d1`: idempotency records in Cloudflare D1, from a
 * Worker's D1 binding. Nothing is imported: the binding is all it needs.
 *
 * Why D1 and not a Durable Object, and never Workers KV:
 *
 * - KV is eventually consistent (a write can take 60 s to be seen
 *   elsewhere) and has no conditional write: two deliveries can both "claim"
 *   a key. It cannot make anything idempotent.
 * - A Durable Object could hold claims (one object per key, strongly
 *   consistent, near its first caller). But a library cannot ship one: you
 *   would export its class from your Worker and add a binding and a
 *   migration, and its atomicity rests on input gates that one awaited
 *   `fetch` or timer between read and write silently opens (in miniflare,
 *   10 concurrent claims then got 10 winners; `blockConcurrencyWhile`,
 *   `storage.transaction` or its SQLite storage is needed).
 * - D1 is a binding and a table. The claim is one SQL upsert whose `WHERE`
 *   is the condition, atomic by construction (10 concurrent claims: 1
 *   winner). Its cost is place: a database has one primary, so a claim from
 *   far away pays the trip to it. Do not read through a replica session
 *   (`withSession` other than `'first-primary'`): a stale read can miss a
 *   claim.
 *
 * Round trips: `claim` is one `batch` (one request, one transaction): the
 * `INSERT … ON CONFLICT (key) DO UPDATE … WHERE expires_at <= ?now
 * RETURNING`, then a `SELECT` of the row, which is the live record when the
 * insert did nothing. `complete` and `release` are an `UPDATE` / `DELETE`
 * conditional on the owner, `get` a `SELECT`.
 *
 * The table ({@link d1CreateTableSql}); dead rows stay until a claim takes
 * their key over or {@link deleteExpired} removes them (from a Cron Trigger):
 *
 * ```sql
 * CREATE TABLE IF NOT EXISTS idempotency (key TEXT PRIMARY KEY, status TEXT NOT NULL, expires_at INTEGER NOT NULL,
 *   payload_hash TEXT NOT NULL, owner TEXT NOT NULL, result TEXT);
 * CREATE INDEX IF NOT EXISTS idempotency_expires_at ON idempotency (expires_at);
 * ```
 *
 * @example
 * ```ts
 * import { workerEnv } from 'faasade/cloudflare-workers'
 * import { idempotent } from 'faasade/idempotency'
 * import { d1Store } from 'faasade/idempotency/d1'
 *
 * // wrangler.toml: [[d1_databases]] binding = "IDEMPOTENCY" …
 * // the binding comes with each invocation; one store per isolate:
 * const store = d1Store((ctx) => workerEnv<{ IDEMPOTENCY: D1Database }>(ctx).IDEMPOTENCY)
 * export const orderPlaced = defineHandler({ use: [idempotent({ store })], handle })
 * ```
 */
import type { Context } from '../../context.js'
import { ConfigurationError, DeploymentError } from '../../errors.js'
import type { StoreFactory } from '../per-invocation.js'
import { checkOptions } from '../../middleware.js'
import type { StoreOperation } from '../errors.js'
import type { ClaimResult, IdempotencyRecord, IdempotencyStore } from '../store.js'
import { storeFailure } from './internal/failure.js'
import { toRecord } from './internal/record.js'

/** The part of a D1 prepared statement used here. */
export interface D1StatementLike {
  /** The statement with its `?1`, `?2`, … parameters bound to `values`, in order. */
  bind(...values: unknown[]): D1StatementLike
  /** Runs the statement; `results` holds the rows a `RETURNING` clause gave back. */
  run(): Promise<{ results?: unknown[] }>
}

/** The part of a `D1Database` binding used here. */
export interface D1DatabaseLike {
  /** Prepares one SQL statement, to bind and run. */
  prepare(query: string): D1StatementLike
  /** Runs statements in one round trip, as one transaction, and returns each one's result. */
  batch(statements: D1StatementLike[]): Promise<{ results?: unknown[] }[]>
}

/** What {@link d1Store}, {@link d1CreateTableSql} and {@link deleteExpired} take: the table's name. */
export interface D1StoreOptions {
  /** The table. Letters, digits and `_` only. @defaultValue `'idempotency'` */
  table?: string
}

// SQLite's words for a missing table, as D1 passes them on.
const NO_TABLE = /no such table/i

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/

function tableOf(owner: string, table: unknown): string {
  const name = table ?? 'idempotency'
  if (typeof name !== 'string' || !IDENTIFIER.test(name)) {
    throw new ConfigurationError(`${owner}: table must be a name of letters, digits and _ (got ${JSON.stringify(name)})`)
  }
  return name
}

function isD1(db: unknown): db is D1DatabaseLike {
  return typeof db === 'object' && db !== null && typeof (db as D1DatabaseLike).prepare === 'function' && typeof (db as D1DatabaseLike).batch === 'function'
}

/**
 * The SQL that creates the table and its index on `expires_at`, as two
 * statements (for a migration file, or `db.batch`).
 *
 * @example
 * ```ts
 * await env.DB.batch(d1CreateTableSql().map((sql) => env.DB.prepare(sql)))
 * ```
 */
export function d1CreateTableSql(options: D1StoreOptions = {}): [table: string, index: string] {
  checkOptions('d1CreateTableSql', options, ['table'])
  const t = tableOf('d1CreateTableSql', options.table)
  return [
    `CREATE TABLE IF NOT EXISTS "${t}" (key TEXT PRIMARY KEY, status TEXT NOT NULL, expires_at INTEGER NOT NULL, payload_hash TEXT NOT NULL, owner TEXT NOT NULL, result TEXT)`,
    `CREATE INDEX IF NOT EXISTS "${t}_expires_at" ON "${t}" (expires_at)`,
  ]
}

/**
 * Deletes the records dead at `now` (epoch ms; default the current time) and
 * says how many. Run it from a Cron Trigger.
 *
 * @example
 * ```ts
 * export default { async scheduled(_, env) { await deleteExpired(env.DB) } }
 * ```
 */
export async function deleteExpired(db: D1DatabaseLike, options: D1StoreOptions & { now?: number } = {}): Promise<number> {
  checkOptions('deleteExpired', options, ['table', 'now'])
  if (!isD1(db)) throw new ConfigurationError('deleteExpired: db must be a D1 database binding')
  const t = tableOf('deleteExpired', options.table)
  const { results } = await db.prepare(`DELETE FROM "${t}" WHERE expires_at <= ?1 RETURNING 1`).bind(options.now ?? Date.now()).run()
  return results?.length ?? 0
}

interface Row {
  status?: unknown
  expires_at?: unknown
  payload_hash?: unknown
  owner?: unknown
  result?: unknown
}

/**
 * Creates a D1 store on a database binding, or, given a function of the
 * invocation's context, a store factory for `idempotent({ store })` that
 * finds the binding on each invocation (Workers hand `env` to invocations,
 * not to the module) and keeps one store per binding object, so one for
 * the isolate.
 *
 * A table that does not exist is a `DeploymentError` naming it and the SQL
 * that creates it, not a store fault: retried (the event waits for the fix),
 * never run without idempotency.
 *
 * @example
 * ```ts
 * import { workerEnv } from 'faasade/cloudflare-workers'
 * const store = d1Store((ctx) => workerEnv<{ IDEMPOTENCY: D1Database }>(ctx).IDEMPOTENCY)
 * // or, where the binding is known at module scope:
 * const fixed = d1Store(env.IDEMPOTENCY, { table: 'idempotency' })
 * ```
 */
export function d1Store(db: D1DatabaseLike, options?: D1StoreOptions): IdempotencyStore
export function d1Store(db: (ctx: Context) => D1DatabaseLike, options?: D1StoreOptions): StoreFactory
export function d1Store(db: D1DatabaseLike | ((ctx: Context) => D1DatabaseLike), options: D1StoreOptions = {}): IdempotencyStore | StoreFactory {
  checkOptions('d1Store', options, ['table'])
  tableOf('d1Store', options.table)
  if (typeof db === 'function') {
    const find = db
    const stores = new WeakMap<D1DatabaseLike, IdempotencyStore>()
    return {
      kind: 'faasade.store-factory',
      name: 'd1',
      resolve(ctx) {
        const binding = find(ctx)
        if (!isD1(binding)) {
          throw new DeploymentError(`d1Store: the function given found no D1 binding for this invocation (got ${binding === null ? 'null' : typeof binding}): check the [[d1_databases]] binding in wrangler.toml`)
        }
        let store = stores.get(binding)
        if (store === undefined) stores.set(binding, (store = d1Store(binding, options)))
        return store
      },
    }
  }
  if (!isD1(db)) throw new ConfigurationError('d1Store: db must be a D1 database binding (env.YOUR_BINDING), or a function of the invocation context returning one')
  const table = tableOf('d1Store', options.table)
  const t = `"${table}"`
  const name = 'd1'

  const sql = {
    claim:
      `INSERT INTO ${t} (key, status, expires_at, payload_hash, owner, result) VALUES (?1, ?2, ?3, ?4, ?5, NULL) ` +
      `ON CONFLICT (key) DO UPDATE SET status = excluded.status, expires_at = excluded.expires_at, payload_hash = excluded.payload_hash, owner = excluded.owner, result = NULL ` +
      `WHERE ${t}.expires_at <= ?6 RETURNING 1 AS claimed`,
    get: `SELECT status, expires_at, payload_hash, owner, result FROM ${t} WHERE key = ?1`,
    complete: `UPDATE ${t} SET status = ?2, expires_at = ?3, payload_hash = ?4, result = ?5 WHERE key = ?1 AND owner = ?6 AND status = 'INPROGRESS'`,
    release: `DELETE FROM ${t} WHERE key = ?1 AND owner = ?2`,
  }

  const fromRow = (operation: StoreOperation, key: string, row: unknown): IdempotencyRecord | undefined => {
    if (row === undefined || row === null) return undefined
    const r = row as Row
    return toRecord(name, operation, key, { status: r.status, expiresAt: r.expires_at, payloadHash: r.payload_hash, owner: r.owner, result: r.result })
  }

  const attempt = async <T>(operation: StoreOperation, key: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run()
    } catch (error) {
      if (NO_TABLE.test(String((error as Error)?.message))) {
        throw new DeploymentError(
          `d1Store: the table "${table}" does not exist in this D1 database. Create it with the SQL of d1CreateTableSql(${table === 'idempotency' ? '' : `{ table: '${table}' }`}) ` +
            '(in a migration: wrangler d1 migrations create …), then redeploy; until then every event is retried.',
          { cause: error },
        )
      }
      throw storeFailure(name, operation, key, error)
    }
  }

  return {
    name,
    async claim(record, now): Promise<ClaimResult> {
      const [claimed, held] = await attempt('claim', record.key, () =>
        db.batch([
          db.prepare(sql.claim).bind(record.key, record.status, record.expiresAt, record.payloadHash, record.owner, now),
          db.prepare(sql.get).bind(record.key),
        ]),
      )
      if ((claimed?.results?.length ?? 0) > 0) return { claimed: true }
      return { claimed: false, existing: fromRow('claim', record.key, held?.results?.[0]) }
    },
    async complete(record) {
      await attempt('complete', record.key, () =>
        db
          .prepare(sql.complete)
          .bind(record.key, record.status, record.expiresAt, record.payloadHash, record.result ?? null, record.owner)
          .run(),
      )
    },
    async get(key) {
      const { results } = await attempt('get', key, () => db.prepare(sql.get).bind(key).run())
      return fromRow('get', key, results?.[0])
    },
    async release(key, owner) {
      await attempt('release', key, () => db.prepare(sql.release).bind(key, owner).run())
    },
  }
}
