/**
 * The cold-start entries: a function app's index file with one hello
 * function, through faasade and as a raw v4 handler, for a storage-queue
 * trigger and an HTTP trigger. Each is bundled by esbuild as a function app
 * deploys it (ESM, platform node, minified, `@azure/functions` external:
 * the app loads it from node_modules at run time).
 */
const faasade = (register) => `import { app } from '@azure/functions'
import { defineHandler } from 'faasade'
import { toAzureFunctions } from 'faasade/azure-functions'

const azure = toAzureFunctions(defineHandler({ handle: () => 'hello' }))
${register}
`

export const ENTRIES = {
  'queue-faasade': {
    trigger: 'queue',
    source: faasade(`app.storageQueue('hello', { queueName: 'orders', connection: 'AzureWebJobsStorage', handler: azure.storageQueue })`),
  },
  'queue-raw': {
    trigger: 'queue',
    source: `import { app } from '@azure/functions'

app.storageQueue('hello', { queueName: 'orders', connection: 'AzureWebJobsStorage', handler: async () => 'hello' })
`,
  },
  'http-faasade': {
    trigger: 'http',
    source: faasade(`app.http('hello', { methods: ['POST'], authLevel: 'anonymous', route: 'orders', handler: azure.http })`),
  },
  'http-raw': {
    trigger: 'http',
    source: `import { app } from '@azure/functions'

app.http('hello', { methods: ['POST'], authLevel: 'anonymous', route: 'orders', handler: async (request) => { await request.json(); return { status: 200, jsonBody: 'hello' } } })
`,
  },
}
