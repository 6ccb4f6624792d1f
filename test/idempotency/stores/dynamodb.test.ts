/**
 * The DynamoDB store on dynalite (in process, on a free port), over both
 * transports: fetch + aws4fetch (the default) and a real SDK v3
 * DynamoDBClient. dynalite does not return the old item on a failed
 * condition; a test below checks the store uses it when a server does.
 */
import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import { DynamoDB, DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { AwsV4Signer } from 'aws4fetch'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { ConfigurationError } from 'faasade'
import { IdempotencyStoreError, type IdempotencyRecord } from 'faasade/idempotency'
import { DynamoDbRequestError, dynamoDbStore } from 'faasade/idempotency/dynamodb'
import { createSigner } from '../../../src/idempotency/stores/internal/sigv4.js'
import { describeStoreContract } from '../contract/store-contract.js'
import { DUMMY_AWS, freePort, startDynalite, type DynamoServer } from '../setup/servers.js'

const TABLE = 'idempotency'
let dynamo: DynamoServer
let sdk: DynamoDBClient
let aggregated: DynamoDB

beforeAll(async () => {
  dynamo = await startDynalite()
  await dynamo.createTable(TABLE)
  await dynamo.createTable('custom-key', 'pk')
  sdk = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: DUMMY_AWS, maxAttempts: 1 })
  aggregated = new DynamoDB({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: DUMMY_AWS, maxAttempts: 1 })
})

afterAll(async () => {
  sdk?.destroy()
  aggregated?.destroy()
  await dynamo?.stop()
})

const direct = (transport: 'node' | 'fetch') => dynamoDbStore({ table: TABLE, transport, endpoint: dynamo.endpoint, region: 'us-east-1', credentials: DUMMY_AWS })
describeStoreContract('dynamodb (node transport, the default on Node)', () => direct('node'))
describeStoreContract('dynamodb (fetch transport: fetch + aws4fetch)', () => direct('fetch'))
describeStoreContract('dynamodb (SDK DynamoDBClient)', () => dynamoDbStore({ table: TABLE, client: sdk }))
describeStoreContract('dynamodb (SDK aggregated DynamoDB client)', () => dynamoDbStore({ table: TABLE, client: aggregated }), { numRuns: 10 })

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

  it.each(['node', 'fetch'] as const)('%s: a dead endpoint is a store error at once (no retries)', async (transport) => {
    const port = await freePort()
    const error = await dynamoDbStore({ table: TABLE, transport, endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: DUMMY_AWS })
      .get('k')
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(IdempotencyStoreError)
    const cause = (error as Error).cause as Error & { code?: string; cause?: { code?: string } }
    expect(cause.code ?? cause.cause?.code).toBe('ECONNREFUSED')
  })

  it('the node transport is the default on Node', async () => {
    const store = dynamoDbStore({ table: TABLE, endpoint: dynamo.endpoint, region: 'us-east-1', credentials: DUMMY_AWS })
    const claim = record(`default-${randomUUID()}`)
    const fetchSpy = vi.spyOn(globalThis, 'fetch')
    try {
      expect(await store.claim(claim, Date.now())).toEqual({ claimed: true })
      expect(fetchSpy).not.toHaveBeenCalled()
    } finally {
      fetchSpy.mockRestore()
    }
  })

  it('node transport: a kept-alive connection the server dropped is retried once on a new one', async () => {
    // Answers the first request of each connection (from dynalite) and drops the connection on the second,
    // as a server does with a connection left idle across a Lambda freeze.
    const served = new WeakMap<object, number>()
    let dropped = 0
    const flaky = createServer(async (req, res) => {
      const n = (served.get(req.socket) ?? 0) + 1
      served.set(req.socket, n)
      const chunks: Buffer[] = []
      for await (const chunk of req) chunks.push(chunk as Buffer)
      if (n > 1) return (dropped++, req.socket.destroy())
      const headers: Record<string, string> = {}
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'content-length' && k !== 'connection') headers[k] = v
      const upstream = await fetch(`${dynamo.endpoint}/`, { method: 'POST', headers, body: Buffer.concat(chunks) })
      res.writeHead(upstream.status, { 'content-type': 'application/x-amz-json-1.0' }).end(await upstream.text())
    })
    const port = await freePort()
    await new Promise<void>((resolve) => flaky.listen(port, '127.0.0.1', resolve))
    try {
      const store = dynamoDbStore({ table: TABLE, transport: 'node', endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: DUMMY_AWS })
      const claim = record(`reset-${randomUUID()}`)
      expect(await store.claim(claim, Date.now())).toEqual({ claimed: true })
      expect(await store.get(claim.key)).toEqual(claim)
      expect(dropped).toBe(1)
    } finally {
      flaky.closeAllConnections()
      await new Promise<void>((resolve) => flaky.close(() => resolve()))
    }
  })

  it.each(['auto', 'web'] as const)('the node transport signs exactly as aws4fetch does (SigV4; %s crypto), with and without a session token', async (which) => {
    const date = new Date('2026-11-24T08:09:10.123Z')
    const url = new URL('https://dynamodb.eu-west-1.amazonaws.com/')
    const body = JSON.stringify({ TableName: 'idempotency', Key: { id: { S: 'k 🔑' } } })
    // aws4fetch leaves content-type unsigned (ours signs every header it is given), so compare on the rest.
    const headers = { 'x-amz-target': 'DynamoDB_20120810.GetItem' }
    for (const credentials of [DUMMY_AWS, { ...DUMMY_AWS, sessionToken: 'token/with+odd=chars' }]) {
      const ours = await createSigner(which)({ url, headers, body, service: 'dynamodb', region: 'eu-west-1', credentials, date })
      const reference = new AwsV4Signer({ url: url.href, method: 'POST', headers, body, service: 'dynamodb', region: 'eu-west-1', datetime: ours['x-amz-date']!, ...credentials })
      const signed = await reference.sign()
      expect(ours.authorization).toBe(signed.headers.get('authorization'))
      expect(ours['x-amz-security-token']).toBe(signed.headers.get('x-amz-security-token') ?? undefined)
    }
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
    expect(() => dynamoDbStore({ table: TABLE, client: sdk, endpoint: 'http://x' })).toThrow(/without a client/)
    expect(() => dynamoDbStore({ table: TABLE, transport: 'http' as never })).toThrow(/transport/)
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

  it.each(['node', 'fetch', 'sdk'] as const)('%s: a lost claim returns the live record from the PutItem reply: one round trip', async (transport) => {
    const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: DUMMY_AWS, maxAttempts: 1 })
    try {
      const store =
        transport === 'sdk' ? dynamoDbStore({ table: TABLE, client }) : dynamoDbStore({ table: TABLE, transport, endpoint, region: 'us-east-1', credentials: DUMMY_AWS })
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
