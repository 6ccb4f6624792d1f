/**
 * Store round trips per delivery, counted where the requests land: Redis's
 * own command statistics, an HTTP proxy in front of dynalite, and for the
 * stores with an in-process client (PGlite, azurite's TableClient with no
 * retries, a D1 binding) a count of the client calls, each one request.
 *
 * Three deliveries of one event: the first; a duplicate reaching another
 * instance (no local cache: ours `cache: false`, Powertools
 * `useLocalCache: false`); a duplicate reaching the first instance again
 * (ours: the default cache; Powertools: `useLocalCache: true`).
 */
import { randomUUID } from 'node:crypto'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { countingDynamoProxy, root, spawnReady, freePort } from './support.mjs'

const require = createRequire(join(root, 'package.json'))
const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='

/**
 * Requests clients sent Redis since the last call, from MONITOR. Commands a
 * Lua script runs inside the server are not requests: MONITOR tags them
 * "lua", and they are left out.
 */
async function redisCounter(monitor) {
  let seen = []
  monitor.on('monitor', (_time, args, source) => {
    if (source !== 'lua') seen.push(String(args[0]).toLowerCase())
  })
  return async () => {
    // MONITOR reports asynchronously: give the last command time to arrive.
    await new Promise((resolve) => setTimeout(resolve, 30))
    const taken = seen
    seen = []
    return taken.length
  }
}

export async function roundTrips({ dist, redisUrl, dynamo }) {
  const load = (file) => import(pathToFileURL(join(dist, file)).href)
  const core = await load('index.js')
  const { idempotent } = await load('idempotency.js')
  const rows = []

  /** Our three deliveries through a store; `count` returns the requests since its last call. */
  const ours = async (name, store, count) => {
    const use = (cache) => core.defineHandler({ name: 'round-trips', use: [idempotent({ store, cache })], handle: async () => ({ ok: true }) })
    const [warm, cold] = [use(true), use(false)]
    const event = core.createEvent({ id: randomUUID(), source: '/bench', type: 'bench', data: { n: 1 } })
    const deliver = async (handler) => {
      await count()
      await handler.run(event, core.createContext({ provider: { name: 'bench', raw: null } }))
      return count()
    }
    // A delivery of another event first: one-time work (a script load, a connection) is not counted.
    await warm.run(core.createEvent({ id: randomUUID(), source: '/bench', type: 'bench', data: {} }), core.createContext({ provider: { name: 'bench', raw: null } }))
    rows.push({ name, first: await deliver(warm), duplicate: await deliver(cold), cached: await deliver(warm) })
  }

  const powertools = async (name, persistenceStore, count) => {
    const { makeIdempotent, IdempotencyConfig } = await import('@aws-lambda-powertools/idempotency')
    // One persistence layer per function: a shared one takes the settings of the last makeIdempotent
    // that configured it (powertools-lambda-typescript#5409), so the cached one would cache for both.
    const fn = (useLocalCache) => {
      const config = new IdempotencyConfig({ eventKeyJmesPath: 'id', useLocalCache })
      config.registerLambdaContext({ getRemainingTimeInMillis: () => 30_000 })
      return makeIdempotent(async () => ({ ok: true }), { persistenceStore: persistenceStore(), config })
    }
    const [warm, cold] = [fn(true), fn(false)]
    const event = { id: randomUUID(), source: 'bench', 'detail-type': 'bench', detail: { n: 1 } }
    const deliver = async (f) => {
      await count()
      await f(event)
      return count()
    }
    await warm({ ...event, id: randomUUID() })
    rows.push({ name, first: await deliver(warm), duplicate: await deliver(cold), cached: await deliver(warm) })
  }

  // Redis
  if (redisUrl) {
    const { createClient } = await import('redis')
    const { Redis } = await import('ioredis')
    const client = createClient({ url: redisUrl })
    const io = new Redis(redisUrl)
    const watcher = new Redis(redisUrl)
    const monitor = await watcher.monitor()
    await client.connect()
    const count = await redisCounter(monitor)
    const { redisStore } = await load('idempotency-redis.js')
    await ours('faasade redisStore (ioredis)', redisStore(io), count)
    await ours('faasade redisStore (node-redis)', redisStore(client), count)
    const { CachePersistenceLayer } = await import('@aws-lambda-powertools/idempotency/cache')
    await powertools('Powertools CachePersistenceLayer (node-redis)', () => new CachePersistenceLayer({ client }), count)
    io.disconnect()
    monitor.disconnect()
    watcher.disconnect()
    await client.close()
  }

  // DynamoDB, through a counting proxy: as dynalite answers, and as DynamoDB does (ALL_OLD on a failed condition).
  const { dynamoDbStore } = await load('idempotency-dynamodb.js')
  const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb')
  const { DynamoDBPersistenceLayer } = await import('@aws-lambda-powertools/idempotency/dynamodb')
  for (const allOld of [false, true]) {
    const proxy = await countingDynamoProxy(dynamo.endpoint, { allOld })
    const count = async () => proxy.take().length
    const suffix = allOld ? ' — old item returned, as DynamoDB does' : ' — dynalite'
    const credentials = { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' }
    await ours(`faasade dynamoDbStore${suffix}`, dynamoDbStore({ table: 'faasade-idempotency', endpoint: proxy.endpoint, region: 'us-east-1', credentials }), count)
    const sdk = new DynamoDBClient({ endpoint: proxy.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 })
    await powertools(`Powertools DynamoDBPersistenceLayer${suffix}`, () => new DynamoDBPersistenceLayer({ tableName: 'powertools-idempotency', awsSdkV3Client: sdk }), count)
    sdk.destroy()
    await proxy.close()
  }

  // PostgreSQL on PGlite: one query, one round trip.
  {
    const { PGlite } = await import('@electric-sql/pglite')
    const { createTable, postgresStore } = await load('idempotency-postgres.js')
    const db = await PGlite.create()
    await createTable(db)
    let n = 0
    const take = async () => [n, (n = 0)][0]
    const counting = { query: (text, params) => (n++, db.query(text, params)) }
    await ours('faasade postgresStore (PGlite)', postgresStore(counting), take)
    await db.close()
  }

  // Azure Table on azurite: each TableClient call is one request (no retries).
  {
    const { TableClient } = await import('@azure/data-tables')
    const { azureTableStore } = await load('idempotency-azure-table.js')
    const port = await freePort()
    const { child } = await spawnReady(
      process.execPath,
      [require.resolve('azurite/dist/src/table/main.js'), '--tableHost', '127.0.0.1', '--tablePort', String(port), '--inMemoryPersistence', '--disableTelemetry', '--silent'],
      /successfully started/,
    )
    const table = TableClient.fromConnectionString(
      `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${AZURITE_KEY};TableEndpoint=http://127.0.0.1:${port}/devstoreaccount1;`,
      'idempotency',
      { allowInsecureConnection: true, retryOptions: { maxRetries: 0 } },
    )
    await table.createTable()
    let n = 0
    const take = async () => [n, (n = 0)][0]
    const counted = (f) => (...args) => (n++, f.apply(table, args))
    const client = { createEntity: counted(table.createEntity), getEntity: counted(table.getEntity), updateEntity: counted(table.updateEntity), deleteEntity: counted(table.deleteEntity) }
    await ours('faasade azureTableStore (azurite)', azureTableStore(client), take)
    await new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGINT')))
  }

  // D1 in Miniflare: each run() or batch() is one request to the database.
  {
    const { Miniflare } = await import('miniflare')
    const { d1CreateTableSql, d1Store } = await load('idempotency-d1.js')
    const mf = new Miniflare({ modules: true, script: 'export default { fetch: () => new Response() }', compatibilityDate: '2026-04-01', d1Databases: { DB: 'bench' } })
    const db = await mf.getD1Database('DB')
    await db.batch(d1CreateTableSql().map((sql) => db.prepare(sql)))
    let n = 0
    const take = async () => [n, (n = 0)][0]
    const wrap = (statement) => ({ bind: (...values) => wrap(statement.bind(...values)), run: () => (n++, statement.run()), inner: statement })
    const counting = { prepare: (sql) => wrap(db.prepare(sql)), batch: (statements) => (n++, db.batch(statements.map((s) => s.inner))) }
    await ours('faasade d1Store (Miniflare)', d1Store(counting), take)
    await mf.dispose()
  }

  return rows
}
