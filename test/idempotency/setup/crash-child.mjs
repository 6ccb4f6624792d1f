// A function instance that claims an event's key and then dies mid-handler
// (the test SIGKILLs it once it says RUNNING). Bundled by esbuild from the
// sources for test/idempotency/stores/crash.test.ts.
//   node crash-child.mjs <redis|postgres> <url> <event JSON> <lease ms>
import { Redis } from 'ioredis'
import pg from 'pg'
import { createContext, defineHandler } from '../../../src/index.ts'
import { idempotent } from '../../../src/idempotency/index.ts'
import { postgresStore } from '../../../src/idempotency/stores/postgres.ts'
import { redisStore } from '../../../src/idempotency/stores/redis.ts'

const [kind, url, eventJson, lease] = process.argv.slice(2)
const store = kind === 'redis' ? redisStore(new Redis(url, { maxRetriesPerRequest: 1 })) : postgresStore(new pg.Pool({ connectionString: url }))
const handler = defineHandler({
  name: 'crash-test',
  use: [idempotent({ store, lease: Number(lease) })],
  async handle() {
    process.stdout.write('RUNNING\n')
    await new Promise(() => {}) // never returns: killed here
  },
})
const event = JSON.parse(eventJson)
await handler.run(event, createContext({ provider: { name: 'crash-child', raw: event } }))
