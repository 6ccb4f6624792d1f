import { relative, resolve } from 'node:path'
import type { Plugin } from 'esbuild'
import { defineConfig, type Options } from 'tsup'

// The core door is one file: importing `faasade` in a fresh Node process
// loads one module, not the eight chunks code splitting made of it (each
// costs Node 20 about 0.3 ms; bench/core measures it). The other doors take
// the core through the package's own name, `faasade`, kept external, so all
// of them share the core's one copy: `instanceof` on our errors holds across
// doors, for `require` callers too. They may therefore only use names the
// core exports; the pack test checks that on the built tarball.

// One entry per door of the exports map (package.json), but the core's.
const subpaths = {
  testing: 'src/testing/index.ts',
  adapter: 'src/adapter/index.ts',
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
  'secrets-azure-appconfig': 'src/secrets/providers/azure-appconfig.ts',
  'secrets-gcp-parameters': 'src/secrets/providers/gcp-parameters.ts',
  'secrets-appconfig': 'src/secrets/providers/appconfig.ts',
  'secrets-ssm': 'src/secrets/providers/ssm.ts',
  'aws-lambda': 'adapters/aws-lambda/index.ts',
  'cloudflare-workers': 'adapters/cloudflare-workers/index.ts',
  'azure-functions': 'adapters/azure-functions/index.ts',
  'cloud-run': 'adapters/cloud-run/index.ts',
}
// Provider SDKs and store clients are the user's: never bundled.
const external = [/^@aws-sdk\//, /^@azure\//, /^@google-cloud\//, 'hono', 'ioredis', 'redis', 'pg', 'cloudevents', 'aws4fetch', /^cloudflare:/]
// The core: the files directly in src/, and src/http/.
const src = resolve('src')
const isCore = (file: string) => {
  const rel = relative(src, file)
  return !rel.startsWith('..') && (!rel.includes('/') || rel.startsWith('http/'))
}
const coreAsPackage: Plugin = {
  name: 'core-as-package',
  setup(build) {
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (!args.importer || isCore(args.importer)) return undefined
      const target = resolve(args.resolveDir, args.path).replace(/\.js$/, '.ts')
      return isCore(target) ? { path: 'faasade', external: true } : undefined
    })
  },
}

const common: Options = {
  format: ['esm', 'cjs'],
  dts: { compilerOptions: { ignoreDeprecations: '6.0' } },
  target: 'node20',
  platform: 'neutral',
  treeshake: true,
}

export default defineConfig([
  { ...common, entry: { index: 'src/index.ts' }, external },
  // Splitting still shares code among these doors (a store and its middleware, say).
  { ...common, entry: subpaths, splitting: true, external: [...external, 'faasade'], esbuildPlugins: [coreAsPackage] },
  {
    entry: { cli: 'src/dev/cli.ts' },
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    banner: { js: '#!/usr/bin/env node' },
    external: ['esbuild', '@hono/node-server', /^faasade/],
  },
])
