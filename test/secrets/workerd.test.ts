// The secrets middleware inside real workerd (Miniflare): fromEnv reads the
// Worker's env binding through the documented ctx.provider.env contract, and the
// AWS fetch transport (aws4fetch over the Workers fetch) reaches a local
// Secrets Manager endpoint. The Worker is the middleware bundled by esbuild
// for a neutral platform, as a Workers build would; its Hono app takes the
// same secrets through honoSecrets(secrets({...})) (c.env as the bindings).
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { Miniflare } from 'miniflare'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { secretsManager, type Stored } from './helpers/secrets-manager.js'
import { startServer, type LocalServer } from './helpers/server.js'

const root = fileURLToPath(new URL('../../', import.meta.url))
const store = new Map<string, Stored>([['prod/stripe', { string: '{"apiKey":"sk_live_workerd_777"}' }]])
let server: LocalServer
let mf: Miniflare

const worker = `
import { Hono } from 'hono'
import { createContext } from './src/context.ts'
import { createEvent as makeEvent } from './src/event.ts'
import { defineHandler } from './src/handler.ts'
import { secrets, honoSecrets, fromEnv } from './src/secrets/index.ts'
import { fromAwsSecretsManager } from './src/secrets/providers/aws.ts'

// One secrets() value for the event handler and the Hono app: one cache.
let shared, handler, app
function init(env) {
  shared ??= secrets({
    token: fromEnv('API_TOKEN'),
    stripe: fromAwsSecretsManager('prod/stripe', {
      json: true, endpoint: env.SM_ENDPOINT, region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret-test-key', sessionToken: 'workerd' },
    }),
  })
  handler ??= defineHandler({
    use: [shared],
    handle: (_e, ctx) => ({ token: ctx.secrets.token.value, apiKey: ctx.secrets.stripe.value.apiKey, serialised: JSON.stringify(ctx) }),
  })
  app ??= new Hono().get('/hono', honoSecrets(shared), (c) =>
    c.json({ token: c.var.secrets.token.value, apiKey: c.var.secrets.stripe.value.apiKey, serialised: JSON.stringify(c.var) }))
}

export default {
  async fetch(request, env, executionContext) {
    init(env)
    if (new URL(request.url).pathname === '/hono') return app.fetch(request, env, executionContext)
    const ctx = createContext({ provider: { name: 'cloudflare-workers', raw: { request, env }, env } })
    const result = await handler.run(makeEvent({ id: '1', source: '/w', type: 't' }), ctx)
    return Response.json(result)
  },
}
`

beforeAll(async () => {
  server = await startServer(secretsManager(store))
  const bundled = await build({
    stdin: { contents: worker, resolveDir: root, loader: 'ts' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    logLevel: 'silent',
  })
  mf = new Miniflare({
    // Listed, not walked: Miniflare's walker refuses the SDK transport's
    // dynamic import(specifier), which workerd itself only fails if called.
    modules: [{ type: 'ESModule', path: 'worker.mjs', contents: bundled.outputFiles[0]!.text }],
    compatibilityDate: '2026-04-01',
    cf: false,
    bindings: { API_TOKEN: 'workers-binding-token-123', SM_ENDPOINT: server.url },
  })
}, 60_000)

afterAll(async () => {
  await mf?.dispose()
  await server?.close()
})

describe('secrets in workerd', () => {
  it('reads the env binding and Secrets Manager over aws4fetch, once for two requests, redacted when serialised', async () => {
    const first = (await (await mf.dispatchFetch('http://worker/')).json()) as Record<string, string>
    expect(first.token).toBe('workers-binding-token-123')
    expect(first.apiKey).toBe('sk_live_workerd_777')
    expect(first.serialised).not.toContain('workers-binding-token-123')
    expect(first.serialised).not.toContain('sk_live_workerd_777')
    await mf.dispatchFetch('http://worker/')
    expect(server.count('/')).toBe(1)
  })

  it('gives a Hono route the same secrets on c.var (the env binding read from c.env), from the same cache', async () => {
    const res = await mf.dispatchFetch('http://worker/hono')
    expect(res.status).toBe(200)
    const body = (await res.json()) as Record<string, string>
    expect(body.token).toBe('workers-binding-token-123')
    expect(body.apiKey).toBe('sk_live_workerd_777')
    expect(body.serialised).toBe('{"secrets":{"token":"[redacted]","stripe":"[redacted]"}}')
    expect(server.count('/')).toBe(1)
  })
})
