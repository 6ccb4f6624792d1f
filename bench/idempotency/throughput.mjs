/**
 * Deliveries per second, ours and Powertools' side by side in one process,
 * one delivery at a time (each awaited before the next). Variants of a group
 * run in batches of about BATCH_MS, interleaved in an order that rotates
 * every round, after a warm-up; figures are medians over the rounds.
 *
 * - In memory: an EventBridge event made idempotent. Ours: the event mapped
 *   to a CloudEvent (as an adapter does), a context, `idempotent()` on
 *   `memoryStore()`. Powertools: `makeIdempotent` on a `CachePersistenceLayer`
 *   whose client is an in-process map (Powertools has no in-memory layer;
 *   this is its cache-backed layer with the network taken out).
 * - Redis and DynamoDB: the same server for both (redis-server; dynalite in
 *   its own process). Local caches off on both sides, so every delivery
 *   reaches the store.
 *
 * "First" deliveries carry a new event id each; "duplicate" deliveries
 * repeat one event that has completed.
 */
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { median } from './support.mjs'

const BATCH_MS = Number(process.env.BENCH_BATCH_MS ?? 250)
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 500)

/** A Redis-like client over a Map, as Powertools' CachePersistenceLayer calls it (get, set with NX/EX, del). */
export function mapCacheClient() {
  const map = new Map()
  const live = (key) => {
    const entry = map.get(key)
    if (entry && entry.until <= Date.now()) map.delete(key)
    return map.get(key)
  }
  return {
    async get(key) {
      return live(key)?.value ?? null
    },
    async set(key, value, options = {}) {
      if (options.NX && live(key)) return null
      map.set(key, { value, until: options.EX ? Date.now() + options.EX * 1000 : Infinity })
      return 'OK'
    },
    async del(keys) {
      let n = 0
      for (const key of keys) n += map.delete(key) ? 1 : 0
      return n
    },
  }
}

export function eventBridge(id) {
  return {
    version: '0',
    id,
    'detail-type': 'Order Placed',
    source: 'com.example.orders',
    account: '123456789012',
    time: '2026-11-24T08:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail: { orderId: 'A1', amount: 5, items: [{ sku: 'X', qty: 2 }] },
  }
}

/** Runs `op` back to back for about `ms`; returns ops/s. */
async function batch(op, ms) {
  let n = 0
  const start = performance.now()
  const until = start + ms
  do {
    await op()
    n++
  } while (performance.now() < until)
  return (n * 1000) / (performance.now() - start)
}

async function group(variants, rounds) {
  const names = Object.keys(variants)
  for (const name of names) await batch(variants[name], WARMUP_MS)
  const samples = Object.fromEntries(names.map((n) => [n, []]))
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + r) % names.length]
      samples[name].push(await batch(variants[name], BATCH_MS))
    }
  }
  return Object.fromEntries(names.map((n) => [n, median(samples[n])]))
}

export async function throughput({ dist, redisUrl, dynamo, rounds, only = ['memory', 'redis', 'dynamodb'] }) {
  const load = (file) => import(pathToFileURL(join(dist, file)).href)
  const core = await load('index.js')
  const { idempotent, memoryStore } = await load('idempotency.js')
  const { makeIdempotent, IdempotencyConfig } = await import('@aws-lambda-powertools/idempotency')
  const { CachePersistenceLayer } = await import('@aws-lambda-powertools/idempotency/cache')
  const provider = { name: 'bench', raw: null }

  /** Our delivery of an EventBridge event: map, context, run. */
  const oursOn = (store, cache) => {
    const handler = core.defineHandler({ name: 'orders', use: [idempotent({ store, cache })], handle: async (event) => ({ charged: event.data.orderId }) })
    return (eb) =>
      handler.run(
        core.createEvent({ id: eb.id, source: eb.source, type: eb['detail-type'], time: eb.time, data: eb.detail }),
        core.createContext({ provider }),
      )
  }
  const theirsOn = (persistenceStore, useLocalCache) => {
    const config = new IdempotencyConfig({ eventKeyJmesPath: 'id', useLocalCache })
    // As a Lambda handler would (else every call logs that the remaining time is unknown).
    config.registerLambdaContext({ getRemainingTimeInMillis: () => 30_000 })
    return makeIdempotent(async (eb) => ({ charged: eb.detail.orderId }), { persistenceStore, config })
  }

  /** first: a new event every time; duplicate: one completed event again and again. */
  const workloads = (deliver) => {
    const seen = eventBridge(randomUUID())
    let primed
    return {
      first: () => deliver(eventBridge(randomUUID())),
      duplicate: async () => {
        primed ??= deliver(seen)
        await primed
        return deliver(seen)
      },
    }
  }
  const results = {}

  // In memory
  if (only.includes('memory')) {
    const ours = workloads(oursOn(memoryStore({ maxEntries: 100_000 }), true))
    const theirs = workloads(theirsOn(new CachePersistenceLayer({ client: mapCacheClient() }), false))
    const theirsCached = workloads(theirsOn(new CachePersistenceLayer({ client: mapCacheClient() }), true))
    // What the mapping, the context and the run cost without idempotent(): the floor under ours.
    const bare = core.defineHandler({ name: 'orders', handle: async (event) => ({ charged: event.data.orderId }) })
    const baseline = () => {
      const eb = eventBridge(randomUUID())
      return bare.run(core.createEvent({ id: eb.id, source: eb.source, type: eb['detail-type'], time: eb.time, data: eb.detail }), core.createContext({ provider }))
    }
    results.memory = {
      first: await group({ faasade: ours.first, Powertools: theirs.first, 'baseline: faasade without idempotent()': baseline }, rounds),
      duplicate: await group({ faasade: ours.duplicate, Powertools: theirs.duplicate, 'Powertools (useLocalCache)': theirsCached.duplicate }, rounds),
    }
  }

  // Redis
  if (redisUrl && only.includes('redis')) {
    const { createClient } = await import('redis')
    const { Redis } = await import('ioredis')
    const { redisStore } = await load('idempotency-redis.js')
    const client = createClient({ url: redisUrl })
    await client.connect()
    const io = new Redis(redisUrl)
    const oursNode = workloads(oursOn(redisStore(client), false))
    const oursIo = workloads(oursOn(redisStore(io), false))
    const theirs = workloads(theirsOn(new CachePersistenceLayer({ client }), false))
    results.redis = {
      first: await group({ 'faasade (node-redis)': oursNode.first, 'faasade (ioredis)': oursIo.first, 'Powertools (node-redis)': theirs.first }, rounds),
      duplicate: await group({ 'faasade (node-redis)': oursNode.duplicate, 'faasade (ioredis)': oursIo.duplicate, 'Powertools (node-redis)': theirs.duplicate }, rounds),
    }
    io.disconnect()
    await client.close()
  }

  // DynamoDB (dynalite)
  if (only.includes('dynamodb')) {
    const { dynamoDbStore } = await load('idempotency-dynamodb.js')
    const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb')
    const { DynamoDBPersistenceLayer } = await import('@aws-lambda-powertools/idempotency/dynamodb')
    const credentials = { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' }
    const sdk = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 })
    const direct = { table: 'faasade-idempotency', endpoint: dynamo.endpoint, region: 'us-east-1', credentials }
    const oursNode = workloads(oursOn(dynamoDbStore({ ...direct, transport: 'node' }), false))
    const oursFetch = workloads(oursOn(dynamoDbStore({ ...direct, transport: 'fetch' }), false))
    const oursSdk = workloads(oursOn(dynamoDbStore({ table: 'faasade-idempotency', client: sdk }), false))
    const theirs = workloads(theirsOn(new DynamoDBPersistenceLayer({ tableName: 'powertools-idempotency', awsSdkV3Client: sdk }), false))
    const variants = (kind) => ({
      'faasade (node transport)': oursNode[kind],
      'faasade (fetch transport)': oursFetch[kind],
      'faasade (SDK client)': oursSdk[kind],
      Powertools: theirs[kind],
    })
    results.dynamodb = { first: await group(variants('first'), rounds), duplicate: await group(variants('duplicate'), rounds) }
    sdk.destroy()
  }

  return results
}
