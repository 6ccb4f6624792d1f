// The parameter providers and load() are typed as the secrets ones are:
// from their options and schemas.
import { defineHandler } from 'faasade'
import { secrets, type JsonValue, type Secret } from 'faasade/secrets'
import { fromAppConfig } from 'faasade/secrets/appconfig'
import { fromGcpParameter } from 'faasade/secrets/gcp-parameters'
import { fromSsmParameter, fromSsmParameters, fromSsmParametersByPath } from 'faasade/secrets/ssm'
import { describe, expectTypeOf, it } from 'vitest'
import * as z from 'zod'

const Flags = z.object({ beta: z.boolean() })

describe('parameter provider types', () => {
  it('follow from the options and schemas, in ctx.secrets and from load()', async () => {
    const config = secrets({
      table: fromSsmParameter('/t'),
      db: fromSsmParameter('/db', { json: true, schema: z.object({ url: z.string() }) }),
      many: fromSsmParameters(['/a', '/b']),
      path: fromSsmParametersByPath('/p', { json: true }),
      typedPath: fromSsmParametersByPath('/p', { schema: z.object({ a: z.string() }) }),
      flags: fromAppConfig('app', 'env', 'flags', { json: true, schema: Flags }),
      raw: fromAppConfig('app', 'env', 'raw', { binary: true }),
      gcp: fromGcpParameter('orders', { version: 'v1', json: true }),
    })
    const loaded = await config.load()
    expectTypeOf(loaded.table).toEqualTypeOf<Secret<string>>()
    expectTypeOf(loaded.db.value.url).toEqualTypeOf<string>()
    expectTypeOf(loaded.many.value).toEqualTypeOf<Record<string, string>>()
    expectTypeOf(loaded.path.value).toEqualTypeOf<Record<string, JsonValue>>()
    expectTypeOf(loaded.typedPath.value).toEqualTypeOf<{ a: string }>()
    expectTypeOf(loaded.flags.value).toEqualTypeOf<{ beta: boolean }>()
    expectTypeOf(loaded.raw.value).toEqualTypeOf<Uint8Array>()
    expectTypeOf(loaded.gcp.value).toEqualTypeOf<JsonValue>()
    defineHandler({
      use: [config],
      handle(_event, ctx) {
        expectTypeOf(ctx.secrets.flags.value.beta).toEqualTypeOf<boolean>()
        // @ts-expect-error: no such parameter
        void ctx.secrets.tabel
      },
    })
  })

  it('reject wrong options at compile time', () => {
    // @ts-expect-error: binary is not a Parameter Store option
    fromSsmParameter('/x', { binary: true })
    // @ts-expect-error: recursive is for paths
    fromSsmParameters(['/x'], { recursive: true })
    // @ts-expect-error: the poll interval is a number of seconds
    fromAppConfig('a', 'e', 'p', { minimumPollIntervalSeconds: '60' })
  })
})
