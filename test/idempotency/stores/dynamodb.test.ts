/**
 * The DynamoDB store on dynalite (in process, on a free port), over both
 * transports: fetch + aws4fetch (the default) and a real SDK v3
 * DynamoDBClient. dynalite does not return the old item on a failed
 * condition; a test below checks the store uses it when a server does.
 */
import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { ConfigurationError } from 'faasade'
import { IdempotencyStoreError, type IdempotencyRecord } from 'faasade/idempotency'
import { DynamoDbRequestError, dynamoDbStore } from 'faasade/idempotency/dynamodb'
import { describeStoreContract } from '../contract/store-contract.js'
import { DUMMY_AWS, freePort, startDynalite, type DynamoServer } from '../setup/servers.js'

const TABLE = 'idempotency'
let dynamo: DynamoServer
let sdk: DynamoDBClient

beforeAll(async () => {
  dynamo = await startDynalite()
  await dynamo.createTable(TABLE)
  await dynamo.createTable('custom-key', 'pk')
  sdk = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: DUMMY_AWS, maxAttempts: 1 })
})

afterAll(async () => {
  sdk?.destroy()
  await dynamo?.stop()
})

describeStoreContract('dynamodb (fetch transport)', () => dynamoDbStore({ table: TABLE, endpoint: dynamo.endpoint, region: 'us-east-1', credentials: DUMMY_AWS }))
describeStoreContract('dynamodb (SDK client)', () => dynamoDbStore({ table: TABLE, client: sdk }))

const T = () => Date.now() + 60_000
const record = (key: string): IdempotencyRecord => ({ key, status: 'INPROGRESS', expiresAt: T(), payloadHash: 'h', owner: randomUUID() })

describe('dynamodb store specifics', () => {
  afterEach(() => vi.unstubAllEnvs())

  it('writes expiresAt (ms) for conditions and ttl (epoch seconds) for DynamoDB TTL', async () => {
    const store = dynamoDbStore({ table: TABLE, client: sdk })
    const claim = record(`ttl-${randomUUID()}`)
    await store.claim(claim, Date.now())
    const { Item } = (await dynamo.call('GetItem', { TableName: TABLE, Key: { id: { S: claim.key } }, ConsistentRead: true })) as { Item: Record<string, { N?: string }> }
    expect(Item.expiresAt!.N).toBe(String(claim.expiresAt))
    expect(Item.ttl!.N).toBe(String(Math.ceil(claim.expiresAt / 1000)))
  })

  it('takes credentials, region and endpoint from the environment, read on first use', async () => {
    const store = dynamoDbStore({ table: TABLE })
    vi.stubEnv('AWS_ACCESS_KEY_ID', DUMMY_AWS.accessKeyId)
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', DUMMY_AWS.secretAccessKey)
    vi.stubEnv('AWS_SESSION_TOKEN', 'session')
    vi.stubEnv('AWS_REGION', 'us-east-1')
    vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', dynamo.endpoint)
    expect(await store.claim(record(`env-${randomUUID()}`), Date.now())).toEqual({ claimed: true })
  })

  it('without credentials, a store error whose cause says what to set', async () => {
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) vi.stubEnv(name, '')
    const error = await dynamoDbStore({ table: TABLE, region: 'us-east-1', endpoint: dynamo.endpoint })
      .get('k')
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(IdempotencyStoreError)
    expect(String((error as Error).cause)).toMatch(/AWS_ACCESS_KEY_ID/)
  })

  it('a missing table is a store error carrying the service error code (fetch) or the SDK error', async () => {
    const viaFetch = await dynamoDbStore({ table: 'no-such-table', endpoint: dynamo.endpoint, region: 'us-east-1', credentials: DUMMY_AWS })
      .claim(record('k'), Date.now())
      .catch((e: unknown) => e)
    expect(viaFetch).toBeInstanceOf(IdempotencyStoreError)
    expect((viaFetch as IdempotencyStoreError).operation).toBe('claim')
    const cause = (viaFetch as Error).cause as DynamoDbRequestError
    expect(cause).toBeInstanceOf(DynamoDbRequestError)
    expect(cause.code).toBe('ResourceNotFoundException')
    expect(cause.status).toBe(400)

    const viaSdk = await dynamoDbStore({ table: 'no-such-table', client: sdk })
      .get('k')
      .catch((e: unknown) => e)
    expect(viaSdk).toBeInstanceOf(IdempotencyStoreError)
    expect(((viaSdk as Error).cause as Error).name).toBe('ResourceNotFoundException')
  })

  it('a dead endpoint is a store error at once (no retries)', async () => {
    const port = await freePort()
    const error = await dynamoDbStore({ table: TABLE, endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: DUMMY_AWS })
      .get('k')
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(IdempotencyStoreError)
    expect(((error as Error).cause as Error & { cause?: { code?: string } }).cause?.code).toBe('ECONNREFUSED')
  })

  it('an item too large for DynamoDB is a store error on complete, and the claim stays', async () => {
    const store = dynamoDbStore({ table: TABLE, client: sdk })
    const claim = record(`big-${randomUUID()}`)
    await store.claim(claim, Date.now())
    const error = await store.complete({ ...claim, status: 'COMPLETED', result: 'x'.repeat(410 * 1024) }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(IdempotencyStoreError)
    expect(await store.get(claim.key)).toEqual(claim)
  })

  it('a foreign item under the key is a store error naming the field, never the value', async () => {
    const key = `foreign-${randomUUID()}`
    await dynamo.call('PutItem', { TableName: TABLE, Item: { id: { S: key }, status: { S: 'INPROGRESS' }, expiresAt: { S: 'soon' }, owner: { S: 'x' }, payloadHash: { S: 'secret-hash' } } })
    const error = await dynamoDbStore({ table: TABLE, client: sdk })
      .get(key)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(IdempotencyStoreError)
    expect(String((error as Error).cause)).toContain('"expiresAt"')
    expect(String((error as Error).cause)).not.toContain('soon')
  })

  it('keyAttribute names the partition key', async () => {
    const store = dynamoDbStore({ table: 'custom-key', keyAttribute: 'pk', client: sdk })
    const claim = record(`pk-${randomUUID()}`)
    expect(await store.claim(claim, Date.now())).toEqual({ claimed: true })
    expect(await store.get(claim.key)).toEqual(claim)
  })

  it('refuses bad options at definition time', () => {
    expect(() => dynamoDbStore(undefined as never)).toThrow(ConfigurationError)
    expect(() => dynamoDbStore({ table: 'x' })).toThrow(/table/)
    expect(() => dynamoDbStore({ table: TABLE, tabel: 'y' } as never)).toThrow(/unknown option "tabel"/)
    expect(() => dynamoDbStore({ table: TABLE, client: {} as never })).toThrow(/client/)
    expect(() => dynamoDbStore({ table: TABLE, client: sdk, endpoint: 'http://x' })).toThrow(/fetch transport/)
    expect(() => dynamoDbStore({ table: TABLE, requestTimeout: -1 })).toThrow(/requestTimeout/)
    expect(() => dynamoDbStore({ table: TABLE, credentials: { accessKeyId: 'a' } as never })).toThrow(/credentials/)
  })
})

/**
 * Real DynamoDB answers a failed condition with the old item when asked
 * (`ReturnValuesOnConditionCheckFailure: ALL_OLD`); dynalite does not. A
 * proxy in front of dynalite adds the item, read from dynalite itself, to
 * such replies, in the documented shape (a test double for what cannot run
 * here), and counts requests.
 */
describe('dynamodb: the old item in a failed-condition reply', () => {
  let proxy: Server
  let endpoint: string
  const targets: string[] = []

  beforeAll(async () => {
    proxy = createServer(async (req: IncomingMessage, res) => {
      const chunks: Buffer[] = []
      for await (const chunk of req) chunks.push(chunk as Buffer)
      const body = Buffer.concat(chunks)
      const target = String(req.headers['x-amz-target'])
      targets.push(target.split('.')[1]!)
      const headers: Record<string, string> = {}
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v
      const upstream = await fetch(`${dynamo.endpoint}/`, { method: 'POST', headers: { ...headers, host: `127.0.0.1:${dynamo.port}` }, body })
      let text = await upstream.text()
      const input = JSON.parse(body.toString()) as { TableName: string; Item?: Record<string, unknown>; ReturnValuesOnConditionCheckFailure?: string }
      if (upstream.status === 400 && text.includes('ConditionalCheckFailedException') && input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD') {
        const { Item } = (await dynamo.call('GetItem', { TableName: input.TableName, Key: { id: input.Item!.id }, ConsistentRead: true })) as { Item?: unknown }
        text = JSON.stringify({ ...(JSON.parse(text) as object), Item })
      }
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/x-amz-json-1.0' }).end(text)
    })
    const port = await freePort()
    await new Promise<void>((resolve) => proxy.listen(port, '127.0.0.1', resolve))
    endpoint = `http://127.0.0.1:${port}`
  })

  afterAll(() => new Promise<void>((resolve) => proxy.close(() => resolve())))

  it.each(['fetch', 'sdk'] as const)('%s: a lost claim returns the live record from the PutItem reply: one round trip', async (transport) => {
    const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: DUMMY_AWS, maxAttempts: 1 })
    try {
      const store =
        transport === 'fetch'
          ? dynamoDbStore({ table: TABLE, endpoint, region: 'us-east-1', credentials: DUMMY_AWS })
          : dynamoDbStore({ table: TABLE, client })
      const first = record(`old-item-${transport}-${randomUUID()}`)
      await store.claim(first, Date.now())
      targets.length = 0
      expect(await store.claim(record(first.key), Date.now())).toEqual({ claimed: false, existing: first })
      expect(targets).toEqual(['PutItem'])
    } finally {
      client.destroy()
    }
  })
})
