/**
 * The Azure Table store on azurite (its table service, spawned on a free
 * port, in memory) through a real `TableClient` from @azure/data-tables.
 */
import { randomUUID } from 'node:crypto'
import { TableClient } from '@azure/data-tables'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigurationError } from 'faasade'
import { IdempotencyStoreError, type IdempotencyRecord } from 'faasade/idempotency'
import { azureTableStore } from 'faasade/idempotency/azure-table'
import { describeStoreContract } from '../contract/store-contract.js'
import { freePort, startAzurite, type AzuriteServer } from '../setup/servers.js'

let azurite: AzuriteServer
let table: TableClient

const client = (connectionString: string, name = 'idempotency') =>
  TableClient.fromConnectionString(connectionString, name, { allowInsecureConnection: true, retryOptions: { maxRetries: 0 } })

beforeAll(async () => {
  azurite = await startAzurite()
  table = client(azurite.connectionString)
  await table.createTable()
})

afterAll(async () => {
  await azurite?.stop()
})

// azurite 3.35.0 decodes each chunk of a request body on its own (table/generated/utils/serializer.js,
// readRequestIntoText: Buffers joined with join("")), so a multi-byte character that straddles two
// 64 KB chunks comes back as U+FFFD. Seen writing a 30 000-character CJK property straight through
// TableClient, without this store. The service does not do that; these cases cannot run here.
const AZURITE_SPLITS_UTF8 = 'azurite mangles multi-byte characters across 64 KB request chunks (not this store)'

describeStoreContract('azure table (azurite)', () => azureTableStore(table), {
  emulatorCannotHold: { 'large: 40 000 astral characters': AZURITE_SPLITS_UTF8, 'large: 60 000 CJK characters': AZURITE_SPLITS_UTF8 },
})

const T = () => Date.now() + 60_000
const record = (key: string, expiresAt = T()): IdempotencyRecord => ({ key, status: 'INPROGRESS', expiresAt, payloadHash: 'h', owner: randomUUID() })

/** Counts the requests a TableClient makes, by method name. */
function counted(inner: TableClient) {
  const calls: string[] = []
  const wrap = <A extends unknown[], R>(name: string, f: (...args: A) => Promise<R>) => (...args: A) => (calls.push(name), f(...args))
  return {
    calls,
    table: {
      createEntity: wrap('create', inner.createEntity.bind(inner)),
      getEntity: wrap('get', inner.getEntity.bind(inner)),
      updateEntity: wrap('update', inner.updateEntity.bind(inner)),
      deleteEntity: wrap('delete', inner.deleteEntity.bind(inner)),
    },
  }
}

describe('azure table store specifics', () => {
  it('complete and release cost one request each, on the ETag the claim got', async () => {
    const { calls, table: t } = counted(table)
    const store = azureTableStore(t)
    const claim = record(`etag-${randomUUID()}`)
    await store.claim(claim, Date.now())
    await store.complete({ ...claim, status: 'COMPLETED', result: '1' })
    const second = record(`etag-${randomUUID()}`)
    await store.claim(second, Date.now())
    await store.release(second.key, second.owner)
    expect(calls).toEqual(['create', 'update', 'create', 'delete'])
  })

  it('a store object that did not claim reads the ETag first, and still completes only its own claim', async () => {
    const claim = record(`other-object-${randomUUID()}`)
    await azureTableStore(table).claim(claim, Date.now())
    const { calls, table: t } = counted(table)
    const done = { ...claim, status: 'COMPLETED' as const, result: '"x"' }
    await azureTableStore(t).complete(done)
    expect(calls).toEqual(['get', 'update'])
    expect(await azureTableStore(table).get(claim.key)).toEqual(done)
  })

  it('a stale ETag never overwrites: a takeover between claim and complete wins', async () => {
    const store = azureTableStore(table)
    const late = record(`stale-${randomUUID()}`, Date.now() + 60_000)
    await store.claim(late, Date.now())
    // Another store object (another instance) takes the key over once the lease is dead.
    const next = record(late.key, Date.now() + 120_000)
    expect(await azureTableStore(table).claim(next, late.expiresAt)).toEqual({ claimed: true })
    await store.complete({ ...late, status: 'COMPLETED', result: '"late"' })
    await store.release(late.key, late.owner)
    expect(await store.get(late.key)).toEqual(next)
  })

  it('a long result is split over several properties', async () => {
    const store = azureTableStore(table)
    const claim = record(`split-${randomUUID()}`)
    await store.claim(claim, Date.now())
    await store.complete({ ...claim, status: 'COMPLETED', result: 'y'.repeat(70_000) })
    const entity = await table.getEntity<Record<string, unknown>>(claim.key, '')
    expect(entity.resultParts).toBe(3)
    expect([entity.result, entity.result1, entity.result2].map((p) => (p as string).length)).toEqual([30_000, 30_000, 10_000])
  })

  it('keys with characters PartitionKey refuses are escaped, one-to-one', async () => {
    const store = azureTableStore(table)
    const keys = ['a/b', 'a%2fb', 'a#b?c\\d', 'tab\there']
    for (const key of keys) expect(await store.claim(record(key), Date.now())).toEqual({ claimed: true })
    for (const key of keys) expect((await store.get(key))?.key).toBe(key)
  })

  it('a missing table is a store error with the service error as cause', async () => {
    const error = await azureTableStore(client(azurite.connectionString, 'nosuchtable'))
      .claim(record('k'), Date.now())
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(IdempotencyStoreError)
    expect(((error as Error).cause as { statusCode?: number }).statusCode).toBe(404)
  })

  it('a dead endpoint is a store error at once', async () => {
    const port = await freePort()
    const dead = client(azurite.connectionString.replace(`:${azurite.port}/`, `:${port}/`))
    const error = await azureTableStore(dead).get('k').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(IdempotencyStoreError)
    expect(((error as Error).cause as { code?: string }).code).toBe('ECONNREFUSED')
  })

  it('a foreign entity is a store error naming the field, never the value', async () => {
    const key = `foreign-${randomUUID()}`
    await table.createEntity({ partitionKey: key, rowKey: '', status: 'INPROGRESS', expiresAt: T(), payloadHash: 'h', owner: 'o', resultParts: 2, result: 'secret result' })
    const error = await azureTableStore(table).get(key).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(IdempotencyStoreError)
    expect(String((error as Error).cause)).toContain('"result"')
    expect(String((error as Error).cause)).not.toContain('secret')
  })

  it('refuses what is not a TableClient', () => {
    expect(() => azureTableStore({} as never)).toThrow(ConfigurationError)
  })
})
