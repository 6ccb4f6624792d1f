/**
 * The Cosmos DB trigger (the change feed) as CloudEvents: one a changed
 * document. The host hands the function an array of documents as the
 * change feed returns them: in the default `LatestVersion` mode each is the
 * document with its system properties (`id`, `_rid`, `_etag`, `_ts`,
 * `_lsn`); in `AllVersionsAndDeletes` mode each is `{ current, previous?,
 * metadata: { operationType, lsn, crts, … } }`.
 *
 * | attribute         | value                                                          |
 * |-------------------|----------------------------------------------------------------|
 * | `id`              | `<document id>@<_etag>` (that version of the document); in `AllVersionsAndDeletes` mode `<document id>@<lsn>` |
 * | `source`          | `//cosmos.azure.com/<databaseName>/<containerName>` (the trigger's options; `collectionName` for the older extension) |
 * | `type`            | `com.microsoft.azure.cosmosdb.document.changed`, or the `cosmosDB.type` option |
 * | `subject`         | the document's `id`                                            |
 * | `time`            | `_ts` (seconds since the epoch), or `metadata.crts`            |
 * | `operationtype`   | `metadata.operationType` (`create`, `replace`, `delete`), in `AllVersionsAndDeletes` mode |
 * | `datacontenttype` | `application/json`                                             |
 * | `data`            | the document (`current`, or `previous` for a delete, in `AllVersionsAndDeletes` mode) |
 *
 * The change feed does not wait for the function: the host moves its lease
 * past a batch whether the invocation succeeds or fails. So failures are
 * retried within the invocation and then given up, logged and handed to
 * `cosmosDB.onGiveUp`, as for Event Hubs (see `to-azure.ts`).
 */
import { createEvent, type CloudEvent } from '../../src/event.js'

/** The `type` of a changed document, unless the `cosmosDB.type` option says otherwise. */
export const COSMOS_DB_TYPE = 'com.microsoft.azure.cosmosdb.document.changed'

/** The database and container a Cosmos DB trigger reads the change feed of. */
export interface CosmosDBContainer {
  readonly databaseName: string
  readonly containerName: string
}

/** The `type` a changed document becomes: one for all, or chosen per document. */
export type CosmosDBEventType = string | ((document: unknown, container: CosmosDBContainer) => string)

/**
 * The `source` of a container's change events.
 *
 * @example
 * ```ts
 * cosmosDBSource({ databaseName: 'shop', containerName: 'orders' })   // '//cosmos.azure.com/shop/orders'
 * ```
 */
export function cosmosDBSource(container: CosmosDBContainer): string {
  return `//cosmos.azure.com/${encodeURIComponent(container.databaseName)}/${encodeURIComponent(container.containerName)}`
}

/**
 * The CloudEvent of one changed document. Throws an `InvalidEventError`
 * for an item with no document `id` (a drop: it never will be valid).
 *
 * @example
 * ```ts
 * cosmosDBToEvent({ id: 'A1', total: 58.5, _etag: '"0b00a6e5-0000-0d00-0000-6754a2b50000"', _ts: 1733600000, _lsn: 42 }, { databaseName: 'shop', containerName: 'orders' })
 * // { id: 'A1@0b00a6e5-…', source: '//cosmos.azure.com/shop/orders', subject: 'A1', time: '2024-12-07T19:33:20.000Z', data: { id: 'A1', … }, … }
 * ```
 */
export function cosmosDBToEvent(item: unknown, container: CosmosDBContainer, type: CosmosDBEventType = COSMOS_DB_TYPE): CloudEvent {
  const change = fullFidelity(item)
  const document = (change ? (change.current ?? change.previous) : item) as Record<string, unknown> | null | undefined
  const documentId = typeof document?.id === 'string' ? document.id : change && typeof change.metadata.id === 'string' ? change.metadata.id : undefined
  const etag = typeof document?._etag === 'string' ? document._etag.replace(/^"|"$/g, '') : undefined
  const version = change ? change.metadata.lsn : (etag ?? document?._ts)
  const seconds = change ? change.metadata.crts : document?._ts
  return createEvent({
    id: documentId !== undefined && version !== undefined ? `${documentId}@${String(version)}` : '',
    source: cosmosDBSource(container),
    type: typeof type === 'function' ? type(item, container) : type,
    subject: documentId,
    time: typeof seconds === 'number' && Number.isFinite(seconds) ? new Date(seconds * 1000) : undefined,
    datacontenttype: 'application/json',
    data: document ?? null,
    operationtype: change && typeof change.metadata.operationType === 'string' ? change.metadata.operationType : undefined,
  })
}

interface FullFidelityItem {
  readonly current?: unknown
  readonly previous?: unknown
  readonly metadata: { readonly operationType?: unknown; readonly lsn?: unknown; readonly crts?: unknown; readonly id?: unknown }
}

/** An `AllVersionsAndDeletes` item: `{ current, previous?, metadata: { operationType, … } }`. */
function fullFidelity(item: unknown): FullFidelityItem | undefined {
  if (typeof item !== 'object' || item === null || !('current' in item)) return undefined
  const metadata = (item as { metadata?: unknown }).metadata
  return typeof metadata === 'object' && metadata !== null && 'operationType' in metadata ? (item as FullFidelityItem) : undefined
}
