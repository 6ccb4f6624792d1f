// c.var.secrets is typed from the providers and their schemas in Hono
// routes, with no cast and no declared Env; wrong access does not compile.
import type { FaasadeError } from 'faasade'
import { fromEnv, honoSecrets, secrets, type JsonValue, type Secret, type Secrets, type SecretsEnv, type SecretsMiddleware } from 'faasade/secrets'
import { fromAwsSecretsManager } from 'faasade/secrets/aws'
import { Hono } from 'hono'
import { createMiddleware } from 'hono/factory'
import { describe, expectTypeOf, it } from 'vitest'
import * as z from 'zod'

const Stripe = z.object({ apiKey: z.string(), webhookSecret: z.string() })
const appSecrets = secrets({
  stripe: fromAwsSecretsManager('prod/stripe', { json: true, schema: Stripe }),
  db: fromEnv('DATABASE_URL'),
  conf: fromEnv('CONF', { json: true }),
  port: fromEnv('PORT', { schema: z.coerce.number() }),
})
type Providers = typeof appSecrets extends SecretsMiddleware<infer P> ? P : never

describe('c.var.secrets types', () => {
  it('are inferred on a route from the middleware', () => {
    new Hono().get('/x', honoSecrets(appSecrets), async (c) => {
      expectTypeOf(c.var.secrets.stripe).toEqualTypeOf<Secret<{ apiKey: string; webhookSecret: string }>>()
      expectTypeOf(c.var.secrets.stripe.value.apiKey).toEqualTypeOf<string>()
      expectTypeOf(c.get('secrets').db.value).toEqualTypeOf<string>()
      expectTypeOf(c.var.secrets.conf.value).toEqualTypeOf<JsonValue>()
      expectTypeOf(c.var.secrets.port.value).toEqualTypeOf<number>()
      expectTypeOf(await c.var.secrets.refresh('stripe')).toEqualTypeOf<Secret<{ apiKey: string; webhookSecret: string }>>()
      expectTypeOf(c.var.secrets).toEqualTypeOf<Secrets<Providers>>()

      // @ts-expect-error: no such secret
      void c.var.secrets.stripee
      // @ts-expect-error: no such field in the schema
      void c.var.secrets.stripe.value.apikey
      // @ts-expect-error: a Secret is not a string; read .value
      const s: string = c.var.secrets.db
      void s
      // @ts-expect-error: refresh takes a declared name
      void c.var.secrets.refresh('nope')
      // @ts-expect-error: the value is read-only
      c.var.secrets.db = c.var.secrets.db
      return c.text('ok')
    })
  })

  it('flow from app.use to the routes after it, next to the app\'s own Bindings and other middleware', () => {
    const user = createMiddleware<{ Variables: { userId: string } }>(async (c, next) => {
      c.set('userId', 'u1')
      await next()
    })
    new Hono<{ Bindings: { KV: object } }>()
      .use(honoSecrets(appSecrets))
      .use(user)
      .get('/y', (c) => {
        expectTypeOf(c.var.secrets.db.value).toEqualTypeOf<string>()
        expectTypeOf(c.var.userId).toEqualTypeOf<string>()
        expectTypeOf(c.env.KV).toEqualTypeOf<object>()
        return c.json({ ok: true })
      })
  })

  it('SecretsEnv types a Hono app declared up front', () => {
    const app = new Hono<SecretsEnv<Providers>>()
    app.use(honoSecrets(appSecrets))
    app.get('/z', (c) => c.text(c.var.secrets.stripe.value.webhookSecret))
  })

  it('options: onError gets the typed error and the Hono context', () => {
    honoSecrets(appSecrets, {
      onError(error, c) {
        expectTypeOf(error).toEqualTypeOf<FaasadeError>()
        expectTypeOf(error.retryable).toEqualTypeOf<boolean>()
        return c.json({ failed: true }, 503)
      },
    })
    // @ts-expect-error: onError must answer with a Response
    honoSecrets(appSecrets, { onError: () => 'failed' })
    // @ts-expect-error: unknown option
    honoSecrets(appSecrets, { required: true })
  })

  it('takes only a secrets() value', () => {
    // @ts-expect-error: providers, not a secrets() value
    honoSecrets({ db: fromEnv('DATABASE_URL') })
    expectTypeOf(appSecrets.run).toBeFunction()
  })
})
