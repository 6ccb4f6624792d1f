/**
 * `faasade dev` bundles a TypeScript module before importing it. The bundle
 * was written beside the source as `.faasade-dev-<pid>-<name>.mjs`: a name
 * anyone could predict, in a directory others may write to, and a file left
 * behind when the process died mid-import. It now goes to a fresh directory
 * of its own under the system's temporary directory, readable by its owner
 * only, and removed once imported. The module observes all of this while it
 * is being imported, and its `hono` import shows that packages still
 * resolve from the project's node_modules.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadTarget } from '../../src/dev/load.js'

interface Seen {
  dir: string
  mode: number
  files: string[]
  besideEntry: string[]
}

const seen = () => (globalThis as { __faasadeLoadSeen?: Seen }).__faasadeLoadSeen

let project = ''

beforeAll(async () => {
  // In the repository (gitignored), so that `hono` resolves from its node_modules.
  await mkdir('.scratch', { recursive: true })
  project = resolve(await mkdtemp(join('.scratch', 'load-')))
})
afterAll(async () => {
  if (project) await rm(project, { recursive: true, force: true })
})

const SOURCE = `
import { readdirSync, statSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Hono } from 'hono'

const dir = dirname(fileURLToPath(import.meta.url))
const g = globalThis as { __faasadeLoadSeen?: unknown; __faasadeEntryDir?: string }
g.__faasadeLoadSeen = { dir, mode: statSync(dir).mode & 0o777, files: readdirSync(dir), besideEntry: readdirSync(g.__faasadeEntryDir!) }

const typed: number = 1
export default new Hono().get('/', (c) => c.text(String(typed)))
`

describe('loadTarget of a TypeScript module', () => {
  it('imports a bundle from a private temporary directory, writes nothing beside the entry, and removes the directory', async () => {
    const entry = join(project, 'app.ts')
    await writeFile(entry, SOURCE)
    ;(globalThis as { __faasadeEntryDir?: string }).__faasadeEntryDir = project
    const target = (await loadTarget(entry)) as { fetch(request: Request): Response | Promise<Response> }
    expect(await (await target.fetch(new Request('http://localhost/'))).text()).toBe('1')

    const during = seen()!
    expect(during.besideEntry).toEqual(['app.ts'])
    expect(dirname(during.dir)).toBe(resolve(tmpdir()))
    expect(during.mode).toBe(0o700)
    expect(during.files).toHaveLength(1)
    // Removed once imported; nothing left beside the entry.
    expect(existsSync(during.dir)).toBe(false)
    expect(await readdir(project)).toEqual(['app.ts'])
  })

  it('removes the directory when the bundle fails to import', async () => {
    const entry = join(project, 'throws.ts')
    await writeFile(entry, `const dir: string = new URL('.', import.meta.url).pathname\n;(globalThis as { __faasadeFailedDir?: string }).__faasadeFailedDir = dir\nthrow new Error('module failed')\n`)
    await expect(loadTarget(entry)).rejects.toThrow('module failed')
    const dir = (globalThis as { __faasadeFailedDir?: string }).__faasadeFailedDir!
    expect(dir.startsWith(resolve(tmpdir()))).toBe(true)
    expect(existsSync(dir)).toBe(false)
    expect((await readdir(project)).sort()).toEqual(['app.ts', 'throws.ts'])
  })

  it('removes the directory when the module does not build', async () => {
    const before = (await readdir(tmpdir())).filter((name) => name.startsWith('faasade-dev-'))
    const entry = join(project, 'broken.ts')
    await writeFile(entry, `export default {\n`)
    await expect(loadTarget(entry)).rejects.toThrow()
    expect((await readdir(tmpdir())).filter((name) => name.startsWith('faasade-dev-'))).toEqual(before)
    expect((await readdir(project)).sort()).toEqual(['app.ts', 'broken.ts', 'throws.ts'])
  })
})
