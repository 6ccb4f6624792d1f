/**
 * One fresh Node process for a cold-start sample: `node <args>` from the
 * repository root, timed from spawn to exit. The child prints its figures
 * as JSON on its last line of standard output; they come back with the
 * wall time beside them. Shared by bench/idempotency and bench/secrets.
 */
import { spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

/** Runs `node ...args` with `env`; resolves with its last JSON line and `wallMs`, rejects on a non-zero exit. */
export function runChild(args, env) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint()
    const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (c) => (out += c))
    child.stderr.on('data', (c) => (err += c))
    child.on('exit', (code) => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6
      if (code !== 0) return reject(new Error(`${args.join(' ')} exited ${code}:\n${err.slice(0, 2000)}`))
      resolve({ ...JSON.parse(out.trim().split('\n').pop()), wallMs })
    })
  })
}
