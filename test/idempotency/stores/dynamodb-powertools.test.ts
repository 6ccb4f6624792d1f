/**
 * The DynamoDB store in Powertools' layout, on dynalite, against Powertools
 * itself (the installed `@aws-lambda-powertools/idempotency`): a record its
 * `makeIdempotent` wrote is a replay through faasade, and the other way
 * round, so that a cutover runs no duplicate twice. Then the issue's port:
 * a body-keyed Hono route and a DynamoDB Streams consumer, on one table
 * Powertools wrote first.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { IdempotencyConfig, makeIdempotent as powertoolsIdempotent } from '@aws-lambda-powertools/idempotency'
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import * as z from 'zod'
import { ConfigurationError, createLogger, defineHandler } from 'faasade'
import { toLambda } from 'faasade/aws-lambda'
import { idempotent, IdempotencyKeyReusedError, makeIdempotent } from 'faasade/idempotency'
import { dynamoDbStore } from 'faasade/idempotency/dynamodb'
import { DUMMY_AWS, startDynalite, type DynamoServer } from '../setup/servers.js'
import { fixture, lambdaContext } from '../../aws-lambda/helpers.js'

const TABLE = 'IdempotencyTable'
let dynamo: DynamoServer
let sdk: DynamoDBClient
const quiet = createLogger({ sink: () => {} })

beforeAll(async () => {
  dynamo = await startDynalite()
  await dynamo.createTable(TABLE)
  sdk = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: DUMMY_AWS, maxAttempts: 1 })
  // Powertools warns when it has no Lambda context to bound its claim by.
  vi.spyOn(console, 'warn').mockImplementation(() => {})
})

afterAll(async () => {
  vi.restoreAllMocks()
  sdk?.destroy()
  await dynamo?.stop()
})

const store = (keyPrefix: string) => dynamoDbStore({ table: TABLE, client: sdk, layout: { powertools: { keyPrefix } } })
const powertoolsStore = () => new DynamoDBPersistenceLayer({ tableName: TABLE, awsSdkV3Client: sdk })
const item = async (key: string) =>
  ((await dynamo.call('GetItem', { TableName: TABLE, Key: { id: { S: key } }, ConsistentRead: true })) as { Item?: Record<string, Record<string, unknown>> }).Item

// Not the shared store contract: that asks for a result back as the same
// JSON text and a COMPLETED record's expiresAt to the millisecond, and this
// layout keeps, as Powertools does, a native DynamoDB value (equal as JSON,
// not as text: key order, number spelling) and expiry in whole seconds.
// What the layout must do is checked below, against Powertools itself.

describe('Powertools layout: records Powertools wrote are honoured, and ours by Powertools', () => {
  it('replays a result Powertools stored, with its key, validation and data, instead of running again', async () => {
    let powertoolsRuns = 0
    const original = powertoolsIdempotent(async (body: { name: string; message: string }) => ({ id: ++powertoolsRuns, greeting: `hello ${body.name}`, tags: ['a', 1, true, null] }), {
      persistenceStore: powertoolsStore(),
      keyPrefix: 'greeting-fn',
      config: new IdempotencyConfig({ eventKeyJmesPath: 'name', payloadValidationJmesPath: 'message' }),
    })
    const first = await original({ name: 'ada', message: 'hi' })

    let faasadeRuns = 0
    const ported = makeIdempotent(async (body: { name: string; message: string }) => ({ id: 100 + ++faasadeRuns, greeting: `hello ${body.name}`, tags: [] as unknown[] }), {
      name: 'greeting',
      store: store('greeting-fn'),
      key: (body) => body.name,
      payload: (body) => body.message,
      log: quiet,
    })
    expect(await ported({ name: 'ada', message: 'hi' })).toEqual(first)
    expect(faasadeRuns).toBe(0)
    // Powertools' validation hash is read as ours: another message under the key is a reuse.
    await expect(ported({ name: 'ada', message: 'changed' })).rejects.toBeInstanceOf(IdempotencyKeyReusedError)
  })

  it('writes records Powertools replays: a rollback to Powertools runs nothing twice either', async () => {
    let faasadeRuns = 0
    const ported = makeIdempotent(async (body: { name: string }) => ({ id: ++faasadeRuns, nested: { b: 2, a: [1, { c: 'x' }] } }), {
      name: 'greeting',
      store: store('rollback-fn'),
      key: (body) => body.name,
      log: quiet,
    })
    const first = await ported({ name: 'grace' })
    let powertoolsRuns = 0
    const original = powertoolsIdempotent(async (_body: { name: string }) => ({ id: 100 + ++powertoolsRuns }), {
      persistenceStore: powertoolsStore(),
      keyPrefix: 'rollback-fn',
      config: new IdempotencyConfig({ eventKeyJmesPath: 'name' }),
    })
    expect(await original({ name: 'grace' })).toEqual(first)
    expect(powertoolsRuns).toBe(0)
  })

  it('lays items out as Powertools does: key, status, expiration in seconds, in-progress expiry in ms, native data', async () => {
    const keys = store('layout-fn').keys!
    const key = await keys.key('ignored', 'ada')
    expect(key).toMatch(/^layout-fn#[A-Za-z0-9+/]{22}==$/)
    const ported = makeIdempotent(async () => ({ ok: true }), { name: 'layout', store: store('layout-fn'), key: () => 'ada', ttl: '1h', log: quiet })
    const before = Date.now()
    await ported()
    const stored = await item(key)
    expect(stored).toMatchObject({ status: { S: 'COMPLETED' }, data: { M: { ok: { BOOL: true } } } })
    const expiration = Number(stored!.expiration!.N)
    expect(expiration).toBeGreaterThanOrEqual(Math.floor(before / 1000) + 3600)
    expect(expiration).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 3601)
  })

  it('takes a key over from a Powertools claim whose in-progress expiry has passed', async () => {
    const keys = store('crashed-fn').keys!
    const key = await keys.key('x', 'k')
    await dynamo.call('PutItem', {
      TableName: TABLE,
      Item: { id: { S: key }, status: { S: 'INPROGRESS' }, expiration: { N: String(Math.round(Date.now() / 1000) + 3600) }, in_progress_expiration: { N: String(Date.now() - 1) } },
    })
    let runs = 0
    const ported = makeIdempotent(async () => ++runs, { name: 'crashed', store: store('crashed-fn'), key: () => 'k', log: quiet })
    expect(await ported()).toBe(1)
  })

  it('refuses a layout it does not know, with the options it takes', () => {
    expect(() => dynamoDbStore({ table: TABLE, client: sdk, layout: 'powertool' as never })).toThrow(ConfigurationError)
    expect(() => dynamoDbStore({ table: TABLE, client: sdk, layout: { powertools: { keyPrefx: 'x' } as never } })).toThrow(/did you mean "keyPrefix"/)
    expect(() => dynamoDbStore({ table: TABLE, client: sdk, layout: { powertools: { dataAttr: '' } } })).toThrow(/dataAttr/)
  })
})

describe('the Powertools example port: a body-keyed route and a stream consumer, cut over on one table', () => {
  it('a Hono route keyed on the body field name replays what Powertools stored before the cutover', async () => {
    let powertoolsRuns = 0
    const before = powertoolsIdempotent(async (body: { name: string }) => ({ id: `item-${++powertoolsRuns}`, name: body.name }), {
      persistenceStore: powertoolsStore(),
      keyPrefix: 'api-fn',
      config: new IdempotencyConfig({ eventKeyJmesPath: 'name' }),
    })
    const stored = await before({ name: 'ada' })

    let runs = 0
    const putItem = makeIdempotent(async (body: { name: string }) => ({ id: `new-${++runs}`, name: body.name }), {
      name: 'put-item',
      store: store('api-fn'),
      key: (body) => body.name,
      ttl: '1h',
      log: quiet,
    })
    const app = new Hono().post('/items', async (c) => c.json(await putItem(await c.req.json<{ name: string }>()), 201))
    const post = async (name: string) => (await app.request('/items', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) })).json()
    expect(await post('ada')).toEqual(stored) // written by Powertools: a replay
    expect(await post('grace')).toEqual({ id: 'new-1', name: 'grace' })
    expect(await post('grace')).toEqual({ id: 'new-1', name: 'grace' })
    expect(runs).toBe(1)
  })

  it('a DynamoDB Streams consumer skips the records Powertools processed before the cutover, and processes the rest once', async () => {
    const event = fixture('dynamodb--base')
    // Before the cutover, Powertools processed the first record (keyed on its eventID).
    let powertoolsRuns = 0
    const processRecord = powertoolsIdempotent(async (_record: unknown) => ({ processed: ++powertoolsRuns }), {
      persistenceStore: powertoolsStore(),
      keyPrefix: 'stream-fn',
      config: new IdempotencyConfig({ eventKeyJmesPath: 'eventID' }),
    })
    await processRecord(event.Records[0])

    const Change = z.object({ SequenceNumber: z.string(), NewImage: z.record(z.string(), z.unknown()).optional() })
    const processed: string[] = []
    const consumer = defineHandler({
      name: 'stream-consumer',
      type: 'com.amazonaws.dynamodb.*',
      data: Change,
      use: [idempotent({ store: store('stream-fn'), data: Change, key: (e) => e.id, payload: false })],
      handle: async (event) => {
        processed.push(event.data.SequenceNumber)
        return { processed: event.data.SequenceNumber }
      },
    })
    const handler = toLambda(consumer, { log: quiet })
    expect(await handler(event, lambdaContext())).toEqual({ batchItemFailures: [] })
    expect(await handler(event, lambdaContext())).toEqual({ batchItemFailures: [] }) // the whole batch redelivered
    expect(processed).toEqual(['222'])
    expect(powertoolsRuns).toBe(1)
  })
})
