/**
 * A Lambda Runtime API on 127.0.0.1 (the endpoints the runtime interface
 * client uses: next, response, error and init error, as AWS documents the
 * Lambda Runtime API), and
 * the real `aws-lambda-ric` 3.3 running a bundled function against it.
 *
 * Why our own Runtime API and not an emulator: AWS's Runtime Interface
 * Emulator (`aws-lambda-rie`) is a Go binary shipped in container images and
 * release downloads, neither an npm nor a Debian package, so the machines
 * this project runs on cannot install it. The Runtime API it would stand in
 * for is four small HTTP endpoints, and serving them here lets a test read
 * every reply and error the client posts, and hand it the exact events and
 * deadlines a case needs.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'

// Not a dependency of the repository: it compiles a native client when installed,
// which a machine with only Node and npm cannot do. `npm run setup:lambda-ric`
// installs it in .ci/lambda-ric; FAASADE_LAMBDA_RIC names another copy.
const RIC_DIR = process.env.FAASADE_LAMBDA_RIC ?? fileURLToPath(new URL('../../../.ci/lambda-ric/node_modules/aws-lambda-ric', import.meta.url))
const RIC = `${RIC_DIR}/bin/index.mjs`
const ADDON = `${RIC_DIR}/dist/rapid-client.node`
const FUNCTION_ARN = 'arn:aws:lambda:us-east-2:123456789012:function:orders'

export interface Invocation {
  /** `response` (the handler returned) or `error` (it threw). */
  readonly kind: 'response' | 'error'
  /** The JSON posted; for a streamed response, the raw bytes. */
  readonly body: unknown
  readonly headers: IncomingMessage['headers']
  /** For a streamed response: how many chunks arrived. */
  readonly chunks?: number
}

interface Pending {
  id: string
  event: unknown
  deadlineMs: number
  traceId: string
  resolve(invocation: Invocation): void
  reject(error: Error): void
}

export class RuntimeApi {
  private readonly server: Server
  private readonly queue: Pending[] = []
  private readonly inFlight = new Map<string, Pending>()
  private parked: ServerResponse | undefined
  private next = 0
  readonly initErrors: unknown[] = []

  private constructor(server: Server) {
    this.server = server
    server.on('request', (req, res) => void this.route(req, res))
  }

  static async start(): Promise<RuntimeApi> {
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    return new RuntimeApi(server)
  }

  get address(): string {
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  /** Queues one event and resolves with what the function posted back. */
  invoke(event: unknown, options: { remainingMs?: number; traceId?: string } = {}): Promise<Invocation> & { id: string } {
    const id = `req-${++this.next}`
    let pending!: Pending
    const promise = new Promise<Invocation>((resolve, reject) => {
      pending = { id, event, deadlineMs: Date.now() + (options.remainingMs ?? 30_000), traceId: options.traceId ?? `Root=1-5bef4de7-${id}`, resolve, reject }
    })
    this.queue.push(pending)
    this.serve()
    return Object.assign(promise, { id })
  }

  /** Fails every invocation still waiting (the runtime died). */
  failAll(error: Error): void {
    for (const p of [...this.queue, ...this.inFlight.values()]) p.reject(error)
    this.queue.length = 0
    this.inFlight.clear()
  }

  /** Forgets the parked poll of a runtime that was stopped (its socket may not have closed yet). */
  forgetPoll(): void {
    this.parked?.destroy()
    this.parked = undefined
  }

  close(): Promise<void> {
    this.parked?.destroy()
    return new Promise((resolve) => this.server.close(() => resolve()))
  }

  private serve(): void {
    const res = this.parked
    const pending = this.queue.shift()
    if (!res || res.destroyed || !pending) {
      if (pending) this.queue.unshift(pending)
      return
    }
    this.parked = undefined
    this.inFlight.set(pending.id, pending)
    res.writeHead(200, {
      'content-type': 'application/json',
      'lambda-runtime-aws-request-id': pending.id,
      'lambda-runtime-deadline-ms': String(pending.deadlineMs),
      'lambda-runtime-invoked-function-arn': FUNCTION_ARN,
      'lambda-runtime-trace-id': pending.traceId,
    })
    res.end(JSON.stringify(pending.event))
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? ''
    if (req.method === 'GET' && url === '/2018-06-01/runtime/invocation/next') {
      // A long poll: answered when an event is queued. One runtime polls at a time (one function, one instance).
      this.parked = res
      res.on('close', () => {
        if (this.parked === res) this.parked = undefined
      })
      this.serve()
      return
    }
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const bytes = Buffer.concat(chunks)
    // A streamed response (Lambda-Runtime-Function-Response-Mode: streaming) is bytes, sent chunked.
    const streamed = req.headers['lambda-runtime-function-response-mode'] === 'streaming'
    const text = bytes.toString('utf8')
    const body: unknown = streamed ? bytes : text === '' ? undefined : JSON.parse(text)
    const done = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url)
    if (req.method === 'POST' && done) {
      const pending = this.inFlight.get(done[1]!)
      this.inFlight.delete(done[1]!)
      pending?.resolve({ kind: done[2] as Invocation['kind'], body, headers: req.headers, ...(streamed ? { chunks: chunks.length } : {}) })
      res.writeHead(202).end('{"status":"OK"}')
      return
    }
    if (req.method === 'POST' && url === '/2018-06-01/runtime/init/error') {
      this.initErrors.push(body)
      res.writeHead(202).end('{"status":"OK"}')
      this.failAll(new Error(`the function failed to initialise: ${text}`))
      return
    }
    res.writeHead(404).end()
  }
}

export interface RunningFunction {
  readonly child: ChildProcess
  readonly output: () => string
  /** Stops the runtime (before the Runtime API closes: the ric segfaults otherwise). */
  stop(): Promise<void>
}

const children = new Set<ChildProcess>()
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL')
})

/** Why the runtime tests cannot run here, or `undefined` when the ric is installed and built. */
export const ricMissing = existsSync(ADDON) ? undefined : `aws-lambda-ric is not installed (${ADDON} is missing): run \`npm run setup:lambda-ric\` (needs autoconf, automake, libtool, make, g++, cmake; .ci/run installs them)`

/** Throws with the fix when the ric is missing. */
export function checkRicBuilt(): void {
  if (ricMissing) throw new Error(ricMissing)
}

/** Starts `aws-lambda-ric` on `handler` (`index.handler`) from `taskRoot` against `api`, with the function's `env`. */
export function startRic(api: RuntimeApi, taskRoot: string, handler: string, env: Record<string, string> = {}): RunningFunction {
  checkRicBuilt()
  const child = spawn(process.execPath, [RIC, handler], {
    cwd: taskRoot,
    // The function's configuration: its environment variables, nothing of the test's.
    env: { PATH: process.env.PATH, AWS_LAMBDA_RUNTIME_API: api.address, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.add(child)
  let output = ''
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<void>((resolve) =>
    child.on('exit', (code, signal) => {
      children.delete(child)
      if (signal !== 'SIGTERM') api.failAll(new Error(`aws-lambda-ric exited (${signal ?? code}):\n${output}`))
      resolve()
    }),
  )
  return {
    child,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      await exited
      api.forgetPoll()
    },
  }
}
