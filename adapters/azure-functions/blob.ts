/**
 * The Blob Storage trigger as a CloudEvent: one a blob written (created or
 * updated), from the contents the host hands the function and the trigger
 * metadata it sends with them.
 *
 * | attribute         | value                                                          |
 * |-------------------|----------------------------------------------------------------|
 * | `id`              | `<container>/<blob>@<ETag>`: a version of the blob (a retry keeps it, a new write changes it) |
 * | `source`          | `//blob.storage.azure.com/<container>`                         |
 * | `type`            | `com.microsoft.azure.storage.blob.written`, or the `storageBlob.type` option |
 * | `subject`         | the blob's name within its container                           |
 * | `time`            | `properties.lastModified`                                      |
 * | `datacontenttype` | the blob's `properties.contentType` (bytes), `text/plain` (a `dataType: 'string'` trigger) |
 * | `data`            | the contents as bytes (`Uint8Array`), or text; none with `sdkBinding` (the blob client is in `ctx.provider.raw.input`) |
 * | `bloburl`         | `uri`                                                          |
 *
 * Outcomes are the storage queue's: the host retries a failed blob
 * (`maxDequeueCount` times, host.json `extensions.queues`), then writes a
 * message naming it to the `webjobs-blobtrigger-poison` queue.
 */
import { createEvent, type CloudEvent } from '../../src/event.js'
import { bytesOf } from './mapping.js'

/** The `type` of a blob's event, unless the `storageBlob.type` option says otherwise. */
export const STORAGE_BLOB_TYPE = 'com.microsoft.azure.storage.blob.written'

/** What the host tells of a blob (`context.triggerMetadata`, camelCased by the library; the members used here). */
export interface StorageBlobMetadata {
  /** `<container>/<blob name>`. */
  readonly blobTrigger?: string
  readonly uri?: string
  readonly name?: string
  readonly properties?: {
    readonly eTag?: string
    readonly lastModified?: string
    readonly created?: string
    readonly contentType?: string | null
    readonly length?: number
  }
  /** The blob's own metadata (its keys camelCased by the library). */
  readonly metadata?: Readonly<Record<string, unknown>>
}

/** The `type` a blob becomes: one for all, or chosen per blob. */
export type StorageBlobEventType = string | ((metadata: StorageBlobMetadata, container: string) => string)

/**
 * The `source` of a container's blob events.
 *
 * @example
 * ```ts
 * storageBlobSource('uploads')   // '//blob.storage.azure.com/uploads'
 * ```
 */
export function storageBlobSource(container: string): string {
  return `//blob.storage.azure.com/${encodeURIComponent(container)}`
}

/**
 * The CloudEvent of a written blob. `path` is the trigger's `path` option
 * (`<container>/{name}`), read when the metadata has no `blobTrigger`.
 * Throws an `InvalidEventError` for a blob the metadata does not name (a
 * drop: it never will be valid).
 *
 * @example
 * ```ts
 * storageBlobToEvent(bytes, { blobTrigger: 'uploads/a.png', uri: 'https://acct.blob.core.windows.net/uploads/a.png', properties: { eTag: '"0x8DA…"', contentType: 'image/png', lastModified: '2026-12-07T10:00:00+00:00' } })
 * // { id: 'uploads/a.png@0x8DA…', source: '//blob.storage.azure.com/uploads', subject: 'a.png', datacontenttype: 'image/png', data: bytes, … }
 * ```
 */
export function storageBlobToEvent(contents: unknown, metadata: StorageBlobMetadata, path?: string, type: StorageBlobEventType = STORAGE_BLOB_TYPE): CloudEvent {
  const blobPath = metadata.blobTrigger ?? ''
  const slash = blobPath.indexOf('/')
  const container = slash > 0 ? blobPath.slice(0, slash) : (path?.split('/')[0] ?? '')
  const name = slash > 0 ? blobPath.slice(slash + 1) : metadata.name
  const properties = metadata.properties ?? {}
  // The ETag names a version; without one (never from the host), the last write's time does.
  const version = properties.eTag?.replace(/^"|"$/g, '') || properties.lastModified
  const bytes = bytesOf(contents)
  const text = typeof contents === 'string'
  return createEvent({
    id: blobPath && version ? `${blobPath}@${version}` : '',
    source: storageBlobSource(container),
    type: typeof type === 'function' ? type(metadata, container) : type,
    subject: name || undefined,
    time: validTime(properties.lastModified),
    datacontenttype: bytes ? properties.contentType || 'application/octet-stream' : text ? 'text/plain' : undefined,
    // Anything else is an SDK binding's client: it stays in ctx.provider.raw, not in the event.
    data: bytes ?? (text ? contents : undefined),
    bloburl: metadata.uri || undefined,
  })
}

function validTime(value: string | undefined): Date | undefined {
  if (!value) return undefined
  const date = new Date(value)
  return Number.isNaN(date.getTime()) ? undefined : date
}
