/**
 * The DynamoDB store inside a Worker (workerd, through Miniflare): bundled
 * from the sources for Workers, it speaks to dynalite over the fetch
 * transport (aws4fetch), and the bundle holds no AWS SDK code.
 */
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { Miniflare } from 'miniflare'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { describeStoreContract } from '../contract/store-contract.js'
import { storeInWorker } from '../setup/store-in-worker.js'
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

describe('the DynamoDB store bundled for Workers', () => {
  it('holds no AWS SDK code and no node: import, only aws4fetch', () => {
    expect(inputs.filter((path) => path.includes('node_modules/')).map((p) => p.replace(/^.*node_modules\//, ''))).toEqual(['aws4fetch/dist/aws4fetch.esm.mjs'])
    expect(script).not.toMatch(/from\s*["']node:/)
  })
})

describeStoreContract('dynamodb (store inside a Worker, fetch transport)', () => storeInWorker(() => mf, 'dynamodb'), { numRuns: 10 })
