// fromEnv on Node (process.env) and on Workers (the env binding passed by
// the adapter as ctx.provider.raw.env), both through the middleware.
import { defineHandler, outcomeOf } from 'faasade'
import { fromEnv, secrets, SecretInvalidError, SecretNotFoundError } from 'faasade/secrets'
import { afterEach, describe, expect, it } from 'vitest'
import * as v from 'valibot'
import * as z from 'zod'
import { run } from './helpers/run.js'

const saved = { ...process.env }
afterEach(() => {
  process.env = { ...saved }
})

describe('fromEnv', () => {
  it('reads process.env on Node', async () => {
    process.env.FAASADE_TEST_DB = 'postgres://u:env-pa55@h/db'
    const handler = defineHandler({ use: [secrets({ db: fromEnv('FAASADE_TEST_DB') })], handle: (_e, ctx) => ctx.secrets.db.value })
    expect((await run(handler)).result).toBe('postgres://u:env-pa55@h/db')
  })

  it('reads the provider\'s environment bindings (a Worker\'s env), before process.env', async () => {
    process.env.API_TOKEN = 'from-process-env'
    const handler = defineHandler({ use: [secrets({ token: fromEnv('API_TOKEN') })], handle: (_e, ctx) => ctx.secrets.token.value })
    const env = { API_TOKEN: 'from-workers-binding', KV: { get() {} } }
    expect((await run(handler, { name: 'cloudflare-workers', raw: { request: {}, env, ctx: {} }, env })).result).toBe('from-workers-binding')
  })

  it('falls back to process.env when the binding is absent, and reads no raw input of a provider (only provider.env)', async () => {
    process.env.ONLY_IN_PROCESS = 'process-value'
    const a = defineHandler({ use: [secrets({ t: fromEnv('ONLY_IN_PROCESS') })], handle: (_e, ctx) => ctx.secrets.t.value })
    expect((await run(a, { name: 'cloudflare-workers', raw: { env: {} }, env: {} })).result).toBe('process-value')
    const b = defineHandler({ use: [secrets({ t: fromEnv('ONLY_IN_PROCESS') })], handle: (_e, ctx) => ctx.secrets.t.value })
    expect((await run(b, { name: 'aws-lambda', raw: { env: { ONLY_IN_PROCESS: 'not-this' } } })).result).toBe('process-value')
  })

  it('is a permanent error naming the variable when it is missing, or a binding that is not a string', async () => {
    delete process.env.MISSING_SECRET
    const missing = await run(defineHandler({ use: [secrets({ m: fromEnv('MISSING_SECRET') })], handle: () => 'ran' }))
    expect(missing.error).toBeInstanceOf(SecretNotFoundError)
    expect((missing.error as Error).message).toContain('MISSING_SECRET')
    // A fault of the deployment: retried until the variable is set, never a lost event.
    expect(outcomeOf(missing.error).kind).toBe('retry')
    const kv = await run(defineHandler({ use: [secrets({ m: fromEnv('KV') })], handle: () => 'ran' }), { name: 'cloudflare-workers', raw: {}, env: { KV: {} } })
    expect(kv.error).toBeInstanceOf(SecretNotFoundError)
  })

  it('parses json and validates with zod or valibot, failing without the value', async () => {
    process.env.SMTP = '{"user":"mailer","pass":"smtp-pa55-env"}'
    const zod = defineHandler({
      use: [secrets({ smtp: fromEnv('SMTP', { json: true, schema: z.object({ user: z.string(), pass: z.string().min(8) }) }) })],
      handle: (_e, ctx) => ctx.secrets.smtp.value.user,
    })
    expect((await run(zod)).result).toBe('mailer')
    const valibot = defineHandler({
      use: [secrets({ smtp: fromEnv('SMTP', { json: true, schema: v.object({ user: v.number(), pass: v.string() }) }) })],
      handle: () => 'ran',
    })
    const bad = await run(valibot)
    expect(bad.error).toBeInstanceOf(SecretInvalidError)
    expect((bad.error as SecretInvalidError).paths).toEqual(['user'])
    process.env.NOT_JSON = 'not-json-but-a-secret-1234'
    const notJson = await run(defineHandler({ use: [secrets({ n: fromEnv('NOT_JSON', { json: true }) })], handle: () => 'ran' }))
    expect(notJson.error).toBeInstanceOf(SecretInvalidError)
    for (const error of [bad.error, notJson.error]) {
      const everything = `${String(error)} ${(error as Error).stack} ${JSON.stringify(error)} ${JSON.stringify((error as Error).cause ?? null)}`
      expect(everything).not.toContain('not-json-but-a-secret-1234')
      expect(everything).not.toContain('mailer')
    }
  })
})
