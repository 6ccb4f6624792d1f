/**
 * `npm run demo` stops everything it started: examples/demo.mjs and the
 * `faasade dev` server it spawns release the port when the demo gets SIGTERM
 * or SIGINT, and when the shell npm runs it under is killed (npm forwards
 * SIGTERM to that shell, not to the demo). The demo serves the example
 * through dist/, built here when absent, as test/dev/dev-server.test.ts does.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/** Whether something may listen on the port again. */
async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
      .once('error', () => resolve(false))
      .listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 10_000): Promise<T> {
  const until = Date.now() + ms
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Starts the demo (optionally under `sh -c`, as npm does) and waits until its tour is done. */
async function startDemo(port: number, viaShell: boolean): Promise<{ child: ChildProcess; output: () => string; exited: Promise<number | null> }> {
  const env = { ...process.env, PORT: String(port) }
  const child = viaShell
    ? spawn('sh', ['-c', 'true && node examples/demo.mjs'], { env })
    : spawn(process.execPath, ['examples/demo.mjs'], { env })
  let text = ''
  child.stdout!.on('data', (d: Buffer) => (text += d.toString()))
  child.stderr!.on('data', (d: Buffer) => (text += d.toString()))
  started.push(child.pid!)
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  await waitFor(`the demo's tour (output so far: ${text})`, () => (text.includes('Still serving') ? true : undefined), 30_000)
  return { child, output: () => text, exited }
}

// Processes a failed test might leave behind: killed after each test.
const started: number[] = []
const childrenOf = (pid: number): number[] => {
  try {
    return execFileSync('pgrep', ['-P', String(pid)]).toString().trim().split('\n').map(Number)
  } catch {
    return [] // pgrep exits 1 when there are none
  }
}
afterEach(() => {
  const pids = started.splice(0)
  for (const pid of [...pids, ...pids.flatMap(childrenOf), ...pids.flatMap(childrenOf).flatMap(childrenOf)]) if (alive(pid)) process.kill(pid, 'SIGKILL')
})

beforeAll(async () => {
  if (!existsSync('dist/cli.js') || !existsSync('dist/index.js')) {
    await new Promise<void>((resolve, reject) =>
      spawn('npx', ['tsup', '--silent'], { stdio: 'ignore' }).on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`tsup exited ${code}`)))),
    )
  }
}, 180_000)

describe('npm run demo, stopping', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('%s to the demo stops the server and releases the port', async (signal) => {
    const port = await freePort()
    const { child, output, exited } = await startDemo(port, false)
    expect(output()).toContain('server | faasade dev: serving')
    expect(await portIsFree(port)).toBe(false)
    child.kill(signal)
    expect(await exited).toBe(0)
    expect(await waitFor('the port to be released', async () => ((await portIsFree(port)) ? true : undefined))).toBe(true)
  }, 60_000)

  it('killing the shell npm runs it under (npm forwards SIGTERM there) stops the demo and the server', async () => {
    const port = await freePort()
    const { child, exited } = await startDemo(port, true)
    // The shell's child is the demo; find it by its parent.
    const demoPid = childrenOf(child.pid!)[0]!
    started.push(demoPid)
    expect(alive(demoPid)).toBe(true)
    child.kill('SIGTERM')
    await exited
    await waitFor('the demo to exit', () => (alive(demoPid) ? undefined : true))
    expect(await waitFor('the port to be released', async () => ((await portIsFree(port)) ? true : undefined))).toBe(true)
  }, 60_000)
})
