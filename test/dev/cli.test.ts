/**
 * The CLI's own answers: `--version` and `--help` on stdout with exit 0,
 * usage errors on stderr with exit 2. The CLI is built from the sources first.
 */
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildCli } from './build-cli.js'

let cli = ''
let dir = ''
const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }

beforeAll(async () => {
  ;({ cli, dir } = await buildCli())
})
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
})

async function run(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [cli, ...args])
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr.on('data', (d: Buffer) => (err += d.toString()))
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
  return { code, out, err }
}

describe('faasade CLI', () => {
  it.each(['--version', '-v'])('%s prints the package version on stdout and exits 0', async (flag) => {
    const { code, out, err } = await run(flag)
    expect(code).toBe(0)
    expect(out).toBe(`${version}\n`)
    expect(err).toBe('')
  })

  it.each([['--help'], ['-h'], ['dev', '--help']])('%s prints the usage on stdout and exits 0', async (...args) => {
    const { code, out, err } = await run(...args)
    expect(code).toBe(0)
    expect(out).toContain('Usage: faasade dev <module>[#export]')
    expect(out).toContain('--version')
    expect(out).toContain('--port')
    expect(err).toBe('')
  })

  it('with no command, prints the usage on stderr and exits 2', async () => {
    const { code, out, err } = await run()
    expect(code).toBe(2)
    expect(out).toBe('')
    expect(err).toContain('Usage: faasade dev')
  })

  it('names an unknown command', async () => {
    const { code, err } = await run('serve', 'x.ts')
    expect(code).toBe(2)
    expect(err).toContain('Unknown command: serve')
  })

  it('names an unknown option', async () => {
    const { code, err } = await run('dev', 'examples/orders/service.ts', '--prot', '1')
    expect(code).toBe(2)
    expect(err).toContain('Unknown or incomplete option: --prot')
  })
})
