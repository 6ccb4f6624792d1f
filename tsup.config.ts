import { defineConfig } from 'tsup'

// One entry per door of the exports map (package.json). `splitting: true`
// keeps shared code, the error classes above all, in one chunk, so that
// `instanceof` holds across subpaths for `require` callers too.
const entry = {
  index: 'src/index.ts',
  testing: 'src/testing/index.ts',
  cloudevents: 'src/cloudevents/index.ts',
  idempotency: 'src/idempotency/index.ts',
  'idempotency-redis': 'src/idempotency/stores/redis.ts',
  'idempotency-dynamodb': 'src/idempotency/stores/dynamodb.ts',
  'idempotency-postgres': 'src/idempotency/stores/postgres.ts',
  'idempotency-azure-table': 'src/idempotency/stores/azure-table.ts',
  'idempotency-d1': 'src/idempotency/stores/d1.ts',
  secrets: 'src/secrets/index.ts',
  'secrets-aws': 'src/secrets/providers/aws.ts',
  'secrets-lambda-extension': 'src/secrets/providers/lambda-extension.ts',
  'secrets-gcp': 'src/secrets/providers/gcp.ts',
  'secrets-azure': 'src/secrets/providers/azure.ts',
  'aws-lambda': 'adapters/aws-lambda/index.ts',
  'cloudflare-workers': 'adapters/cloudflare-workers/index.ts',
}

// Provider SDKs and store clients are the user's: never bundled.
const external = [/^@aws-sdk\//, /^@azure\//, /^@google-cloud\//, 'hono', 'ioredis', 'redis', 'pg', 'cloudevents', 'aws4fetch', /^cloudflare:/]

export default defineConfig([
  {
    entry,
    format: ['esm', 'cjs'],
    dts: { compilerOptions: { ignoreDeprecations: '6.0' } },
    splitting: true,
    target: 'node20',
    platform: 'neutral',
    external,
    treeshake: true,
  },
  {
    entry: { cli: 'src/dev/cli.ts' },
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    banner: { js: '#!/usr/bin/env node' },
    external: ['esbuild', '@hono/node-server', /^faasade/],
  },
])
