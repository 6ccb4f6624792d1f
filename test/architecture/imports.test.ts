// The import rule (docs/architecture.md), checked by scanning the sources: src/ never
// imports adapters/; the core imports no provider SDK (store and provider
// files only lazily); the core entry loads neither zod, hono nor cloudevents;
// each adapter imports src/ and its own provider's SDK only.
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import { checkImportRules, collectSources, RULES, type RuleName, type SourceFile, type Violation } from './import-rules.js'
import { maskSource, parseImports, type ImportKind } from './import-scan.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const render = (v: Violation) => `${v.file}:${v.line} [${v.rule}] ${v.message}`
const check = (files: Record<string, string>) => checkImportRules(Object.entries(files).map(([path, source]) => ({ path, source })))
const rulesOf = (files: Record<string, string>) => check(files).map((v) => `${v.rule} ${v.file}:${v.line} ${v.specifier}`)

describe('the repository keeps the import rule', () => {
  const files = collectSources(root, ['src', 'adapters'])

  it('scans the real sources (a walk that finds nothing would pass vacuously)', () => {
    const paths = files.map((f) => f.path)
    expect(paths).toContain('src/index.ts')
    expect(paths).toContain('src/testing/index.ts')
    expect(paths.some((p) => p.startsWith('adapters/'))).toBe(true)
    expect(files.length).toBeGreaterThan(30)
    // The entry's graph is non-trivial: the checker follows real edges.
    expect(parseImports(files.find((f) => f.path === 'src/index.ts')!.source).length).toBeGreaterThan(10)
  })

  it('has no violation', () => {
    expect(checkImportRules(files).map(render)).toEqual([])
  })
})

describe('parseImports', () => {
  const kinds = (source: string) => parseImports(source).map((r) => `${r.kind} ${r.specifier}`)

  it.each<[string, string, string[]]>([
    ['default', `import x from 'm'`, ['static m']],
    ['named, over lines', `import {\n  a,\n  b as c,\n} from "m"`, ['static m']],
    ['namespace', `import * as z from 'zod'`, ['static zod']],
    ['default and named', `import d, { e } from 'm'`, ['static m']],
    ['side effect', `import 'm'\nimport"n"`, ['static m', 'static n']],
    ['no spaces', `import{a}from'm'`, ['static m']],
    ['type', `import type { A } from 'm'`, ['type m']],
    ['type namespace', `import type * as T from 'm'`, ['type m']],
    ['inline type only (kept as `import {}` by verbatimModuleSyntax)', `import { type A } from 'm'`, ['static m']],
    ['re-export', `export { a } from './a.js'\nexport * from './b.js'\nexport * as c from './c.js'`, ['static ./a.js', 'static ./b.js', 'static ./c.js']],
    ['type re-export', `export type { A } from './a.js'`, ['type ./a.js']],
    ['dynamic', `const m = await import('@aws-sdk/client-dynamodb')`, ['dynamic @aws-sdk/client-dynamodb']],
    ['dynamic with options', `await import("m", { with: { type: 'json' } })`, ['dynamic m']],
    ['dynamic, then', `import('m').then((x) => x)`, ['dynamic m']],
    ['typeof import', `let esbuild: typeof import('esbuild')`, ['type esbuild']],
    ['import type node', `type T = import('m').Client`, ['type m']],
    ['require', `const pg = require('pg')`, ['require pg']],
    ['import equals', `import pg = require('pg')`, ['require pg']],
    ['computed dynamic import is not reported', `await import(name)`, []],
    ['a local export is not an import', `export type T = { from: string }\nexport const a = 1`, []],
    ['a later import is not swallowed by an export', `export type T = { a: 1 }\nimport { z } from 'zod'`, ['static zod']],
    ['require.resolve is not an import', `require.resolve('m')`, []],
  ])('%s', (_name, source, expected) => {
    expect(kinds(source)).toEqual(expected)
  })

  it('skips imports in comments, TSDoc examples and string literals', () => {
    const source = [
      '/**',
      ' * @example',
      " * import { z } from 'zod'",
      ' */',
      "// import { Hono } from 'hono'",
      "const hint = \"write import { x } from 'pg' instead\"",
      "const tpl = `import('ioredis') ${ready ? `require('redis')` : ''}`",
      'const re = /import x from "m"/',
      "import { real } from './real.js' // trailing comment with import('fake')",
    ].join('\n')
    expect(kinds(source)).toEqual(['static ./real.js'])
    expect(parseImports(source)[0]!.line).toBe(9)
  })

  it('still sees imports inside template substitutions and after a division', () => {
    const source = "const a = b / c\nconst t = `${await import('m')}`\nconst d = e / f; import('n')"
    expect(kinds(source)).toEqual(['dynamic m', 'dynamic n'])
  })

  it('keeps offsets and newlines when blanking comments', () => {
    const source = "a /* x\ny */ b // z\n'//not a comment'"
    const { code } = maskSource(source)
    expect(code.length).toBe(source.length)
    expect(code.split('\n').length).toBe(source.split('\n').length)
    expect(code).toContain("'//not a comment'")
    expect(code).not.toMatch(/[xyz]/)
  })

  // The regexes against TypeScript's own parser, on every file they judge.
  it('agrees with the TypeScript parser on every source file', () => {
    const files = collectSources(root, ['src', 'adapters', 'examples', 'test/architecture'])
    expect(files.length).toBeGreaterThan(30)
    for (const file of files) {
      expect({ file: file.path, imports: kinds(file.source).sort() }).toEqual({ file: file.path, imports: typescriptImports(file).sort() })
    }
  })
})

/** The same classification as parseImports, read off TypeScript's syntax tree. */
function typescriptImports(file: SourceFile): string[] {
  const sourceFile = ts.createSourceFile(file.path, file.source, ts.ScriptTarget.Latest, true)
  const found: string[] = []
  const add = (kind: ImportKind, node: ts.Node | undefined) => {
    if (node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node))) found.push(`${kind} ${node.text}`)
  }
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) add(node.importClause?.phaseModifier === ts.SyntaxKind.TypeKeyword ? 'type' : 'static', node.moduleSpecifier)
    else if (ts.isExportDeclaration(node)) add(node.isTypeOnly ? 'type' : 'static', node.moduleSpecifier)
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) add('require', node.moduleReference.expression)
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add('type', node.argument.literal)
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) add('dynamic', node.arguments[0])
    else if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'require' && node.arguments.length === 1) add('require', node.arguments[0])
    ts.forEachChild(node, visit)
  }
  visit(sourceFile)
  return found
}

// A broken regex or rule would make the repository check pass vacuously, so
// each rule is shown to fire on a planted violation, next to the allowed forms.
describe('checkImportRules catches planted violations', () => {
  it.each<[RuleName, Record<string, string>, string]>([
    ['core-imports-adapter', { 'src/handler.ts': `import { toWorker } from '../adapters/cloudflare-workers/index.js'` }, 'src/handler.ts:1 ../adapters/cloudflare-workers/index.js'],
    ['core-imports-adapter', { 'src/http/serve.ts': `\n\nexport { toLambda } from 'faasade/aws-lambda'` }, 'src/http/serve.ts:3 faasade/aws-lambda'],
    ['core-imports-adapter', { 'src/a.ts': `const m = await import('../adapters/aws-lambda/index.js')` }, 'src/a.ts:1 ../adapters/aws-lambda/index.js'],
    ['provider-sdk-in-core', { 'src/context.ts': `import type { Context } from 'aws-lambda'` }, 'src/context.ts:1 aws-lambda'],
    ['provider-sdk-in-core', { 'src/idempotency/middleware.ts': `const { Redis } = await import('ioredis')` }, 'src/idempotency/middleware.ts:1 ioredis'],
    ['provider-sdk-in-core', { 'src/secrets/cache.ts': `import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'` }, 'src/secrets/cache.ts:1 @aws-sdk/client-secrets-manager'],
    ['provider-sdk-in-core', { 'src/x.ts': `import { env } from 'cloudflare:workers'` }, 'src/x.ts:1 cloudflare:workers'],
    ['provider-sdk-in-core', { 'src/x.ts': `import { SecretClient } from '@azure/keyvault-secrets'` }, 'src/x.ts:1 @azure/keyvault-secrets'],
    ['provider-sdk-in-core', { 'src/x.ts': `const { SecretManagerServiceClient } = require('@google-cloud/secret-manager')` }, 'src/x.ts:1 @google-cloud/secret-manager'],
    ['eager-provider-sdk', { 'src/idempotency/stores/redis.ts': `import { Redis } from 'ioredis'` }, 'src/idempotency/stores/redis.ts:1 ioredis'],
    ['eager-provider-sdk', { 'src/idempotency/stores/postgres.ts': `import pg from 'pg'` }, 'src/idempotency/stores/postgres.ts:1 pg'],
    ['eager-provider-sdk', { 'src/idempotency/stores/redis.ts': `import { createClient } from 'redis'` }, 'src/idempotency/stores/redis.ts:1 redis'],
    ['eager-provider-sdk', { 'src/secrets/providers/aws.ts': `import { type SecretsManagerClient } from '@aws-sdk/client-secrets-manager'` }, 'src/secrets/providers/aws.ts:1 @aws-sdk/client-secrets-manager'],
    ['eager-provider-sdk', { 'src/secrets/providers/azure.ts': `const x = require('@azure/identity')` }, 'src/secrets/providers/azure.ts:1 @azure/identity'],
    ['entry-runtime-dependency', { 'src/index.ts': `export * from './handler.js'`, 'src/handler.ts': `import { z } from 'zod'` }, 'src/handler.ts:1 zod'],
    ['entry-runtime-dependency', { 'src/index.ts': `export { a } from './a.js'`, 'src/a.ts': `import './b.js'`, 'src/b.ts': `const { Hono } = await import('hono')` }, 'src/b.ts:1 hono'],
    ['entry-runtime-dependency', { 'src/index.ts': `export * from './event/index.js'`, 'src/event/index.ts': `import { CloudEvent } from 'cloudevents'` }, 'src/event/index.ts:1 cloudevents'],
    ['entry-runtime-dependency', { 'src/testing/index.ts': `import * as z from 'zod/mini'` }, 'src/testing/index.ts:1 zod/mini'],
    ['entry-runtime-dependency', { 'src/index.ts': `import { serve } from '@hono/node-server'` }, 'src/index.ts:1 @hono/node-server'],
    ['unresolved-import', { 'src/index.ts': `export * from './missing.js'` }, 'src/index.ts:1 ./missing.js'],
    ['adapter-imports-adapter', { 'adapters/cloud-run/index.ts': `import { toLambda } from '../aws-lambda/index.js'` }, 'adapters/cloud-run/index.ts:1 ../aws-lambda/index.js'],
    ['adapter-imports-adapter', { 'adapters/aws-lambda/sqs.ts': `import type { X } from '../cloudflare-workers/mapping.js'` }, 'adapters/aws-lambda/sqs.ts:1 ../cloudflare-workers/mapping.js'],
    ['adapter-foreign-import', { 'adapters/cloudflare-workers/index.ts': `import { DynamoDBClient } from '@aws-sdk/client-dynamodb'` }, 'adapters/cloudflare-workers/index.ts:1 @aws-sdk/client-dynamodb'],
    ['adapter-foreign-import', { 'adapters/azure-functions/index.ts': `import { http } from '@google-cloud/functions-framework'` }, 'adapters/azure-functions/index.ts:1 @google-cloud/functions-framework'],
    ['adapter-foreign-import', { 'adapters/cloud-run/index.ts': `import { app } from '@azure/functions'` }, 'adapters/cloud-run/index.ts:1 @azure/functions'],
    ['adapter-foreign-import', { 'adapters/aws-lambda/index.ts': `import { SQSClient } from '@aws-sdk/client-sqs'` }, 'adapters/aws-lambda/index.ts:1 @aws-sdk/client-sqs'],
    ['adapter-foreign-import', { 'adapters/aws-lambda/index.ts': `import { defineHandler } from 'faasade'` }, 'adapters/aws-lambda/index.ts:1 faasade'],
    ['adapter-foreign-import', { 'adapters/aws-lambda/index.ts': `import { cases } from '../../test/conformance/cases.js'` }, 'adapters/aws-lambda/index.ts:1 ../../test/conformance/cases.js'],
    ['adapter-foreign-import', { 'adapters/cloudflare-workers/index.ts': `import { Buffer } from 'node:buffer'` }, 'adapters/cloudflare-workers/index.ts:1 node:buffer'],
    ['adapter-foreign-import', { 'adapters/cloud-run/index.ts': `import { Hono } from 'hono'` }, 'adapters/cloud-run/index.ts:1 hono'],
    ['unknown-adapter', { 'adapters/vercel/index.ts': `import { x } from '../../src/index.js'` }, 'adapters/vercel/index.ts:1 ../../src/index.js'],
    ['unknown-adapter', { 'adapters/shared.ts': `import { x } from '../src/index.js'` }, 'adapters/shared.ts:1 ../src/index.js'],
  ])('%s: %j', (rule, files, at) => {
    expect(rulesOf(files)).toEqual([`${rule} ${at}`])
  })

  it('lets the allowed forms through', () => {
    expect(rulesOf({
      'src/index.ts': [
        `export { defineHandler } from './handler.js'`,
        `import type { ZodType } from 'zod'`,
        `export type { CloudEventV1 } from 'cloudevents'`,
        `import type { Hono } from 'hono'`,
        `import { AwsClient } from 'aws4fetch'`,
        `import { readFile } from 'node:fs/promises'`,
      ].join('\n'),
      'src/handler.ts': `import { validate } from './schema.js'\nimport type { Service } from './service.js'`,
      'src/schema.ts': `export const validate = 1`,
      'src/service.ts': `import { Hono } from 'hono'`, // reached only through a type import: erased
      'src/testing/index.ts': `export { invoke } from './invoke.js'`,
      'src/testing/invoke.ts': `import { settle } from '../outcome.js'`,
      'src/outcome.ts': `export const settle = 1`,
      'src/cloudevents/index.ts': `import { CloudEvent } from 'cloudevents'`, // its own door, not the core entry
      'src/idempotency/stores/redis.ts': `import type { Redis } from 'ioredis'\nconst load = () => import('ioredis')`,
      'src/idempotency/stores/dynamodb.ts': `import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'`,
      'src/idempotency/stores/d1.ts': `import type { D1Database } from '@cloudflare/workers-types'`,
      'src/secrets/providers/gcp.ts': `let sdk: typeof import('@google-cloud/secret-manager')\nsdk = await import('@google-cloud/secret-manager')`,
      'src/secrets/providers/azure.ts': `const { SecretClient } = await import('@azure/keyvault-secrets')`,
      'adapters/aws-lambda/index.ts': `import { createEvent } from '../../src/event.js'\nimport type { SQSEvent } from 'aws-lambda'\nimport type { DynamoDBClient } from '@aws-sdk/client-dynamodb'\nimport { AsyncLocalStorage } from 'node:async_hooks'\nimport { map } from './mapping.js'`,
      'adapters/cloudflare-workers/index.ts': `import { env } from 'cloudflare:workers'\nimport type { Queue } from '@cloudflare/workers-types'\nimport { createFetchHandler } from '../../src/http/fetch.js'`,
      'adapters/azure-functions/index.ts': `import { app, type HttpRequest } from '@azure/functions'\nimport { settle } from '../../src/outcome.js'`,
      'adapters/cloud-run/index.ts': `import * as ff from '@google-cloud/functions-framework'\nimport { createServer } from 'node:http'\nexport * from './server.js'`,
    })).toEqual([])
  })

  it('reports every violation with where it was and what to do', () => {
    const [violation, ...rest] = check({ 'src/index.ts': `\nexport * from './handler.js'`, 'src/handler.ts': `\n\nimport { z } from 'zod'` })
    expect(rest).toEqual([])
    expect(violation).toMatchObject({ rule: 'entry-runtime-dependency', file: 'src/handler.ts', line: 3, specifier: 'zod' })
    expect(violation!.message).toContain('src/index.ts -> src/handler.ts -> zod')
    expect(violation!.message).toContain('import type')
  })

  it('knows every adapter directory the package exports', () => {
    expect(Object.keys(RULES.adapters).sort()).toEqual(['aws-lambda', 'azure-functions', 'cloud-run', 'cloudflare-workers'])
  })
})
