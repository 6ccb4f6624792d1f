/**
 * The Redis store on a real redis-server (started here on a free port),
 * through both clients it supports: ioredis 6 and node-redis (redis 6).
 * Skips, and says so in the run's summary, only when there is no
 * redis-server (on PATH, or FAASADE_REDIS_SERVER).
 */
import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import { createClient } from 'redis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigurationError } from 'faasade'
import { IdempotencyStoreError, type IdempotencyRecord } from 'faasade/idempotency'
import { redisStore, type IoRedisLike } from 'faasade/idempotency/redis'
import { describeStoreContract } from '../contract/store-contract.js'
import { redisMissing, startRedis, type RedisServer } from '../setup/servers.js'
import { describeUnless } from '../../support/skips.js'

let server: RedisServer
let io: Redis
let node: ReturnType<typeof createClient>

beforeAll(async () => {
  if (redisMissing) return
  server = await startRedis()
  io = new Redis(server.port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false })
  await io.connect()
  node = createClient({ url: server.url, disableOfflineQueue: true })
  node.on('error', () => {})
  await node.connect()
})

afterAll(async () => {
  if (redisMissing) return
  io?.disconnect()
  await node?.close()
  await server?.stop()
})

describeStoreContract('redis (ioredis)', () => redisStore(io), { skip: redisMissing })
describeStoreContract('redis (node-redis)', () => redisStore(node), { skip: redisMissing })

/**
 * Redis before 7.0 answers SET with both NX and GET with "ERR syntax error"
 * (6.2 and earlier cannot combine them). No such server runs here: this
 * client passes everything to the 7.0 server but refuses that one form as
 * the old servers do, so the store's script path for them runs for real.
 */
function asBeforeRedis7(inner: Redis): IoRedisLike {
  return {
    call: (command, ...args) => {
      const words = args.map((a) => a.toUpperCase())
      if (command.toUpperCase() === 'SET' && words.includes('NX') && words.includes('GET')) return Promise.reject(new Error('ERR syntax error'))
      return inner.call(command, ...args)
    },
    eval: (script, numKeys, ...rest) => inner.eval(script, numKeys, ...rest),
    evalsha: (sha, numKeys, ...rest) => inner.evalsha(sha, numKeys, ...rest),
  }
}
describeStoreContract('redis (a server before 7.0: claims by script)', () => redisStore(asBeforeRedis7(io)), { skip: redisMissing, numRuns: 10 })

const T = () => Date.now() + 60_000
const record = (key: string, expiresAt: number): IdempotencyRecord => ({ key, status: 'INPROGRESS', expiresAt, payloadHash: 'h', owner: randomUUID() })

describeUnless(redisMissing)('redis store specifics', () => {
  it.each(['ioredis', 'node-redis'] as const)('%s: Redis itself expires the key at the record’s expiresAt (PEXPIREAT), after claim and complete', async (which) => {
    const store = redisStore(which === 'ioredis' ? io : node)
    const claim = record(`px-${which}-${randomUUID()}`, T())
    await store.claim(claim, Date.now())
    expect(await io.pexpiretime(`idempotency:${claim.key}`)).toBe(claim.expiresAt)
    const expiresAt = claim.expiresAt + 3_600_000
    await store.complete({ ...claim, status: 'COMPLETED', expiresAt, result: '1' })
    expect(await io.pexpiretime(`idempotency:${claim.key}`)).toBe(expiresAt)
  })

  it('a record past its expiresAt is gone from Redis (a short real wait)', async () => {
    const store = redisStore(io)
    const claim = record(`gone-${randomUUID()}`, Date.now() + 50)
    expect(await store.claim(claim, Date.now())).toEqual({ claimed: true })
    await new Promise((r) => setTimeout(r, 120))
    expect(await store.get(claim.key)).toBeUndefined()
  })

  it('claim returns the existing record in the same round trip (no get needed)', async () => {
    const store = redisStore(io)
    const first = record(`one-trip-${randomUUID()}`, T())
    await store.claim(first, Date.now())
    const result = await store.claim(record(first.key, T()), Date.now())
    expect(result).toEqual({ claimed: false, existing: first })
  })

  it.each(['ioredis', 'node-redis'] as const)('%s: a claim is one SET (no script); scripts go by EVALSHA, reloaded with EVAL after a flush', async (which) => {
    const monitor = await io.monitor()
    const seen: string[] = []
    monitor.on('monitor', (_time: string, args: string[], source: string) => source !== 'lua' && seen.push(String(args[0]).toLowerCase()))
    try {
      const store = redisStore(which === 'ioredis' ? io : node)
      const cycle = async () => {
        const claim = record(`sha-${randomUUID()}`, T())
        await store.claim(claim, Date.now())
        await store.complete({ ...claim, status: 'COMPLETED', result: '1' })
      }
      await cycle()
      await cycle()
      await io.script('FLUSH')
      await cycle()
      await new Promise((r) => setTimeout(r, 50))
      expect(seen.filter((c) => c !== 'script')).toEqual(['set', 'eval', 'set', 'evalsha', 'set', 'evalsha', 'eval'])
    } finally {
      monitor.disconnect()
    }
  })

  it('keys are prefixed ("idempotency:" unless told otherwise)', async () => {
    const key = `prefix-${randomUUID()}`
    await redisStore(node, { prefix: 'orders:idem:' }).claim(record(key, T()), Date.now())
    expect(await io.exists(`orders:idem:${key}`)).toBe(1)
    expect(await redisStore(io).get(key)).toBeUndefined()
  })

  it('a foreign value under a key is a store error naming the field, never showing the value', async () => {
    const store = redisStore(io)
    const key = `foreign-${randomUUID()}`
    await io.set(`idempotency:${key}`, 'X36:someone secret result')
    const error = await store.get(key).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(IdempotencyStoreError)
    expect((error as IdempotencyStoreError).operation).toBe('get')
    expect(String((error as Error).cause)).toContain('"status"')
    expect(JSON.stringify(error) + String((error as Error).cause)).not.toContain('secret result')
    await io.set(`idempotency:${key}`, 'I5:ownerNaN:1:h-')
    expect(String(((await store.get(key).catch((e: unknown) => e)) as Error).cause)).toContain('"expiresAt"')

    const hash = `hash-${randomUUID()}`
    await io.hset(`idempotency:${hash}`, { s: 'INPROGRESS' })
    const wrongType = await store.claim(record(hash, T()), Date.now()).catch((e: unknown) => e)
    expect(wrongType).toBeInstanceOf(IdempotencyStoreError)
    expect(String(((wrongType as Error).cause as Error).message)).toMatch(/WRONGTYPE/)
  })

  it('refuses what is not a client, a node-redis cluster, and unknown options', () => {
    expect(() => redisStore({} as never)).toThrow(ConfigurationError)
    expect(() => redisStore({ sendCommand: () => Promise.resolve(), masters: [] } as never)).toThrow(/cluster/)
    expect(() => redisStore(io, { prefx: 'x' } as never)).toThrow(/did you mean "prefix"/)
    expect(() => redisStore(io, { prefix: 1 } as never)).toThrow(ConfigurationError)
  })
})
