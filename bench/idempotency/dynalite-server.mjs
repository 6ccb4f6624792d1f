/**
 * dynalite in its own process, so that its CPU does not share the bench's
 * event loop. Creates the tables given as arguments, then prints
 * `READY <port>`. Stops on SIGTERM.
 *
 * Usage: node bench/idempotency/dynalite-server.mjs <table>...
 */
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const dynalite = require('dynalite')
const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 })
await new Promise((resolve, reject) => server.listen(0, '127.0.0.1', (error) => (error ? reject(error) : resolve())))
const { port } = server.address()
const { AwsClient } = await import('aws4fetch')
const aws = new AwsClient({ accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench', service: 'dynamodb', region: 'us-east-1', retries: 0 })
for (const table of process.argv.slice(2)) {
  const response = await aws.fetch(`http://127.0.0.1:${port}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.CreateTable' },
    body: JSON.stringify({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    }),
  })
  if (!response.ok) throw new Error(`CreateTable ${table}: ${await response.text()}`)
}
process.on('SIGTERM', () => server.close(() => process.exit(0)))
process.stdout.write(`READY ${port}\n`)
