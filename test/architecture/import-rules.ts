/**
 * The import rule of docs/architecture.md as a
 * function over a list of files, so the test can run it on the repository
 * and on planted violations alike.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join, posix } from 'node:path'
import { parseImports, type ImportKind, type ImportRef } from './import-scan.js'

export interface SourceFile {
  /** Repository-relative, forward slashes: `src/index.ts`. */
  readonly path: string
  readonly source: string
}

export type RuleName =
  | 'core-imports-adapter'
  | 'provider-sdk-in-core'
  | 'eager-provider-sdk'
  | 'entry-runtime-dependency'
  | 'adapter-foreign-import'
  | 'adapter-imports-adapter'
  | 'unknown-adapter'
  | 'unresolved-import'

export interface Violation {
  readonly rule: RuleName
  readonly file: string
  readonly line: number
  readonly specifier: string
  readonly message: string
}

/** A package name or a prefix: `pg` matches `pg` and `pg/lib`; `@aws-sdk/` and `cloudflare:` match by prefix. */
type Pattern = string

/** What an adapter may import besides `src/` and its own files; `typeOnly` entries only with `import type`. */
interface AdapterRule {
  readonly sdk: readonly { readonly pattern: Pattern; readonly typeOnly: boolean }[]
  /** Node-hosted runtimes may use `node:` builtins; Workers run without `nodejs_compat`. */
  readonly nodeBuiltins: boolean
}

export interface ImportRules {
  readonly providerSdks: readonly Pattern[]
  /** The only places in src/ that may touch a provider SDK, and only lazily. */
  readonly lazyDirs: readonly string[]
  /** Entries whose run-time import graph must not reach `entryForbidden`. */
  readonly coreEntries: readonly string[]
  readonly entryForbidden: readonly Pattern[]
  readonly adapters: Readonly<Record<string, AdapterRule>>
}

export const RULES: ImportRules = {
  providerSdks: ['@aws-sdk/', '@azure/', '@google-cloud/', 'cloudflare:', '@cloudflare/workers-types', 'aws-lambda', 'ioredis', 'redis', '@redis/', 'pg'],
  lazyDirs: ['src/idempotency/stores/', 'src/secrets/providers/'],
  coreEntries: ['src/index.ts', 'src/testing/index.ts'],
  entryForbidden: ['zod', 'hono', '@hono/', 'cloudevents'],
  adapters: {
    // The Lambda runtime hands a handler plain JSON: the adapter needs the SDK's and aws-lambda's types, never their code.
    'aws-lambda': { sdk: [{ pattern: '@aws-sdk/', typeOnly: true }, { pattern: 'aws-lambda', typeOnly: true }], nodeBuiltins: true },
    'cloudflare-workers': { sdk: [{ pattern: 'cloudflare:', typeOnly: false }, { pattern: '@cloudflare/workers-types', typeOnly: true }], nodeBuiltins: false },
    'azure-functions': { sdk: [{ pattern: '@azure/functions', typeOnly: false }], nodeBuiltins: true },
    'cloud-run': { sdk: [{ pattern: '@google-cloud/functions-framework', typeOnly: false }], nodeBuiltins: true },
  },
}

const SOURCE = /\.(?:[cm]?ts|tsx|[cm]?js)$/

/** Every source file under `dirs` of `root`, read into memory. */
export function collectSources(root: string, dirs: readonly string[]): SourceFile[] {
  const files: SourceFile[] = []
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = posix.join(dir, entry.name)
      if (entry.isDirectory()) { if (entry.name !== 'node_modules') walk(path) }
      else if (SOURCE.test(entry.name)) files.push({ path, source: readFileSync(join(root, path), 'utf8') })
    }
  }
  for (const dir of dirs) walk(dir)
  return files.sort((a, b) => a.path.localeCompare(b.path))
}

export function matches(specifier: string, pattern: Pattern): boolean {
  if (pattern.endsWith('/') || pattern.endsWith(':')) return specifier.startsWith(pattern)
  return specifier === pattern || specifier.startsWith(`${pattern}/`)
}

const isRelative = (specifier: string) => specifier.startsWith('./') || specifier.startsWith('../')
const runsAtRuntime = (kind: ImportKind) => kind !== 'type'

/** The repository path a relative specifier names (`../errors.js` from `src/http/x.ts` is `src/errors.js`). */
export function resolvePath(from: string, specifier: string): string {
  return posix.normalize(posix.join(posix.dirname(from), specifier))
}

/** The source file a relative specifier loads, the `.js` to `.ts` way TypeScript resolves it. */
function resolveFile(from: string, specifier: string, known: ReadonlySet<string>): string | undefined {
  const target = resolvePath(from, specifier)
  const candidates = [
    target,
    target.replace(/\.js$/, '.ts'), target.replace(/\.js$/, '.tsx'), target.replace(/\.mjs$/, '.mts'), target.replace(/\.cjs$/, '.cts'),
    `${target}.ts`, `${target}/index.ts`,
  ]
  return candidates.find((c) => known.has(c))
}

export function checkImportRules(files: readonly SourceFile[], rules: ImportRules = RULES): Violation[] {
  const violations: Violation[] = []
  const imports = new Map(files.map((f) => [f.path, parseImports(f.source)] as const))
  const known = new Set(imports.keys())
  const report = (rule: RuleName, file: string, ref: ImportRef, message: string) =>
    violations.push({ rule, file, line: ref.line, specifier: ref.specifier, message })

  for (const [file, refs] of imports) {
    if (file.startsWith('src/')) for (const ref of refs) checkCore(file, ref, rules, report)
    else if (file.startsWith('adapters/')) checkAdapter(file, refs, rules, report)
  }
  for (const entry of rules.coreEntries) checkEntry(entry, imports, known, rules, report)
  return violations.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line)
}

type Report = (rule: RuleName, file: string, ref: ImportRef, message: string) => void

function checkCore(file: string, ref: ImportRef, rules: ImportRules, report: Report): void {
  const { specifier, kind } = ref
  if (isRelative(specifier) && resolvePath(file, specifier).startsWith('adapters/')) {
    report('core-imports-adapter', file, ref, `src/ must never import adapters/ (${resolvePath(file, specifier)})`)
  } else if (/^faasade\/(?:aws-lambda|cloudflare-workers|azure-functions|cloud-run)\b/.test(specifier)) {
    report('core-imports-adapter', file, ref, `src/ must never import an adapter (${specifier})`)
  }
  if (!rules.providerSdks.some((p) => matches(specifier, p))) return
  if (!rules.lazyDirs.some((dir) => file.startsWith(dir))) {
    report('provider-sdk-in-core', file, ref, `the neutral core imports no provider SDK (${kind} import of ${specifier}); only ${rules.lazyDirs.join(' and ')} may, lazily`)
  } else if (kind === 'static' || kind === 'require') {
    report('eager-provider-sdk', file, ref, `load ${specifier} lazily: \`await import()\` or \`import type\` (with the user's client), never a ${kind} import`)
  }
}

function checkAdapter(file: string, refs: readonly ImportRef[], rules: ImportRules, report: Report): void {
  const provider = file.split('/')[1]!
  const rule = file.split('/').length > 2 ? rules.adapters[provider] : undefined
  for (const ref of refs) {
    const { specifier, kind } = ref
    if (!rule) {
      report('unknown-adapter', file, ref, `adapters/ holds one directory per provider (${Object.keys(rules.adapters).join(', ')}); add its rule to test/architecture/import-rules.ts`)
      continue
    }
    if (isRelative(specifier)) {
      const target = resolvePath(file, specifier)
      if (target.startsWith('src/') || target.startsWith(`adapters/${provider}/`)) continue
      if (target.startsWith('adapters/')) report('adapter-imports-adapter', file, ref, `the ${provider} adapter must not import another adapter (${target}); shared code belongs in src/`)
      else report('adapter-foreign-import', file, ref, `an adapter imports only src/ and its own files (${target})`)
      continue
    }
    if (rule.nodeBuiltins && specifier.startsWith('node:')) continue
    const sdk = rule.sdk.find((s) => matches(specifier, s.pattern))
    if (sdk && (!sdk.typeOnly || kind === 'type')) continue
    if (sdk) report('adapter-foreign-import', file, ref, `the ${provider} adapter may use ${specifier} for its types only: \`import type\``)
    else if (specifier.startsWith('faasade')) report('adapter-foreign-import', file, ref, `an adapter reaches the core by a relative import into src/, not ${specifier}`)
    else report('adapter-foreign-import', file, ref, `the ${provider} adapter imports only src/ and its own provider's SDK (${rule.sdk.map((s) => s.pattern).join(', ')}), not ${specifier}`)
  }
}

/** Walks the run-time import graph from `entry` (type-only imports are erased, so not followed). */
function checkEntry(entry: string, imports: ReadonlyMap<string, readonly ImportRef[]>, known: ReadonlySet<string>, rules: ImportRules, report: Report): void {
  if (!known.has(entry)) return
  const via = new Map<string, string | undefined>([[entry, undefined]])
  const chain = (file: string): string => {
    const parts: string[] = []
    for (let f: string | undefined = file; f !== undefined; f = via.get(f)) parts.unshift(f)
    return parts.join(' -> ')
  }
  const queue = [entry]
  while (queue.length > 0) {
    const file = queue.shift()!
    for (const ref of imports.get(file) ?? []) {
      if (!runsAtRuntime(ref.kind)) continue
      if (isRelative(ref.specifier)) {
        const target = resolveFile(file, ref.specifier, known)
        if (target === undefined) report('unresolved-import', file, ref, `cannot follow ${ref.specifier} from ${file} (no such source file)`)
        else if (!via.has(target)) { via.set(target, file); queue.push(target) }
      } else if (rules.entryForbidden.some((p) => matches(ref.specifier, p))) {
        report('entry-runtime-dependency', file, ref, `${entry} must not load ${ref.specifier} at run time (use \`import type\`): ${chain(file)} -> ${ref.specifier}`)
      }
    }
  }
}
