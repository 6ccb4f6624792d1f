/**
 * `@hono/node-server` (and with it `hono`) is only the dev server's: an
 * optional peer dependency, so that a consumer who never runs `faasade dev`
 * installs neither. The CLI loads it when `dev` starts and, where it is not
 * installed, exits 1 naming the command that installs it. The CLI is built
 * from the sources and copied to a directory under the system's temporary
 * directory, where no node_modules can be found.
 */
import { spawn } from 'node:child_process'
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildCli } from './build-cli.js'

let built = ''
let lonely = ''

beforeAll(async () => {
  const { cli, dir } = await buildCli()
  built = dir
  lonely = await mkdtemp(join(tmpdir(), 'faasade-no-modules-'))
  await copyFile(cli, join(lonely, 'cli.js'))
  await writeFile(join(lonely, 'app.mjs'), `export default { fetch: () => new Response('served') }\n`)
}, 60_000)
afterAll(async () => {
  if (built) await rm(built, { recursive: true, force: true })
  if (lonely) await rm(lonely, { recursive: true, force: true })
})

async function run(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [join(lonely, 'cli.js'), ...args], { cwd: lonely })
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr.on('data', (d: Buffer) => (err += d.toString()))
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
  return { code, out, err }
}

describe('without @hono/node-server installed', () => {
  it('faasade dev exits 1 naming the install command', async () => {
    const { code, out, err } = await run('dev', 'app.mjs', '--port', '0')
    expect(code).toBe(1)
    expect(out).toBe('')
    expect(err).toContain('npm install -D @hono/node-server hono')
  })

  it('the CLI still starts: --version does not load it', async () => {
    const { code, err } = await run('--version')
    expect(code).toBe(0)
    expect(err).toBe('')
  })
})

describe('package.json', () => {
  it('has @hono/node-server as an optional peer dependency, and as a dev dependency', async () => {
    const pkg = JSON.parse(await readFile('package.json', 'utf8')) as Record<string, Record<string, unknown> | undefined>
    expect(pkg.dependencies?.['@hono/node-server']).toBeUndefined()
    const dev = pkg.devDependencies?.['@hono/node-server'] as string
    expect(dev).toMatch(/^\d+\.\d+\.\d+$/)
    expect(pkg.peerDependencies?.['@hono/node-server']).toBe(`^${dev}`)
    expect(pkg.peerDependenciesMeta?.['@hono/node-server']).toEqual({ optional: true })
  })
})
