// ctx.secrets is typed from the providers and their schemas; wrong access
// does not compile.
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { defineHandler } from 'faasade'
import { fromEnv, secrets, type JsonValue, type Secret } from 'faasade/secrets'
import { fromAwsSecretsManager } from 'faasade/secrets/aws'
import { fromAzureKeyVault } from 'faasade/secrets/azure'
import { fromGcpSecretManager } from 'faasade/secrets/gcp'
import { fromLambdaExtension } from 'faasade/secrets/lambda-extension'
import * as v from 'valibot'
import { describe, expectTypeOf, it } from 'vitest'
import * as z from 'zod'

const Stripe = z.object({ apiKey: z.string(), webhookSecret: z.string() })

describe('ctx.secrets types', () => {
  it('follows from the providers and schemas', () => {
    defineHandler({
      use: [secrets({
        stripe: fromAwsSecretsManager('prod/stripe', { json: true, schema: Stripe }),
        db: fromEnv('DATABASE_URL'),
        conf: fromEnv('CONF', { json: true }),
        port: fromEnv('PORT', { schema: z.coerce.number() }),
        cert: fromAwsSecretsManager('prod/cert', { binary: true }),
        ext: fromLambdaExtension('prod/ext', { json: true, schema: v.object({ token: v.string() }) }),
        gcp: fromGcpSecretManager('projects/p/secrets/s/versions/1'),
        kv: fromAzureKeyVault('https://kv.vault.azure.net', 'smtp', { json: true, schema: z.object({ user: z.string() }) }),
        sdk: fromAwsSecretsManager('prod/sdk', { client: new SecretsManagerClient({}) }),
      })],
      async handle(_event, ctx) {
        expectTypeOf(ctx.secrets.stripe).toEqualTypeOf<Secret<{ apiKey: string; webhookSecret: string }>>()
        expectTypeOf(ctx.secrets.stripe.value.apiKey).toEqualTypeOf<string>()
        expectTypeOf(ctx.secrets.db.value).toEqualTypeOf<string>()
        expectTypeOf(ctx.secrets.conf.value).toEqualTypeOf<JsonValue>()
        expectTypeOf(ctx.secrets.port.value).toEqualTypeOf<number>()
        expectTypeOf(ctx.secrets.cert.value).toEqualTypeOf<Uint8Array>()
        expectTypeOf(ctx.secrets.ext.value).toEqualTypeOf<{ token: string }>()
        expectTypeOf(ctx.secrets.gcp.value).toEqualTypeOf<string>()
        expectTypeOf(ctx.secrets.kv.value.user).toEqualTypeOf<string>()
        expectTypeOf(ctx.secrets.sdk.value).toEqualTypeOf<string>()
        expectTypeOf(await ctx.secrets.refresh('stripe')).toEqualTypeOf<Secret<{ apiKey: string; webhookSecret: string }>>()

        // @ts-expect-error: no such secret
        void ctx.secrets.stripee
        // @ts-expect-error: no such field in the schema
        void ctx.secrets.stripe.value.apikey
        // @ts-expect-error: a Secret is not a string; read .value
        const s: string = ctx.secrets.db
        void s
        // @ts-expect-error: a string secret has no fields
        void ctx.secrets.db.value.host
        // @ts-expect-error: refresh takes a declared name
        void ctx.secrets.refresh('nope')
        // @ts-expect-error: the value is read-only
        ctx.secrets.db = ctx.secrets.db
      },
    })
  })

  it('rejects wrong provider options at compile time', () => {
    // @ts-expect-error: binary is not an Azure option
    fromAzureKeyVault('https://kv.vault.azure.net', 'x', { binary: true })
    // @ts-expect-error: schema must be a Standard Schema
    fromEnv('X', { schema: (x: unknown) => x })
    // @ts-expect-error: ttl is a number of ms
    secrets({ a: fromEnv('A') }, { ttl: '5m' })
  })
})
