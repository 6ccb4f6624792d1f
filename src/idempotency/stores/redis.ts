/**
 * `faasade/idempotency/redis`: idempotency records in Redis, through the
 * client you already have: `ioredis` (5 or 6) or `redis` (node-redis 4 to 6),
 * told apart by shape. Nothing is imported from either.
 *
 * Each record is one string value that Redis itself deletes at `expiresAt`
 * (PXAT / PEXPIREAT: the record's own instant, nothing added). Every
 * primitive is one round trip:
 *
 * - `claim`: `SET key record NX PXAT expiresAt GET` writes the record if the
 *   key is absent and otherwise returns the record that holds it, so a
 *   duplicate learns what it is in the same round trip, with no script.
 *   Only when that record is dead by the caller's clock but not yet by
 *   Redis's (clock skew, a fractional ms) does a second round trip take it
 *   over: a Lua compare-and-set on its owner and expiry. Redis before 7.0
 *   refuses `NX` with `GET`; there a Lua script does the same claim, found
 *   out on the first call.
 * - `complete`, `release`: Lua compare-and-set / compare-and-delete on the
 *   owner (Redis 7.0 has no `SET … IFEQ`).
 * - `get`: `GET`.
 *
 * Scripts go by `EVALSHA`; the first call of each on a store object is an
 * `EVAL`, which loads it, and a server that lost its script cache (restart,
 * `SCRIPT FLUSH`) gets an `EVAL` again.
 *
 * The value: status (`I` or `C`), the owner and the payload hash each as
 * `<length>:<text>`, `expiresAt` and `:` between them, then `-` (no result)
 * or `=` and the result's JSON text. The owner comes first, so the scripts
 * check it by prefix, without parsing.
 *
 * Clocks: the claim compares the record's `expiresAt` with the `now` it is
 * given, and Redis drops the key at `expiresAt` by its own clock; with the
 * clocks apart by d ms, a record can vanish up to d ms early.
 *
 * For a client that should fail fast while Redis is down, instead of queueing
 * commands: ioredis `{ lazyConnect: true, maxRetriesPerRequest: 1,
 * enableOfflineQueue: false }` and `await redis.connect()`; node-redis
 * `{ disableOfflineQueue: true }` and an `on('error')` listener (without one,
 * a lost connection crashes the process). Cluster clients of node-redis are
 * not supported (ioredis's `Cluster` routes these commands itself).
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
import { malformedRecord, storeFailure } from './internal/failure.js'

/** The part of an `ioredis` client (or cluster) used here. */
export interface IoRedisLike {
  /** Sends one command by name with its arguments (`SET`, `GET`, …) and resolves to Redis's reply. */
  call(command: string, ...args: string[]): Promise<unknown>
  /** Runs a Lua script (`EVAL`), which also loads it into Redis's script cache. */
  eval(script: string, numKeys: number, ...keysAndArgs: string[]): Promise<unknown>
  /** Runs a cached script by its SHA-1 (`EVALSHA`); rejects with `NOSCRIPT` when Redis no longer has it. */
  evalsha(sha: string, numKeys: number, ...keysAndArgs: string[]): Promise<unknown>
}

/** The part of a `redis` (node-redis 4+) client used here: its raw `sendCommand`. */
export interface NodeRedisLike {
  /** Sends one command, its name first (`['SET', key, value]`), and resolves to Redis's reply. */
  sendCommand(args: string[]): Promise<unknown>
}

/** A connected `ioredis` or `redis` client. */
export type RedisClientLike = IoRedisLike | NodeRedisLike

/** What {@link redisStore} takes beside the client: the prefix of its keys. */
export interface RedisStoreOptions {
  /**
   * Put before every key, to keep records apart from other data in one
   * database. Keys are already namespaced by handler name.
   * @defaultValue `'idempotency:'`
   */
  prefix?: string
}

/** Redis before 7.0: KEYS[1]; ARGV: record, expiresAt in whole ms. Returns nil when claimed, else the value that holds the key. */
const CLAIM = `local held = redis.call('GET', KEYS[1])
if held then return held end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('PEXPIREAT', KEYS[1], ARGV[2])
return false`

/** KEYS[1]; ARGV: the dead record's head (status, owner, expiresAt), record, expiresAt in whole ms. Returns nil when claimed, else what holds the key now. */
const TAKE_OVER = `local held = redis.call('GET', KEYS[1])
if held and string.sub(held, 1, #ARGV[1]) ~= ARGV[1] then return held end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('PEXPIREAT', KEYS[1], ARGV[3])
return false`

/** KEYS[1]; ARGV: 'I' and the owner as the value starts with them, record, expiresAt in whole ms. Returns 1 if replaced. */
const COMPLETE = `local held = redis.call('GET', KEYS[1])
if not held or string.sub(held, 1, #ARGV[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('PEXPIREAT', KEYS[1], ARGV[3])
return 1`

/** KEYS[1]; ARGV: the owner as the value holds it after the status. Returns the number of keys deleted. */
const RELEASE = `local held = redis.call('GET', KEYS[1])
if held and string.sub(held, 2, 1 + #ARGV[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`

type Script = typeof CLAIM | typeof TAKE_OVER | typeof COMPLETE | typeof RELEASE

const counted = (text: string) => `${text.length}:${text}`

/** The record as Redis holds it. */
function encode(record: IdempotencyRecord): string {
  const status = record.status === 'COMPLETED' ? 'C' : 'I'
  const result = record.result === undefined ? '-' : `=${record.result}`
  return `${status}${counted(record.owner)}${record.expiresAt}:${counted(record.payloadHash)}${result}`
}

/** Reads a value back: the record, and its head (status, owner, expiresAt) for a compare-and-set. */
function decode(store: string, operation: StoreOperation, key: string, value: string): { record: IdempotencyRecord; head: string } {
  const status = value[0] === 'I' ? 'INPROGRESS' : value[0] === 'C' ? 'COMPLETED' : undefined
  if (status === undefined) throw malformedRecord(store, operation, key, 'status')
  let at = 1
  const text = (field: string): string => {
    const colon = value.indexOf(':', at)
    const length = Number(value.slice(at, colon))
    if (colon < 0 || !Number.isInteger(length) || length < 0 || colon + 1 + length > value.length) throw malformedRecord(store, operation, key, field)
    at = colon + 1 + length
    return value.slice(colon + 1, at)
  }
  const owner = text('owner')
  const colon = value.indexOf(':', at)
  const expiresAt = Number(value.slice(at, colon))
  if (colon <= at || !Number.isFinite(expiresAt)) throw malformedRecord(store, operation, key, 'expiresAt')
  at = colon + 1
  const head = value.slice(0, at)
  const payloadHash = text('payloadHash')
  const marker = value[at]
  if (marker !== '-' && marker !== '=') throw malformedRecord(store, operation, key, 'result')
  if (owner === '') throw malformedRecord(store, operation, key, 'owner')
  const record: IdempotencyRecord =
    marker === '=' ? { key, status, expiresAt, payloadHash, owner, result: value.slice(at + 1) } : { key, status, expiresAt, payloadHash, owner }
  return { record, head }
}

function isIoRedis(client: RedisClientLike): client is IoRedisLike {
  const c = client as Partial<IoRedisLike>
  return typeof c.call === 'function' && typeof c.evalsha === 'function' && typeof c.eval === 'function'
}

async function sha1Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-1', new TextEncoder().encode(text))
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('')
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : '')

/** A value as a client returns it: text, bytes, or nil. */
function textOf(reply: unknown): string | undefined {
  if (reply === null || reply === undefined) return undefined
  if (typeof reply === 'string') return reply
  if (reply instanceof Uint8Array) return new TextDecoder().decode(reply)
  throw new TypeError(`Redis answered a ${typeof reply} where a string was expected`)
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
  if (typeof client !== 'object' || client === null) throw new ConfigurationError('redisStore: client must be an ioredis or node-redis (redis) client')
  const io = isIoRedis(client)
  if (!io && typeof (client as Partial<NodeRedisLike>).sendCommand !== 'function') {
    throw new ConfigurationError('redisStore: client must be an ioredis or node-redis (redis) client')
  }
  if (!io && 'masters' in client) throw new ConfigurationError('redisStore: node-redis cluster clients are not supported; use a client of the primary, or ioredis')
  const prefix = options.prefix ?? 'idempotency:'
  if (typeof prefix !== 'string') throw new ConfigurationError('redisStore: prefix must be a string')
  const name = 'redis'
  const shas = new Map<Script, string>()
  // Redis before 7.0 refuses SET with both NX and GET: then claims go by script.
  let setNxGet = true

  const command = (args: string[]): Promise<unknown> =>
    io ? (client as IoRedisLike).call(args[0]!, ...args.slice(1)) : (client as NodeRedisLike).sendCommand(args)

  const evaluate = (script: Script, sha: string | undefined, key: string, args: string[]): Promise<unknown> => {
    if (!io) return command(sha === undefined ? ['EVAL', script, '1', key, ...args] : ['EVALSHA', sha, '1', key, ...args])
    const ioredis = client as IoRedisLike
    return sha === undefined ? ioredis.eval(script, 1, key, ...args) : ioredis.evalsha(sha, 1, key, ...args)
  }

  const run = async (script: Script, key: string, args: string[]): Promise<unknown> => {
    const sha = shas.get(script)
    if (sha === undefined) {
      // EVAL loads the script; from now on it goes by its hash.
      const reply = await evaluate(script, undefined, prefix + key, args)
      shas.set(script, await sha1Hex(script))
      return reply
    }
    try {
      return await evaluate(script, sha, prefix + key, args)
    } catch (error) {
      if (!messageOf(error).startsWith('NOSCRIPT')) throw error
      return await evaluate(script, undefined, prefix + key, args)
    }
  }

  const attempt = async <T>(operation: StoreOperation, key: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work()
    } catch (error) {
      throw storeFailure(name, operation, key, error)
    }
  }

  return {
    name,
    async claim(record, now): Promise<ClaimResult> {
      const value = encode(record)
      const until = String(Math.ceil(record.expiresAt))
      const held = await attempt('claim', record.key, async () => {
        if (setNxGet) {
          try {
            return textOf(await command(['SET', prefix + record.key, value, 'NX', 'PXAT', until, 'GET']))
          } catch (error) {
            if (!/syntax error/i.test(messageOf(error))) throw error
            setNxGet = false
          }
        }
        return textOf(await run(CLAIM, record.key, [value, until]))
      })
      if (held === undefined) return { claimed: true }
      const found = decode(name, 'claim', record.key, held)
      if (found.record.expiresAt > now) return { claimed: false, existing: found.record }
      // Dead by the caller's clock, not yet by Redis's: take it over unless it changed meanwhile.
      const current = await attempt('claim', record.key, async () => textOf(await run(TAKE_OVER, record.key, [found.head, value, until])))
      return current === undefined ? { claimed: true } : { claimed: false, existing: decode(name, 'claim', record.key, current).record }
    },
    async complete(record) {
      const owner = `I${counted(record.owner)}`
      await attempt('complete', record.key, () => run(COMPLETE, record.key, [owner, encode(record), String(Math.ceil(record.expiresAt))]))
    },
    async get(key) {
      const value = await attempt('get', key, async () => textOf(await command(['GET', prefix + key])))
      return value === undefined ? undefined : decode(name, 'get', key, value).record
    },
    async release(key, owner) {
      await attempt('release', key, () => run(RELEASE, key, [counted(owner)]))
    },
  }
}
