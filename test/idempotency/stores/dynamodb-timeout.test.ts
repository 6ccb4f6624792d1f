// The store's requestTimeout against a server that accepts the connection
// and never answers, while garbage is collected: the fetch transport used to
// hand aws4fetch an AbortSignal.timeout() that it dropped when it rebuilt
// the request, so the signal (and its timer) could be collected and the call
// hung for good.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHungServer, underGc, type HungServer } from '../../support/hung-server.js'
import { IdempotencyStoreError } from 'faasade/idempotency'
import { dynamoDbStore } from 'faasade/idempotency/dynamodb'

let server: HungServer
let endpoint: string

beforeAll(async () => {
  server = await startHungServer()
  endpoint = server.origin
})

afterAll(() => server.close())

describe.each(['fetch', 'node'] as const)('dynamoDbStore (%s transport) against a server that never answers', (transport) => {
  it('fails with a typed store error whose cause is a timeout, within the configured timeout', async () => {
    const store = dynamoDbStore({ table: 'idempotency', transport, endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' }, requestTimeout: 150 })
    const started = Date.now()
    const error = await underGc(store.get('never-answered'), 5_000)
    expect(error).toBeInstanceOf(IdempotencyStoreError)
    expect((error as IdempotencyStoreError).operation).toBe('get')
    expect(((error as Error).cause as Error).name).toBe('TimeoutError')
    // Generous: the bound is the timeout plus scheduling on a busy machine, not a hang.
    expect(Date.now() - started).toBeLessThan(4_000)
  })
})
