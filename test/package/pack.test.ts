// The package as npm ships it. Slow on purpose (a build with declarations,
// `npm pack`, an `npm install` into a throwaway project, `tsc`, publint and
// attw: about a minute), so it lives in its own directory.
//
// It builds into a private directory, never into dist/: `npm run build`
// starts with `rm -rf dist`, and other suites run the built CLI from dist/ at
// the same time. The tarball goes next to that build, not into the package
// directory, where `attw --pack` would delete a same-named tarball.
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { copyFile, mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CJS_SCRIPT, CTS_SOURCE, ESM_SCRIPT, MTS_SOURCE, TSCONFIG } from './consumer-sources.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: unknown; bin?: Record<string, string>; name: string }
const zodVersion = (JSON.parse(readFileSync(join(root, 'node_modules/zod/package.json'), 'utf8')) as { version: string }).version
const cloudeventsVersion = (JSON.parse(readFileSync(join(root, 'node_modules/cloudevents/package.json'), 'utf8')) as { version: string }).version
const bin = (name: string) => join(root, 'node_modules/.bin', name)

interface Run { code: number | null; stdout: string; stderr: string; command: string }

// Variables that `npm test` exports (npm_config_local_prefix above all) would
// point a child npm at this repository instead of the throwaway project.
const childEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) && key !== 'INIT_CWD'))

function run(command: string, args: readonly string[], cwd: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...childEnv, NO_COLOR: '1', FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr, command: [command, ...args].join(' ') }))
  })
}

const transcript = (r: Run) => `$ ${r.command}\nexit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`

async function succeed(pending: Promise<Run>): Promise<Run> {
  const result = await pending
  if (result.code !== 0) throw new Error(`command failed\n${transcript(result)}`)
  return result
}

/** Every file path the exports map names (`./dist/index.js`, ...). */
function exportTargets(value: unknown): string[] {
  if (typeof value === 'string') return [value]
  if (value && typeof value === 'object') return Object.values(value).flatMap(exportTargets)
  return []
}

let work = ''
let tarball = ''
let consumer = ''
let packed: string[] = []

const cleanup = () => { if (work) rmSync(work, { recursive: true, force: true }) }

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'faasade-pack-'))
  process.once('exit', cleanup)

  const staging = join(work, 'package')
  await mkdir(staging)
  await succeed(run(process.execPath, [join(root, 'node_modules/tsup/dist/cli-default.js'), '--out-dir', join(staging, 'dist')], root))
  for (const file of ['package.json', 'README.md', 'LICENSE']) {
    if (existsSync(join(root, file))) await copyFile(join(root, file), join(staging, file))
  }
  const pack = await succeed(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], staging))
  const [info] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[]
  tarball = join(work, info!.filename)
  packed = info!.files.map((f) => f.path)

  consumer = join(work, 'consumer')
  await mkdir(consumer)
  await writeFile(join(consumer, 'package.json'), JSON.stringify({ name: 'faasade-consumer', version: '0.0.0', private: true }))
  await succeed(run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball, `zod@${zodVersion}`, `cloudevents@${cloudeventsVersion}`], consumer))
  await writeFile(join(consumer, 'consumer.mjs'), ESM_SCRIPT)
  await writeFile(join(consumer, 'consumer.cjs'), CJS_SCRIPT)
  await writeFile(join(consumer, 'consumer.mts'), MTS_SOURCE)
  await writeFile(join(consumer, 'consumer.cts'), CTS_SOURCE)
  await writeFile(join(consumer, 'tsconfig.json'), TSCONFIG)
}, 600_000)

afterAll(cleanup)

describe('the packed tarball', { timeout: 180_000 }, () => {
  it('holds every file the exports map and bin name, and no sources', () => {
    const targets = [...exportTargets(manifest.exports), ...Object.values(manifest.bin ?? {})].map((t) => t.replace(/^\.\//, ''))
    expect(targets.length).toBeGreaterThan(10)
    expect(targets.filter((t) => !packed.includes(t))).toEqual([])
    expect(packed).toContain('README.md')
    expect(packed.filter((p) => !p.startsWith('dist/') && !['package.json', 'README.md', 'LICENSE'].includes(p))).toEqual([])
  })

  it.each([
    ['an ES module (import)', 'consumer.mjs', 'esm'],
    ['a CommonJS module (require)', 'consumer.cjs', 'cjs'],
  ])('runs a zod-validated handler through faasade/testing from %s', async (_name, script, format) => {
    const result = await run(process.execPath, [script], consumer)
    expect(result.code, transcript(result)).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({
      format,
      ok: { outcome: 'ok', result: { doubled: 42 } },
      // `instanceof` across the `faasade` and `faasade/testing` doors: one error class, not two copies.
      bad: { outcome: 'drop', name: 'ValidationError', status: 400, isValidationError: true, isFaasadeError: true, paths: [['n']] },
      thrown: { outcome: 'drop', isPermanentError: true },
    })
  })

  // Every door, not only the two above: a door that takes a name from the
  // core which the core does not export fails here (ESM at link time; for
  // CommonJS, the names it reads off the core are compared with the core's).
  it('loads every door with import and with require, and each finds what it takes from the core', async () => {
    const doors = Object.keys(manifest.exports as Record<string, unknown>)
      .filter((door) => door !== './package.json')
      .map((door) => door.replace(/^\./, manifest.name))
    const script = (format: 'esm' | 'cjs') =>
      format === 'esm'
        ? `for (const door of ${JSON.stringify(doors)}) await import(door); console.log('ok')`
        : `for (const door of ${JSON.stringify(doors)}) require(door); console.log('ok')`
    await writeFile(join(consumer, 'doors.mjs'), script('esm'))
    await writeFile(join(consumer, 'doors.cjs'), script('cjs'))
    for (const file of ['doors.mjs', 'doors.cjs']) {
      const result = await run(process.execPath, [file], consumer)
      expect(result.code, transcript(result)).toBe(0)
    }
    const dist = join(consumer, 'node_modules', manifest.name, 'dist')
    const core = await run(process.execPath, ['-e', `console.log(JSON.stringify(Object.keys(require(${JSON.stringify(join(dist, 'index.cjs'))}))))`], consumer)
    const exported = new Set(JSON.parse(core.stdout) as string[])
    const { readdirSync } = await import('node:fs')
    const taken = new Set<string>()
    for (const file of readdirSync(dist).filter((f) => f.endsWith('.cjs') && f !== 'index.cjs')) {
      const text = readFileSync(join(dist, file), 'utf8')
      // esbuild reads a required module's names as `<binding>.<name>`, the binding named after it.
      for (const match of text.matchAll(/(?<![\w"'./])faasade\d*\.([A-Za-z_$][\w$]*)/g)) taken.add(match[1]!)
    }
    expect([...taken].filter((name) => !exported.has(name))).toEqual([])
  })

  it('type-checks for .mts and .cts consumers with module nodenext (.d.ts for import, .d.cts for require)', async () => {
    const result = await run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--listFiles'], consumer)
    expect(result.code, transcript(result)).toBe(0)
    const files = result.stdout.split('\n').map((line) => line.trim().replaceAll('\\', '/'))
    for (const declaration of ['index.d.ts', 'index.d.cts', 'testing.d.ts', 'testing.d.cts']) {
      expect(files.some((f) => f.endsWith(`/node_modules/${manifest.name}/dist/${declaration}`)), `${declaration} in\n${result.stdout}`).toBe(true)
    }
  })

  // `any` in a shipped declaration switches type checking off at the user's
  // call site. Found in the syntax tree, so that the word in a comment or a
  // string literal type ('any') does not count.
  it('has no `any` type in any declaration file it ships', () => {
    const dist = join(work, 'package', 'dist')
    const found: string[] = []
    const declarations = readdirSync(dist).filter((f) => /\.d\.c?ts$/.test(f))
    expect(declarations.length).toBeGreaterThan(10)
    for (const file of declarations) {
      const source = ts.createSourceFile(file, readFileSync(join(dist, file), 'utf8'), ts.ScriptTarget.Latest, true)
      const visit = (node: ts.Node): void => {
        if (node.kind === ts.SyntaxKind.AnyKeyword) found.push(`${file}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${node.parent.getText().slice(0, 80)}`)
        ts.forEachChild(node, visit)
      }
      visit(source)
    }
    expect(found).toEqual([])
  })

  it('passes publint --strict', async () => {
    const result = await run(bin('publint'), ['run', tarball, '--strict'], work)
    expect(result.code, transcript(result)).toBe(0)
  })

  it('passes are-the-types-wrong (node16 profile)', async () => {
    const result = await run(bin('attw'), [tarball, '--profile', 'node16', '--no-color', '--no-emoji'], work)
    expect(result.code, transcript(result)).toBe(0)
  })
})
