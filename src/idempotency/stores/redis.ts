/**
 * `faasade/idempotency/redis`: idempotency records in Redis, through the
 * client you already have: `ioredis` (5 or 6) or `redis` (node-redis 4 to 6),
 * told apart by shape. Nothing is imported from either.
 *
 * Each record is a hash (`s` status, `e` expiresAt, `h` payload hash, `o`
 * owner, `r` result) that Redis itself deletes at `expiresAt` (PEXPIREAT, the
 * record's own instant, nothing added). Every primitive is one round trip:
 *
 * - `claim`: one Lua script writes the record if the key is absent or its
 *   `expiresAt` is past the caller's `now`, and otherwise returns the live
 *   record, so a duplicate learns what it is in the same round trip. (A bare
 *   `SET NX PX` would need a second read for that, and could not take over a
 *   record the caller's clock says is dead before Redis's does.)
 * - `complete`, `release`: Lua compare-and-set / compare-and-delete on the
 *   owner (Redis 7.0 has no `SET … IFEQ`).
 * - `get`: `HGETALL`.
 *
 * Scripts go by `EVALSHA`; the first call of each on a store object is an
 * `EVAL`, which loads it, and a server that lost its script cache (restart,
 * `SCRIPT FLUSH`) gets an `EVAL` again.
 *
 * Clocks: the claim compares the record's `expiresAt` with the `now` it is
 * given, and Redis drops the key at `expiresAt` by its own clock; with the
 * clocks apart by d ms, a record can vanish up to d ms early.
 *
 * For a client that should fail fast while Redis is down, instead of queueing
 * commands: ioredis `{ lazyConnect: true, maxRetriesPerRequest: 1,
 * enableOfflineQueue: false }` and `await redis.connect()`; node-redis
 * `{ disableOfflineQueue: true }` and an `on('error')` listener (without one,
 * a lost connection crashes the process).
 *
 * @example
 * ```ts
 * import Redis from 'ioredis'
 * import { idempotent } from 'faasade/idempotency'
 * import { redisStore } from 'faasade/idempotency/redis'
 *
 * const redis = new Redis(process.env.REDIS_URL!, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false })
 * const store = redisStore(redis)
 * export const orderPlaced = defineHandler({ use: [idempotent({ store })], handle })
 * ```
 */
import { ConfigurationError } from '../../errors.js'
import { checkOptions } from '../../middleware.js'
import type { StoreOperation } from '../errors.js'
import type { ClaimResult, IdempotencyRecord, IdempotencyStore } from '../store.js'
import { storeFailure } from './internal/failure.js'
import { toRecord } from './internal/record.js'

/** The part of an `ioredis` client (or cluster) used here. */
export interface IoRedisLike {
  eval(script: string, numKeys: number, ...keysAndArgs: string[]): Promise<unknown>
  evalsha(sha: string, numKeys: number, ...keysAndArgs: string[]): Promise<unknown>
  hgetall(key: string): Promise<Record<string, string>>
}

/** The part of a `redis` (node-redis 4+) client (or cluster) used here. */
export interface NodeRedisLike {
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>
  evalSha(sha: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>
  hGetAll(key: string): Promise<unknown>
}

/** A connected `ioredis` or `redis` client. */
export type RedisClientLike = IoRedisLike | NodeRedisLike

export interface RedisStoreOptions {
  /**
   * Put before every key, to keep records apart from other data in one
   * database. Keys are already namespaced by handler name.
   * @defaultValue `'idempotency:'`
   */
  prefix?: string
}

// s: status, e: expiresAt (epoch ms), h: payload hash, o: owner, r: result.
// Numbers travel as decimal strings; Lua's doubles hold epoch ms exactly.
// `e` keeps the instant as given; the key's own expiry is it rounded up to
// whole ms (PEXPIREAT takes an integer), so Redis never drops it early.

/** KEYS[1]; ARGV: now, expiresAt, status, payloadHash, owner, expiresAt in whole ms. Returns nil when claimed, else the live record as HGETALL. */
const CLAIM = `local e = redis.call('HGET', KEYS[1], 'e')
if e then
  if tonumber(e) > tonumber(ARGV[1]) then return redis.call('HGETALL', KEYS[1]) end
  redis.call('DEL', KEYS[1])
end
redis.call('HSET', KEYS[1], 's', ARGV[3], 'e', ARGV[2], 'h', ARGV[4], 'o', ARGV[5])
redis.call('PEXPIREAT', KEYS[1], ARGV[6])
return false`

/** KEYS[1]; ARGV: owner, expiresAt, status, payloadHash, expiresAt in whole ms, hasResult ('1'/'0'), result. Returns 1 if replaced. */
// An INPROGRESS record has no result field (a claim writes none), so the
// fields are overwritten in place, the owner's unchanged.
const COMPLETE = `local held = redis.call('HMGET', KEYS[1], 'o', 's')
if held[1] ~= ARGV[1] or held[2] ~= 'INPROGRESS' then return 0 end
if ARGV[6] == '1' then
  redis.call('HSET', KEYS[1], 's', ARGV[3], 'e', ARGV[2], 'h', ARGV[4], 'r', ARGV[7])
else
  redis.call('HSET', KEYS[1], 's', ARGV[3], 'e', ARGV[2], 'h', ARGV[4])
end
redis.call('PEXPIREAT', KEYS[1], ARGV[5])
return 1`

/** KEYS[1]; ARGV: owner. Returns the number of keys deleted. */
const RELEASE = `if redis.call('HGET', KEYS[1], 'o') == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`

type Script = typeof CLAIM | typeof COMPLETE | typeof RELEASE

function isNodeRedis(client: RedisClientLike): client is NodeRedisLike {
  return typeof (client as Partial<NodeRedisLike>).evalSha === 'function'
}

/**
 * A node-redis client's raw `sendCommand(args)`, when it has one of that
 * shape (a cluster's takes the routing key first): it skips the option
 * parsing of `evalSha`, a few µs a call, which is most of what separates one
 * EVALSHA from one SET.
 */
function rawSender(client: NodeRedisLike): ((args: string[]) => Promise<unknown>) | undefined {
  const c = client as NodeRedisLike & { sendCommand?: unknown; masters?: unknown }
  if (typeof c.sendCommand !== 'function' || 'masters' in c) return undefined
  const send = c.sendCommand as (args: string[]) => Promise<unknown>
  return (args) => send.call(client, args)
}

function isRedisClient(client: unknown): client is RedisClientLike {
  if (typeof client !== 'object' || client === null) return false
  const c = client as Record<string, unknown>
  if (typeof c.eval !== 'function') return false
  return (typeof c.evalSha === 'function' && typeof c.hGetAll === 'function') || (typeof c.evalsha === 'function' && typeof c.hgetall === 'function')
}

async function sha1Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-1', new TextEncoder().encode(text))
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('')
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT')
}

/** A field map from `HGETALL` (object or, with RESP3 type mapping, a Map) or from a script (flat array). */
function fieldsOf(reply: unknown): Record<string, unknown> | undefined {
  if (reply === null || reply === undefined) return undefined
  if (Array.isArray(reply)) {
    const fields: Record<string, unknown> = {}
    for (let i = 0; i + 1 < reply.length; i += 2) fields[String(reply[i])] = toText(reply[i + 1])
    return fields
  }
  if (reply instanceof Map) return Object.fromEntries([...reply].map(([k, v]) => [String(k), toText(v)]))
  if (typeof reply === 'object') return Object.fromEntries(Object.entries(reply).map(([k, v]) => [k, toText(v)]))
  return undefined
}

function toText(value: unknown): unknown {
  return value instanceof Uint8Array ? new TextDecoder().decode(value) : value
}

/**
 * Creates a Redis store on your connected client.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis'
 * import { redisStore } from 'faasade/idempotency/redis'
 *
 * const redis = createClient({ url: process.env.REDIS_URL, disableOfflineQueue: true })
 * redis.on('error', (error) => console.error('redis', error))
 * await redis.connect()
 * const store = redisStore(redis, { prefix: 'orders:idem:' })
 * ```
 */
export function redisStore(client: RedisClientLike, options: RedisStoreOptions = {}): IdempotencyStore {
  checkOptions('redisStore', options, ['prefix'])
  if (!isRedisClient(client)) {
    throw new ConfigurationError('redisStore: client must be an ioredis or node-redis (redis) client')
  }
  const prefix = options.prefix ?? 'idempotency:'
  if (typeof prefix !== 'string') throw new ConfigurationError('redisStore: prefix must be a string')
  const name = 'redis'
  const node = isNodeRedis(client)
  const raw = node ? rawSender(client as NodeRedisLike) : undefined
  const shas = new Map<Script, string>()

  const send = (script: Script, sha: string | undefined, key: string, args: string[]): Promise<unknown> => {
    if (raw) return raw(sha === undefined ? ['EVAL', script, '1', key, ...args] : ['EVALSHA', sha, '1', key, ...args])
    if (isNodeRedis(client)) {
      const opts = { keys: [key], arguments: args }
      return sha === undefined ? client.eval(script, opts) : client.evalSha(sha, opts)
    }
    return sha === undefined ? client.eval(script, 1, key, ...args) : client.evalsha(sha, 1, key, ...args)
  }

  const run = async (operation: StoreOperation, script: Script, key: string, args: string[]): Promise<unknown> => {
    try {
      const sha = shas.get(script)
      if (sha === undefined) {
        // EVAL loads the script; from now on it goes by its hash.
        const reply = await send(script, undefined, prefix + key, args)
        shas.set(script, await sha1Hex(script))
        return reply
      }
      try {
        return await send(script, sha, prefix + key, args)
      } catch (error) {
        if (!isNoScript(error)) throw error
        return await send(script, undefined, prefix + key, args)
      }
    } catch (error) {
      throw storeFailure(name, operation, key, error)
    }
  }

  const read = (operation: StoreOperation, key: string, reply: unknown): IdempotencyRecord | undefined => {
    const fields = fieldsOf(reply)
    if (fields === undefined || Object.keys(fields).length === 0) return undefined
    return toRecord(name, operation, key, { status: fields.s, expiresAt: fields.e, payloadHash: fields.h, owner: fields.o, result: fields.r })
  }

  return {
    name,
    async claim(record, now): Promise<ClaimResult> {
      const reply = await run('claim', CLAIM, record.key, [
        String(now),
        String(record.expiresAt),
        record.status,
        record.payloadHash,
        record.owner,
        String(Math.ceil(record.expiresAt)),
      ])
      if (reply === null || reply === undefined) return { claimed: true }
      return { claimed: false, existing: read('claim', record.key, reply) }
    },
    async complete(record) {
      const hasResult = record.result !== undefined
      await run('complete', COMPLETE, record.key, [
        record.owner,
        String(record.expiresAt),
        record.status,
        record.payloadHash,
        String(Math.ceil(record.expiresAt)),
        hasResult ? '1' : '0',
        record.result ?? '',
      ])
    },
    async get(key) {
      let reply: unknown
      try {
        reply = raw ? await raw(['HGETALL', prefix + key]) : node ? await (client as NodeRedisLike).hGetAll(prefix + key) : await (client as IoRedisLike).hgetall(prefix + key)
      } catch (error) {
        throw storeFailure(name, 'get', key, error)
      }
      return read('get', key, reply)
    },
    async release(key, owner) {
      await run('release', RELEASE, key, [owner])
    },
  }
}
