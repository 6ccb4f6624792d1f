/**
 * `faasade/idempotency/dynamodb`: idempotency records in a DynamoDB table.
 *
 * Three transports, one wire format (DynamoDB's JSON protocol, the same
 * `PutItem`/`GetItem`/`DeleteItem` inputs):
 *
 * - Without `client` (the default): `POST /` with `X-Amz-Target:
 *   DynamoDB_20120810.<Operation>`, SigV4-signed, credentials and region
 *   from the environment Lambda sets (`AWS_ACCESS_KEY_ID`,
 *   `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_REGION`) or from
 *   options. Importing and constructing the SDK client costs about 80 ms of
 *   cold start, most of what an idempotent Lambda function spends before its
 *   first event; this costs next to nothing (bench/idempotency/RESULTS.md).
 *   It never retries: a throttled or failed request is a store fault, and
 *   the provider's redelivery is the retry.
 *   - `'fetch'`: over `fetch`, signed by `aws4fetch` (3 KB gzipped). Workers,
 *     Deno, Bun, browsers.
 *   - `'node'` (the default on Node): over `node:http`/`node:https`, signed
 *     by a small SigV4 signer of its own. On Node 20 the first `fetch` (or
 *     `Headers`) loads undici: about 14 ms of every cold start, more than
 *     everything else this store does on a first event.
 * - With `client` (your SDK v3 client from `@aws-sdk/client-dynamodb`), with
 *   its own retries and credentials: a `DynamoDBClient` gets commands through
 *   `send`, their classes imported from the SDK on first use, by a specifier
 *   bundlers do not follow (so no bundle of the default transports carries
 *   the SDK; on Lambda the runtime has it); the aggregated `DynamoDB` client
 *   is called by its methods, with nothing to import.
 *
 * Round trips: `claim` is one conditional `PutItem`
 * (`attribute_not_exists(#k) OR #expiresAt <= :now`) that asks for the
 * record it lost to (`ReturnValuesOnConditionCheckFailure: ALL_OLD`); a
 * server that does not send it back (dynalite, some emulators) makes the
 * middleware read it with a consistent `GetItem`. `complete` is a `PutItem`
 * conditional on the owner and INPROGRESS, `release` a `DeleteItem`
 * conditional on the owner, `get` a consistent `GetItem`.
 *
 * The table: a string partition key (`id` unless `keyAttribute` says
 * otherwise), nothing else required. Items carry `status`, `expiresAt`
 * (epoch ms, what conditions compare), `ttl` (epoch seconds, for DynamoDB's
 * TTL to delete dead items: turn TTL on for the attribute `ttl`),
 * `payloadHash`, `owner` and `result`. DynamoDB's TTL deletes late (up to
 * days); correctness rests on `expiresAt`, never on TTL.
 *
 * ```sh
 * aws dynamodb create-table --table-name idempotency --billing-mode PAY_PER_REQUEST \
 *   --attribute-definitions AttributeName=id,AttributeType=S --key-schema AttributeName=id,KeyType=HASH
 * aws dynamodb update-time-to-live --table-name idempotency --time-to-live-specification Enabled=true,AttributeName=ttl
 * ```
 *
 * The function needs `dynamodb:PutItem`, `dynamodb:GetItem` and
 * `dynamodb:DeleteItem` on the table.
 *
 * @example
 * ```ts
 * import { idempotent } from 'faasade/idempotency'
 * import { dynamoDbStore } from 'faasade/idempotency/dynamodb'
 *
 * const store = dynamoDbStore({ table: process.env.IDEMPOTENCY_TABLE! })
 * export const orderPlaced = defineHandler({ use: [idempotent({ store })], handle })
 * ```
 */
import { AwsClient } from 'aws4fetch'
import { ConfigurationError } from '../../errors.js'
import { checkOptions } from '../../middleware.js'
import type { StoreOperation } from '../errors.js'
import type { ClaimResult, IdempotencyRecord, IdempotencyStore } from '../store.js'
import { storeFailure } from './internal/failure.js'
import { isNode, post } from './internal/node-http.js'
import { toRecord } from './internal/record.js'
import { createSigner } from './internal/sigv4.js'
import { withTimeout } from './internal/timeout.js'
import {
  fromAttribute,
  POWERTOOLS_ATTRIBUTES,
  powertoolsKeys,
  toAttribute,
  type AttributeValue as NativeValue,
  type PowertoolsLayoutOptions,
} from './internal/dynamodb-layout.js'
import type { KeyScheme } from '../store.js'

export type { PowertoolsLayoutOptions, PowertoolsAttributes } from './internal/dynamodb-layout.js'

/** Static AWS credentials. */
export interface AwsCredentials {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly sessionToken?: string
}

/**
 * An SDK v3 client, by the part used here, so that faasade's types do not
 * depend on the SDK's: a `DynamoDBClient` (commands go through `send`; their
 * classes are imported from the SDK on first use) or the aggregated
 * `DynamoDB` client (its `putItem`, `getItem`, `deleteItem`: nothing to
 * import).
 */
export type DynamoDbClientLike =
  | {
      /** Sends a `PutItemCommand`, `GetItemCommand` or `DeleteItemCommand` (a `DynamoDBClient`). */
      send(command: never): Promise<unknown>
    }
  | {
      /** Writes an item under a condition: a claim or a completion (the aggregated `DynamoDB` client). */
      putItem(input: never): Promise<unknown>
      /** Reads an item, consistently. */
      getItem(input: never): Promise<unknown>
      /** Deletes an item if its owner still holds it. */
      deleteItem(input: never): Promise<unknown>
    }

/**
 * What {@link dynamoDbStore} takes: the table, and either your SDK client or
 * what faasade needs to sign requests itself (region, endpoint,
 * credentials), for a function that should not bundle the SDK.
 *
 * @example
 * ```ts
 * import { dynamoDbStore } from 'faasade/idempotency/dynamodb'
 * const store = dynamoDbStore({ table: process.env.IDEMPOTENCY_TABLE!, keyAttribute: 'pk' })
 * ```
 */
export interface DynamoDbStoreOptions {
  /** The table's name (or ARN). */
  table: string
  /** Your `DynamoDBClient` or `DynamoDB` (`@aws-sdk/client-dynamodb` v3). Without one, requests go over `transport`. */
  client?: DynamoDbClientLike
  /**
   * Without `client`: `'node'` (Node's `node:http`/`node:https`) or
   * `'fetch'` (`fetch` + `aws4fetch`).
   * @defaultValue `'node'` on Node, else `'fetch'`
   */
  transport?: 'node' | 'fetch'
  /** The table's partition key attribute, a string. @defaultValue `'id'` */
  keyAttribute?: string
  /** Without `client`. @defaultValue `AWS_REGION`, else `AWS_DEFAULT_REGION` */
  region?: string
  /**
   * Without `client`: the service endpoint, e.g. a local emulator.
   * @defaultValue `AWS_ENDPOINT_URL_DYNAMODB`, else `AWS_ENDPOINT_URL`, else `https://dynamodb.{region}.amazonaws.com`
   */
  endpoint?: string
  /** Without `client`. @defaultValue the `AWS_*` environment variables */
  credentials?: AwsCredentials
  /**
   * Without `client`: how long one request may take, ms, reply included. A
   * request that takes longer fails with an `IdempotencyStoreError` whose
   * cause is a `TimeoutError`.
   * @defaultValue 5000
   */
  requestTimeout?: number
  /**
   * How records are laid out in items: faasade's own, or AWS Lambda
   * Powertools' idempotency layout (`'powertools'`, or `{ powertools: {
   * keyPrefix, … } }` for a prefix or attribute names of your own), which
   * reads and writes Powertools' records, keys included, for a cutover with
   * no duplicate run twice (docs/idempotency.md). With Powertools' layout the
   * records' keys are Powertools' (`<keyPrefix>#<md5>`), not the handler's
   * name; turn TTL on for `expiration`.
   * @defaultValue `'faasade'`
   */
  layout?: 'faasade' | 'powertools' | { powertools: PowertoolsLayoutOptions }
}

/** DynamoDB's largest item, 400 KB, as `maxRecordBytes`. */
export const DYNAMODB_MAX_ITEM_BYTES = 400 * 1024

/** An attribute value in DynamoDB's JSON protocol. */
type Item = Record<string, NativeValue>
/** The three DynamoDB operations the store makes, as named in errors. */
type Operation = 'PutItem' | 'GetItem' | 'DeleteItem'

type Reply = { readonly ok: true; readonly item: unknown } | { readonly ok: false; readonly item: unknown }

/** A DynamoDB error reply (without `client`): the service's error code and message, never the request. */
export class DynamoDbRequestError extends Error {
  /** The error type, e.g. `ResourceNotFoundException`, `ProvisionedThroughputExceededException`. */
  readonly code: string
  readonly status: number
  constructor(operation: Operation, code: string, status: number, message: string | undefined) {
    super(`DynamoDB ${operation} failed: ${code} (HTTP ${status})${message ? `: ${message.slice(0, 300)}` : ''}`)
    this.name = 'DynamoDbRequestError'
    this.code = code
    this.status = status
  }
}

const CONDITION_FAILED = 'ConditionalCheckFailedException'

function envVar(name: string): string | undefined {
  const value = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name]
  return value === '' ? undefined : value
}

interface SdkCommands {
  PutItemCommand: new (input: never) => object
  GetItemCommand: new (input: never) => object
  DeleteItemCommand: new (input: never) => object
}
const SDK_PACKAGE = '@aws-sdk/client-dynamodb'
let sdk: Promise<SdkCommands> | undefined

/**
 * Through a parameter, so that bundlers leave the import alone: a bundle for
 * the default transports must not carry the SDK (an inlined SDK costs its
 * parse at every cold start even when never run). On Lambda the runtime has
 * it; elsewhere install it, or pass the aggregated `DynamoDB` client, which
 * needs no import.
 */
function importOptional(specifier: string): Promise<unknown> {
  return import(/* @vite-ignore */ specifier)
}

/** One request, on any transport: the item it returned, or the item a failed condition returned. */
type Transport = (operation: Operation, input: Record<string, unknown>) => Promise<Reply>

function hasMethods(client: DynamoDbClientLike): client is Extract<DynamoDbClientLike, { putItem: unknown }> {
  const c = client as Record<string, unknown>
  return typeof c.putItem === 'function' && typeof c.getItem === 'function' && typeof c.deleteItem === 'function'
}

function sdkTransport(client: DynamoDbClientLike): Transport {
  const call = async (operation: Operation, input: Record<string, unknown>): Promise<unknown> => {
    if (hasMethods(client)) {
      const method = operation === 'PutItem' ? client.putItem : operation === 'GetItem' ? client.getItem : client.deleteItem
      return method.call(client, input as never)
    }
    sdk ??= importOptional(SDK_PACKAGE).then(
      (m) => m as SdkCommands,
      (error: unknown) => {
        sdk = undefined
        throw new Error(`dynamoDbStore: cannot import ${SDK_PACKAGE} for the client's commands (install it, or pass the aggregated DynamoDB client)`, { cause: error })
      },
    )
    const m = await sdk
    const Command = operation === 'PutItem' ? m.PutItemCommand : operation === 'GetItem' ? m.GetItemCommand : m.DeleteItemCommand
    return (client as { send(command: object): Promise<unknown> }).send(new Command(input as never))
  }
  return async (operation, input) => {
    try {
      const output = (await call(operation, input)) as { Item?: unknown } | undefined
      return { ok: true, item: output?.Item }
    } catch (error) {
      if ((error as { name?: unknown }).name === CONDITION_FAILED) return { ok: false, item: (error as { Item?: unknown }).Item }
      throw error
    }
  }
}

interface Connection {
  readonly url: URL
  readonly region: string
  readonly credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string | undefined }
}

/** Endpoint, region and credentials, from options or the environment, read on first use (not at import or definition time). */
function connect(options: DynamoDbStoreOptions): Connection {
  const region = options.region ?? envVar('AWS_REGION') ?? envVar('AWS_DEFAULT_REGION')
  if (region === undefined) throw new ConfigurationError('dynamoDbStore: no region (set the region option or AWS_REGION)')
  const endpoint = options.endpoint ?? envVar('AWS_ENDPOINT_URL_DYNAMODB') ?? envVar('AWS_ENDPOINT_URL') ?? `https://dynamodb.${region}.amazonaws.com`
  const credentials = options.credentials ?? {
    accessKeyId: envVar('AWS_ACCESS_KEY_ID'),
    secretAccessKey: envVar('AWS_SECRET_ACCESS_KEY'),
    sessionToken: envVar('AWS_SESSION_TOKEN'),
  }
  const { accessKeyId, secretAccessKey, sessionToken } = credentials
  if (!accessKeyId || !secretAccessKey) {
    throw new ConfigurationError('dynamoDbStore: no credentials (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or the credentials option)')
  }
  const url = new URL(endpoint)
  if (!url.pathname.endsWith('/')) url.pathname += '/'
  return { url, region, credentials: { accessKeyId, secretAccessKey, sessionToken: sessionToken || undefined } }
}

/** An HTTP reply to the JSON protocol: the item, the item a failed condition returned, or a typed error. */
function readReply(operation: Operation, status: number, text: string): Reply {
  let body: { Item?: unknown; __type?: unknown; message?: unknown; Message?: unknown } | undefined
  try {
    body = JSON.parse(text) as typeof body
  } catch {
    // No cause: a proxy's error page is noise, and a reply may echo the item.
    throw new DynamoDbRequestError(operation, 'NotJson', status, 'the reply is not JSON')
  }
  if (status >= 200 && status < 300) return { ok: true, item: body?.Item }
  const type = typeof body?.__type === 'string' ? body.__type.slice(body.__type.lastIndexOf('#') + 1) : 'UnknownError'
  if (type === CONDITION_FAILED) return { ok: false, item: body?.Item }
  const message = body?.message ?? body?.Message
  throw new DynamoDbRequestError(operation, type, status, typeof message === 'string' ? message : undefined)
}

const headersFor = (operation: Operation) => ({ 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `DynamoDB_20120810.${operation}` })

function fetchTransport(options: DynamoDbStoreOptions): Transport {
  const timeout = options.requestTimeout ?? 5000
  let client: { aws: AwsClient; url: string } | undefined
  return async (operation, input) => {
    if (client === undefined) {
      const { url, region, credentials } = connect(options)
      const aws = new AwsClient({ ...credentials, service: 'dynamodb', region, retries: 0 })
      client = { aws, url: url.href }
    }
    // Signed by aws4fetch, sent by us: aws4fetch drops a signal given to it
    // when it rebuilds the request (see internal/timeout.ts).
    const request = await client.aws.sign(client.url, { method: 'POST', headers: headersFor(operation), body: JSON.stringify(input) })
    const [status, text] = await withTimeout(timeout, async (signal) => {
      const response = await fetch(request, { signal })
      return [response.status, await response.text()] as const
    })
    return readReply(operation, status, text)
  }
}

function nodeTransport(options: DynamoDbStoreOptions): Transport {
  const timeout = options.requestTimeout ?? 5000
  const sign = createSigner()
  let connection: Connection | undefined
  return async (operation, input) => {
    connection ??= connect(options)
    const { url, region, credentials } = connection
    const body = JSON.stringify(input)
    const headers = sign({ url, headers: headersFor(operation), body, service: 'dynamodb', region, credentials })
    const reply = await post(url, headers, body, timeout)
    return readReply(operation, reply.status, reply.text)
  }
}

/**
 * Creates a DynamoDB store.
 *
 * @example
 * ```ts
 * import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
 * import { dynamoDbStore } from 'faasade/idempotency/dynamodb'
 *
 * // no SDK loaded; credentials, region (and endpoint) from the environment:
 * const store = dynamoDbStore({ table: 'idempotency' })
 * // or through your SDK client:
 * const viaSdk = dynamoDbStore({ table: 'idempotency', client: new DynamoDBClient({}) })
 * ```
 */
export function dynamoDbStore(options: DynamoDbStoreOptions): IdempotencyStore {
  if (options === undefined) throw new ConfigurationError('dynamoDbStore: options with a table are required')
  checkOptions('dynamoDbStore', options, ['table', 'client', 'transport', 'keyAttribute', 'region', 'endpoint', 'credentials', 'requestTimeout', 'layout'])
  const { table, client } = options
  if (typeof table !== 'string' || table.length < 3) throw new ConfigurationError('dynamoDbStore: table must be a table name (3 characters or more)')
  const keyAttribute = options.keyAttribute ?? 'id'
  if (typeof keyAttribute !== 'string' || keyAttribute === '') throw new ConfigurationError('dynamoDbStore: keyAttribute must be a non-empty string')
  if (client !== undefined && (typeof client !== 'object' || client === null || (typeof (client as { send?: unknown }).send !== 'function' && !hasMethods(client)))) {
    throw new ConfigurationError('dynamoDbStore: client must be a DynamoDBClient or DynamoDB client from @aws-sdk/client-dynamodb v3')
  }
  if (client !== undefined) {
    for (const option of ['transport', 'region', 'endpoint', 'credentials', 'requestTimeout'] as const) {
      if (options[option] !== undefined) throw new ConfigurationError(`dynamoDbStore: ${option} is for requests without a client; configure your client instead`)
    }
  }
  const { transport = isNode() ? 'node' : 'fetch' } = options
  if (transport !== 'node' && transport !== 'fetch') throw new ConfigurationError("dynamoDbStore: transport must be 'node' or 'fetch'")
  const { requestTimeout } = options
  if (requestTimeout !== undefined && !(typeof requestTimeout === 'number' && Number.isFinite(requestTimeout) && requestTimeout > 0)) {
    throw new ConfigurationError('dynamoDbStore: requestTimeout must be a positive number of milliseconds')
  }
  const { credentials } = options
  if (credentials !== undefined && (typeof credentials?.accessKeyId !== 'string' || typeof credentials.secretAccessKey !== 'string')) {
    throw new ConfigurationError('dynamoDbStore: credentials must be { accessKeyId, secretAccessKey, sessionToken? }')
  }

  const name = 'dynamodb'
  const send = client !== undefined ? sdkTransport(client) : transport === 'node' ? nodeTransport(options) : fetchTransport(options)
  const layout = layoutOf(options.layout, keyAttribute)

  const request = async (operation: StoreOperation, call: Operation, key: string, input: Record<string, unknown>): Promise<Reply> => {
    try {
      return await send(call, { TableName: table, ...input })
    } catch (error) {
      throw storeFailure(name, operation, key, error)
    }
  }

  const fromItem = (operation: StoreOperation, key: string, item: unknown): IdempotencyRecord | undefined => {
    if (item === undefined || item === null) return undefined
    return toRecord(name, operation, key, layout.read(operation, key, item as Item))
  }

  const names = { '#o': layout.owner, '#s': layout.status }
  return {
    name,
    maxRecordBytes: DYNAMODB_MAX_ITEM_BYTES,
    ...(layout.keys === undefined ? {} : { keys: layout.keys }),
    async claim(record, now): Promise<ClaimResult> {
      const reply = await request('claim', 'PutItem', record.key, {
        Item: layout.write(record),
        ...layout.claimable(now),
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      })
      if (reply.ok) return { claimed: true }
      return { claimed: false, existing: fromItem('claim', record.key, reply.item) }
    },
    async complete(record) {
      // A failed condition: the claim is no longer this owner's. Nothing to do.
      await request('complete', 'PutItem', record.key, {
        Item: layout.write(record),
        ConditionExpression: '#o = :owner AND #s = :inprogress',
        ExpressionAttributeNames: { '#o': names['#o'], '#s': names['#s'] },
        ExpressionAttributeValues: { ':owner': { S: record.owner }, ':inprogress': { S: 'INPROGRESS' } },
      })
    },
    async get(key) {
      const reply = await request('get', 'GetItem', key, { Key: { [layout.key]: { S: key } }, ConsistentRead: true })
      return fromItem('get', key, reply.item)
    },
    async release(key, owner) {
      await request('release', 'DeleteItem', key, {
        Key: { [layout.key]: { S: key } },
        ConditionExpression: '#o = :owner',
        ExpressionAttributeNames: { '#o': names['#o'] },
        ExpressionAttributeValues: { ':owner': { S: owner } },
      })
    },
  }
}

/** A record's way into and out of an item, and the condition under which a claim may take a key. */
interface Layout {
  readonly key: string
  readonly status: string
  readonly owner: string
  readonly keys: KeyScheme | undefined
  write(record: IdempotencyRecord): Item
  read(operation: StoreOperation, key: string, item: Item): RawRecord
  claimable(now: number): { ConditionExpression: string; ExpressionAttributeNames: Record<string, string>; ExpressionAttributeValues: Item }
}

type RawRecord = Parameters<typeof toRecord>[3]

const S = (value: NativeValue | undefined): unknown => (value !== undefined && 'S' in value ? value.S : undefined)
const N = (value: NativeValue | undefined): unknown => (value !== undefined && 'N' in value ? value.N : undefined)

function layoutOf(option: DynamoDbStoreOptions['layout'], keyAttribute: string): Layout {
  if (option === undefined || option === 'faasade') return faasadeLayout(keyAttribute)
  if (option === 'powertools') return powertoolsLayout(keyAttribute, {})
  if (typeof option === 'object' && option !== null && typeof option.powertools === 'object' && option.powertools !== null) {
    checkOptions('dynamoDbStore: layout.powertools', option.powertools, ['keyPrefix', 'hashFunction', ...Object.keys(POWERTOOLS_ATTRIBUTES)])
    return powertoolsLayout(keyAttribute, option.powertools)
  }
  throw new ConfigurationError("dynamoDbStore: layout must be 'faasade', 'powertools' or { powertools: { keyPrefix?, hashFunction?, statusAttr?, … } }")
}

/**
 * faasade's items: `status`, `expiresAt` (epoch ms, what conditions
 * compare), `ttl` (epoch seconds, for DynamoDB's TTL), `payloadHash`,
 * `owner`, `result` (JSON text).
 */
function faasadeLayout(keyAttribute: string): Layout {
  return {
    key: keyAttribute,
    status: 'status',
    owner: 'owner',
    keys: undefined,
    write(record) {
      const item: Item = {
        [keyAttribute]: { S: record.key },
        status: { S: record.status },
        expiresAt: { N: String(record.expiresAt) },
        ttl: { N: String(Math.ceil(record.expiresAt / 1000)) },
        payloadHash: { S: record.payloadHash },
        owner: { S: record.owner },
      }
      if (record.result !== undefined) item.result = { S: record.result }
      return item
    },
    read: (_operation, _key, item) => ({ status: S(item.status), expiresAt: N(item.expiresAt), payloadHash: S(item.payloadHash), owner: S(item.owner), result: S(item.result) }),
    claimable: (now) => ({
      ConditionExpression: 'attribute_not_exists(#k) OR #e <= :now',
      ExpressionAttributeNames: { '#k': keyAttribute, '#e': 'expiresAt' },
      ExpressionAttributeValues: { ':now': { N: String(now) } },
    }),
  }
}

// A Powertools record has no owner of ours: this one, which no claim of
// ours ever has (owners are random), says so and lets nobody complete it.
const FOREIGN_OWNER = 'powertools'

/** Powertools' items (see internal/dynamodb-layout.ts), plus `owner`. */
function powertoolsLayout(keyAttribute: string, options: PowertoolsLayoutOptions): Layout {
  const a = { ...POWERTOOLS_ATTRIBUTES }
  for (const attr of Object.keys(POWERTOOLS_ATTRIBUTES) as (keyof typeof a)[]) {
    const given = options[attr]
    if (given !== undefined && (typeof given !== 'string' || given === '')) throw new ConfigurationError(`dynamoDbStore: layout.powertools.${attr} must be a non-empty string`)
    if (given !== undefined) a[attr] = given
  }
  const prefix = options.keyPrefix ?? envVar('AWS_LAMBDA_FUNCTION_NAME') ?? ''
  if (typeof prefix !== 'string') throw new ConfigurationError('dynamoDbStore: layout.powertools.keyPrefix must be a string')
  const hashFunction = options.hashFunction ?? 'md5'
  if (typeof hashFunction !== 'string' || hashFunction === '') throw new ConfigurationError("dynamoDbStore: layout.powertools.hashFunction must name a hash, e.g. 'md5'")
  return {
    key: keyAttribute,
    status: a.statusAttr,
    owner: 'owner',
    keys: powertoolsKeys(prefix.trim(), hashFunction),
    write(record) {
      // expiration is seconds, as Powertools writes it; a claim's is the end
      // of its lease (Powertools would write the end of the ttl), so that
      // either condition lets a later claim take a crashed claimant's key.
      const item: Item = {
        [keyAttribute]: { S: record.key },
        [a.statusAttr]: { S: record.status },
        [a.expiryAttr]: { N: String(Math.ceil(record.expiresAt / 1000)) },
        owner: { S: record.owner },
      }
      if (record.status === 'INPROGRESS') item[a.inProgressExpiryAttr] = { N: String(record.expiresAt) }
      if (record.payloadHash !== '') item[a.validationKeyAttr] = { S: record.payloadHash }
      if (record.result !== undefined) item[a.dataAttr] = toAttribute(JSON.parse(record.result))
      return item
    },
    read(operation, key, item) {
      const status = S(item[a.statusAttr])
      const seconds = Number(N(item[a.expiryAttr]))
      const inProgressMs = Number(N(item[a.inProgressExpiryAttr]))
      // Dead as soon as either Powertools condition says so: past expiration, or an INPROGRESS past its in-progress expiry.
      const expiresAt = status === 'INPROGRESS' && Number.isFinite(inProgressMs) ? Math.min(inProgressMs, seconds * 1000 || Infinity) : seconds * 1000
      const data = item[a.dataAttr]
      let result: string | undefined
      if (data !== undefined) {
        try {
          result = JSON.stringify(fromAttribute(data))
        } catch (error) {
          throw storeFailure('dynamodb', operation, key, new Error(`The stored Powertools "${a.dataAttr}" is not a value faasade can replay`, { cause: error }))
        }
      }
      return { status, expiresAt, payloadHash: S(item[a.validationKeyAttr]) ?? '', owner: S(item.owner) ?? FOREIGN_OWNER, result }
    },
    claimable: (now) => ({
      ConditionExpression: 'attribute_not_exists(#k) OR #e <= :seconds OR (#s = :inprogress AND attribute_exists(#ip) AND #ip <= :now)',
      ExpressionAttributeNames: { '#k': keyAttribute, '#e': a.expiryAttr, '#s': a.statusAttr, '#ip': a.inProgressExpiryAttr },
      ExpressionAttributeValues: { ':seconds': { N: String(now / 1000) }, ':now': { N: String(now) }, ':inprogress': { S: 'INPROGRESS' } },
    }),
  }
}
