/**
 * Every ```ts block of README.md and docs/*.md type-checks against the
 * package's types (tsconfig.json maps `faasade/*` to the sources).
 *
 * - Each block becomes its own module in a temporary directory under
 *   .scratch/, next to copies of examples/orders' app.ts, handler.ts,
 *   service.ts and cloud-run-options.ts (and with copies one level up), so
 *   a block may import `./service.js` (or `../service.js`) as the example's
 *   entry files do.
 * - A block whose first line starts with `// fragment` is a piece of
 *   something larger (it uses names it does not declare); it is reported
 *   as a skipped test, by file and line, not checked.
 */
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import ts from 'typescript'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

export const FRAGMENT = /^\/\/ fragment\b/

export interface Snippet {
  /** `docs/secrets.md:42`: the file and the line of the opening fence. */
  name: string
  code: string
  fragment: boolean
}

/** The ```ts (or ```typescript) blocks of a Markdown text. */
export function extractSnippets(file: string, markdown: string): Snippet[] {
  const snippets: Snippet[] = []
  const lines = markdown.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*(ts|typescript)\s*$/.exec(lines[i]!)
    if (!open) continue
    const fence = open[2]!
    const start = i
    const body: string[] = []
    for (i++; i < lines.length && !lines[i]!.trim().startsWith(fence); i++) body.push(lines[i]!.slice(open[1]!.length))
    const code = body.join('\n')
    snippets.push({ name: `${file}:${start + 1}`, code, fragment: FRAGMENT.test(code.trimStart()) })
  }
  return snippets
}

const files = ['README.md', ...(await readdir('docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)]
const snippets = (await Promise.all(files.map(async (file) => extractSnippets(file, await readFile(file, 'utf8'))))).flat()

let dir = ''
const problems = new Map<string, string[]>()
const fileOf = new Map<string, string>()

beforeAll(async () => {
  await mkdir('.scratch', { recursive: true })
  dir = resolve(await mkdtemp(join('.scratch', 'snippets-')))
  // Beside the blocks and one level up: an entry file in a folder of its own
  // (examples/orders/azure/index.ts) imports `../service.js`.
  const blocks = join(dir, 'blocks')
  await mkdir(blocks)
  for (const example of ['app.ts', 'handler.ts', 'service.ts', 'cloud-run-options.ts']) {
    await copyFile(join('examples/orders', example), join(dir, example))
    await copyFile(join('examples/orders', example), join(blocks, example))
  }
  const roots: string[] = []
  for (const [index, snippet] of snippets.entries()) {
    if (snippet.fragment) continue
    const file = join(blocks, `${snippet.name.replace(/[^a-z0-9]+/gi, '-')}-${index}.ts`)
    // `export {}`: each block is a module of its own, whether or not it imports.
    await writeFile(file, `${snippet.code}\nexport {}\n`)
    fileOf.set(snippet.name, file)
    roots.push(file)
  }
  const config = ts.getParsedCommandLineOfConfigFile(resolve('tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })
  if (!config) throw new Error('tsconfig.json could not be read')
  const program = ts.createProgram(roots, { ...config.options, noEmit: true })
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const file = diagnostic.file?.fileName ?? ''
    const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')
    const where = diagnostic.file && diagnostic.start !== undefined ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start) : undefined
    const line = where ? `line ${where.line + 1} of the block: ` : ''
    const list = problems.get(resolve(file)) ?? []
    list.push(`${line}${text}`)
    problems.set(resolve(file), list)
  }
}, 120_000)

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('code blocks in README.md and docs/', () => {
  it('finds some', () => {
    expect(snippets.filter((s) => !s.fragment).length).toBeGreaterThan(5)
  })

  for (const snippet of snippets) {
    if (snippet.fragment) {
      it.skip(`${snippet.name} (marked // fragment)`, () => {})
      continue
    }
    it(`${snippet.name} type-checks`, () => {
      expect(problems.get(fileOf.get(snippet.name)!) ?? []).toEqual([])
    })
  }

  it('the copies of the example type-check too', () => {
    const mine = [...problems.entries()].filter(([file]) => file.startsWith(dir) && !(fileOf.size && [...fileOf.values()].includes(file)))
    expect(mine).toEqual([])
  })
})
