/**
 * The DynamoDB store inside a Worker (workerd, through Miniflare): bundled
 * from the sources for Workers, it speaks to dynalite over the fetch
 * transport (aws4fetch), and the bundle holds no AWS SDK code.
 */
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { Miniflare } from 'miniflare'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ClaimResult, IdempotencyRecord, IdempotencyStore } from 'faasade/idempotency'
import { describeStoreContract } from '../contract/store-contract.js'
import { DUMMY_AWS, startDynalite, type DynamoServer } from '../setup/servers.js'

let dynamo: DynamoServer
let mf: Miniflare
let script: string
let inputs: string[]

beforeAll(async () => {
  dynamo = await startDynalite()
  await dynamo.createTable('idempotency')
  const result = await build({
    entryPoints: [fileURLToPath(new URL('../setup/dynamodb-worker.mjs', import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    conditions: ['workerd', 'worker', 'browser'],
    target: 'es2022',
    external: ['cloudflare:*'],
    write: false,
    metafile: true,
    logLevel: 'silent',
  })
  script = result.outputFiles[0]!.text
  inputs = Object.keys(result.metafile.inputs)
  mf = new Miniflare({
    // Listed, not walked: Miniflare's module walker refuses the store's lazy imports by variable specifier up front.
    modules: [{ type: 'ESModule', path: 'worker.mjs', contents: script }],
    compatibilityDate: '2026-04-01',
    bindings: { TABLE: 'idempotency', ENDPOINT: dynamo.endpoint, KEY_ID: DUMMY_AWS.accessKeyId, SECRET: DUMMY_AWS.secretAccessKey },
  })
  await mf.ready
})

afterAll(async () => {
  await mf?.dispose()
  await dynamo?.stop()
})

function storeInWorker(): IdempotencyStore {
  const call = async (op: string, args: unknown[]): Promise<unknown> => {
    const response = await mf.dispatchFetch('http://worker/', { method: 'POST', body: JSON.stringify({ op, args }) })
    const body = (await response.json()) as { ok: boolean; result?: unknown; name?: string; message?: string; cause?: string }
    if (!body.ok) throw new Error(`${body.name}: ${body.message} (cause: ${body.cause})`)
    return body.result
  }
  return {
    name: 'dynamodb',
    claim: async (record, now) => (await call('claim', [record, now])) as ClaimResult,
    complete: async (record) => void (await call('complete', [record])),
    get: async (key) => (await call('get', [key])) as IdempotencyRecord | undefined,
    release: async (key, owner) => void (await call('release', [key, owner])),
  }
}

describe('the DynamoDB store bundled for Workers', () => {
  it('holds no AWS SDK code and no node: import, only aws4fetch', () => {
    expect(inputs.filter((path) => path.includes('node_modules/')).map((p) => p.replace(/^.*node_modules\//, ''))).toEqual(['aws4fetch/dist/aws4fetch.esm.mjs'])
    expect(script).not.toMatch(/from\s*["']node:/)
  })
})

describeStoreContract('dynamodb (store inside a Worker, fetch transport)', storeInWorker, { numRuns: 10 })
