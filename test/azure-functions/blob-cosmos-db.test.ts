/**
 * The Blob Storage and Cosmos DB triggers (the "file upload" and "database
 * update" triggers) through the library's ProgrammingModel.
 *
 * Blob: the metadata is a real host's (test/fixtures/azure/blob--trigger.json),
 * sent back in the host's PascalCase; the contents are bytes, as the host
 * sends them by default.
 *
 * Cosmos DB: no recorded payload is at hand, so the documents have the
 * shape Microsoft documents for the change feed: in the default mode
 * (LatestVersion) each changed document with its system properties `id`,
 * `_rid`, `_self`, `_etag`, `_attachments`, `_ts` and `_lsn`; in
 * AllVersionsAndDeletes mode each item `{ current, previous, metadata:
 * { operationType, lsn, crts, previousImageLSN, id, partitionKey } }` (the
 * metadata names as in `@azure/functions`' own `CosmosDBv4ChangeFeedMetadata`).
 * The host sends them as one JSON array.
 */
import './support/host.js'
import { readFileSync } from 'node:fs'
import { app } from '@azure/functions'
import { beforeAll, describe, expect, it } from 'vitest'
import { createLogger, defineHandler, PermanentError, RetryableError } from 'faasade'
import { COSMOS_DB_TYPE, cosmosDBSource, STORAGE_BLOB_TYPE, storageBlobSource, toAzureFunctions, type GivenUpChange } from 'faasade/azure-functions'
import { bindingsOf, invoke, type RpcTypedData } from './support/host.js'
import { userLines } from './helpers.js'

const fixture = JSON.parse(readFileSync(new URL('../fixtures/azure/blob--trigger.json', import.meta.url), 'utf8')) as { triggerMetadata: Record<string, unknown> }

/** The host's PascalCase keys, which the library camelCases (the inverse of what the fixture recorded). */
function pascal(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(pascal)
  if (typeof value !== 'object' || value === null) return value
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.charAt(0).toUpperCase() + k.slice(1), pascal(v)]))
}
const json = (value: unknown): RpcTypedData => ({ json: JSON.stringify(value) })
const blobMetadata = (overrides: Record<string, unknown> = {}): Record<string, RpcTypedData> =>
  Object.fromEntries(Object.entries({ ...fixture.triggerMetadata, ...overrides }).map(([k, v]) => [k.charAt(0).toUpperCase() + k.slice(1), json(pascal(v))]))

const seen: { id: string; source: string; type: string; subject?: string; time?: string; datacontenttype?: string; data?: unknown; attempt?: number; [k: string]: unknown }[] = []
const handler = defineHandler({
  handle(event, ctx) {
    seen.push({ ...event, attempt: ctx.attempt })
    const data = event.data as { fail?: string; failUntil?: number } | null
    if (data && typeof data === 'object' && !(data instanceof Uint8Array)) {
      if (data.fail === 'permanent') throw new PermanentError(`bad document ${event.subject}`)
      if (data.fail === 'retry' || (data.failUntil !== undefined && (ctx.attempt ?? 1) < data.failUntil)) throw new RetryableError(`busy ${event.subject}`, { retryAfterMs: 5 })
    }
    if (data instanceof Uint8Array && new TextDecoder().decode(data) === 'corrupt') throw new PermanentError('unreadable upload')
  },
})

const handed: GivenUpChange[][] = []
beforeAll(() => {
  const azure = toAzureFunctions(handler, { log: createLogger({ sink: () => {} }) })
  const hooked = toAzureFunctions(handler, { cosmosDB: { maxAttempts: 2, onGiveUp: (changes) => void handed.push([...changes]) } })
  app.storageBlob('uploads', { path: 'helloworldcontainer/{name}', connection: 'AzureWebJobsStorage', handler: azure.storageBlob })
  app.cosmosDB('orders-feed', { connection: 'CosmosDBConnection', databaseName: 'shop', containerName: 'orders', createLeaseContainerIfNotExists: true, handler: azure.cosmosDB })
  app.cosmosDB('orders-feed-hooked', { connection: 'CosmosDBConnection', databaseName: 'shop', containerName: 'orders', createLeaseContainerIfNotExists: true, handler: hooked.cosmosDB })
})

describe('a written blob is one CloudEvent', () => {
  it('registers as a blobTrigger binding', () => {
    expect(Object.values(bindingsOf('uploads'))).toContainEqual(expect.objectContaining({ type: 'blobTrigger', path: 'helloworldcontainer/{name}' }))
  })

  it('the blob path and ETag as id, the container as source, the name as subject, the contents as bytes with the blob content type', async () => {
    seen.length = 0
    const contents = new TextEncoder().encode('hello blob world')
    const result = await invoke('uploads', { input: { bytes: contents }, triggerMetadata: blobMetadata() })
    expect(result.ok).toBe(true)
    const { data, ...event } = seen[0]!
    expect(event).toEqual({
      specversion: '1.0',
      id: 'helloworldcontainer/hello-at-2022-08-25T05-06-38Z@0x8DA8657981E929A',
      source: storageBlobSource('helloworldcontainer'),
      type: STORAGE_BLOB_TYPE,
      subject: 'hello-at-2022-08-25T05-06-38Z',
      time: '2022-08-25T05:06:39.000Z',
      datacontenttype: 'application/octet-stream',
      bloburl: 'https://test.blob.core.windows.net/helloworldcontainer/hello-at-2022-08-25T05-06-38Z',
      attempt: undefined,
    })
    expect(new TextDecoder().decode(data as Uint8Array)).toBe('hello blob world')
  })

  it('a retry fails the invocation (the host retries, then the poison queue); so does a drop under dead-letter', async () => {
    const dropped = await invoke('uploads', { input: { bytes: new TextEncoder().encode('corrupt') }, triggerMetadata: blobMetadata() })
    expect(dropped.ok).toBe(false)
    expect((dropped as { error: unknown }).error).toBeInstanceOf(PermanentError)
  })
})

describe('a Cosmos DB change is one CloudEvent a document, and no change is lost silently', () => {
  const doc = (id: string, extra: Record<string, unknown> = {}) => ({
    id,
    customer: 'north',
    ...extra,
    _rid: 'wJ5cAKr2OIMBAAAAAAAAAA==',
    _self: `dbs/wJ5cAA==/colls/wJ5cAKr2OIM=/docs/wJ5cAKr2OIMBAAAAAAAAAA==/`,
    _etag: `"1d00a3c5-0000-0d00-0000-${id.padStart(12, '0')}"`,
    _attachments: 'attachments/',
    _ts: 1765100000,
    _lsn: 17,
  })

  it('registers as a cosmosDBTrigger binding', () => {
    expect(Object.values(bindingsOf('orders-feed'))).toContainEqual(expect.objectContaining({ type: 'cosmosDBTrigger', databaseName: 'shop', containerName: 'orders' }))
  })

  it('id and _etag as id, the container as source, the id as subject, _ts as time, the document as data', async () => {
    seen.length = 0
    const result = await invoke('orders-feed', { input: json([doc('A1'), doc('A2')]), triggerMetadata: {} })
    expect(result.ok).toBe(true)
    expect(seen.map((e) => e.id)).toEqual(['A1@1d00a3c5-0000-0d00-0000-0000000000A1', 'A2@1d00a3c5-0000-0d00-0000-0000000000A2'])
    expect(seen[0]).toMatchObject({ source: cosmosDBSource({ databaseName: 'shop', containerName: 'orders' }), type: COSMOS_DB_TYPE, subject: 'A1', time: '2025-12-07T09:33:20.000Z', datacontenttype: 'application/json', data: { id: 'A1', customer: 'north' } })
  })

  it('AllVersionsAndDeletes items: the operation as an extension, a delete carries the previous image', async () => {
    seen.length = 0
    const metadata = (operationType: string, lsn: number) => ({ operationType, lsn, crts: 1765100100, previousImageLSN: lsn - 1, id: 'B1', partitionKey: { customer: 'north' } })
    await invoke('orders-feed', { input: json([{ current: doc('B1'), metadata: metadata('replace', 40) }, { current: null, previous: doc('B1'), metadata: metadata('delete', 41) }]), triggerMetadata: {} })
    expect(seen.map((e) => [e.id, e.operationtype, (e.data as { id: string }).id])).toEqual([
      ['B1@40', 'replace', 'B1'],
      ['B1@41', 'delete', 'B1'],
    ])
  })

  it('failures are retried within the invocation, then logged and the invocation fails', async () => {
    seen.length = 0
    const result = await invoke('orders-feed', { input: json([doc('C1', { failUntil: 2 }), doc('C2', { fail: 'retry' }), doc('C3')]), triggerMetadata: {} })
    expect(result.ok).toBe(false)
    // C1 succeeds on its second run; C2 keeps failing, C3 waits behind it (order holds).
    expect(seen.map((e) => `${e.subject}@${e.attempt}`)).toEqual(['C1@1', 'C1@2', 'C2@2', 'C2@3'])
  })

  it('what is given up goes to cosmosDB.onGiveUp, which completes the invocation', async () => {
    handed.length = 0
    const result = await invoke('orders-feed-hooked', { input: json([doc('D1', { fail: 'permanent' }), doc('D2', { fail: 'retry' }), doc('D3')]), triggerMetadata: {} })
    expect(result.ok).toBe(true)
    expect(handed[0]!.map((c) => [c.event?.subject, c.reason, c.attempts])).toEqual([
      ['D1', 'dropped', 1],
      ['D2', 'retries-exhausted', 2],
      ['D3', 'held-back', 0],
    ])
    expect(userLines(result).filter((l) => l.line.msg === 'Cosmos DB change given up: the change feed will not deliver it again')).toHaveLength(3)
  })
})
