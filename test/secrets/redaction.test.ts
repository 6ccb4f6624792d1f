// Every kind of secret value (text, a JSON object through a schema, bytes)
// pushed through every way a value leaks: the logger (wrapped, raw, in
// template strings, inside errors, the whole context), thrown errors,
// JSON.stringify(ctx), util.inspect(ctx), util.format, String(). The values
// must appear nowhere.
import util from 'node:util'
import { createContext, createEvent, createLogger, defineHandler } from 'faasade'
import { defineSecretProvider, fromEnv, secrets } from 'faasade/secrets'
import { afterAll, beforeAll, expect, it } from 'vitest'
import * as z from 'zod'

const TEXT = 'postgres://app:Pa55word-Redact-01@db.internal/app'
const API_KEY = 'sk_live_redaction_0001'
const WEBHOOK = 'whsec_redaction_0002'
const BYTES = new Uint8Array([0xde, 0xad, 0xbe, 0xef, 0x10, 0x20, 0x30, 0x40])
const BYTES_B64 = Buffer.from(BYTES).toString('base64')
const saved = { ...process.env }

beforeAll(() => {
  process.env.REDACT_DB = TEXT
  process.env.REDACT_STRIPE = JSON.stringify({ apiKey: API_KEY, webhook: WEBHOOK, port: 443 })
})
afterAll(() => {
  process.env = saved
})

const needles = [TEXT, API_KEY, WEBHOOK, BYTES_B64, 'Pa55word-Redact-01', JSON.stringify(TEXT).slice(1, -1), 'deadbeef', '222,173,190,239']

it('finds no secret value in logs, errors, serialised or inspected contexts', async () => {
  const out: string[] = []
  // What handle saw, asserted after run: an assertion failing inside handle would reach us only as the handler's error.
  const seen: { db?: unknown; apiKey?: unknown; cert?: unknown } = {}
  const log = createLogger({ level: 'debug', sink: (line) => out.push(line) })
  const handler = defineHandler({
    use: [secrets({
      db: fromEnv('REDACT_DB'),
      stripe: fromEnv('REDACT_STRIPE', { json: true, schema: z.object({ apiKey: z.string(), webhook: z.string(), port: z.number() }) }),
      cert: defineSecretProvider<Uint8Array>({ kind: 'bytes', secretName: 'cert', fetch: async () => ({ bytes: BYTES }) }, { binary: true }),
    })],
    async handle(_e, ctx) {
      const { db, stripe, cert } = ctx.secrets
      Object.assign(seen, { db: db.value, apiKey: stripe.value.apiKey, cert: cert.value })
      // Wrapped values, every form.
      ctx.log.info('wrapped', { db, stripe, cert, all: ctx.secrets })
      ctx.log.info(`template ${db} ${stripe} ${cert}`)
      ctx.log.info('concat ' + db + stripe)
      ctx.log.warn('the whole context', { ctx })
      // Raw values, caught by the logger's scrubber.
      ctx.log.info('raw', { db: db.value, stripe: stripe.value, key: stripe.value.apiKey, b64: Buffer.from(cert.value).toString('base64') })
      ctx.log.info(`raw template ${db.value} ${stripe.value.apiKey} ${stripe.value.webhook}`)
      ctx.log.error('raw in an error', { error: new Error(`connect to ${db.value} failed with key ${stripe.value.apiKey}`) })
      ctx.log.debug('json of raw', { text: JSON.stringify(stripe.value) })
      out.push(JSON.stringify(ctx))
      out.push(JSON.stringify({ secrets: ctx.secrets, db, stripe, cert }))
      out.push(util.inspect(ctx, { depth: 20, showHidden: true }))
      out.push(util.inspect(ctx.secrets, { depth: 20, showHidden: true }))
      out.push(util.inspect({ db, stripe, cert }, { depth: 20 }))
      out.push(util.format('%s %o %O %j', db, stripe, cert, ctx.secrets))
      out.push(String(db), `${stripe}`, String(cert), Object.keys(db).join(), JSON.stringify(Object.entries(stripe)))
      out.push(JSON.stringify(structuredClone({ ...db })))
      throw new Error(`could not charge with ${stripe} on ${db}`)
    },
  })
  const ctx = createContext({ provider: { name: 'test', raw: {} }, log })
  const error = await handler.run(createEvent({ id: '1', source: '/s', type: 't' }), ctx).then(
    () => undefined,
    (e: unknown) => e as Error,
  )
  expect(seen.db).toBe(TEXT)
  expect(seen.apiKey).toBe(API_KEY)
  expect(seen.cert).toEqual(BYTES)
  expect(error).toBeInstanceOf(Error)
  expect(error!.message).toBe('could not charge with [redacted] on [redacted]')
  out.push(String(error), error!.stack ?? '', JSON.stringify(error), util.inspect(error))
  log.error('handler failed', { error, ctx })

  const everything = out.join('\n')
  expect(everything).toContain('[redacted]')
  for (const needle of needles) expect(everything, `leaked ${needle}`).not.toContain(needle)
  // The logger saw the raw values and scrubbed them (not just never saw them).
  expect(out.find((l) => l.includes('"msg":"raw"'))).toContain('"key":"[redacted]"')
})
