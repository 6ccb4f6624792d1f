/**
 * A real Storage queue (azurite's queue service) and the part of the
 * Functions host's queue listener the adapter's outcomes drive: receive a
 * message, base64-decode it, invoke the function with the metadata the host
 * sends, then delete the message on success, or on failure make it visible
 * again, or, once it has been dequeued `maxDequeueCount` times, move it to
 * `<queue>-poison` (the host's documented behaviour; host.json
 * `extensions.queues.maxDequeueCount`, default 5).
 *
 * Requests are signed with an account SAS of the well-known development
 * account (no storage SDK needed for four REST calls).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createHmac } from 'node:crypto'
import { createServer } from 'node:net'
import { createRequire } from 'node:module'
import type { InvocationResult, RpcTypedData } from './host.js'

const require = createRequire(import.meta.url)
/** The well-known development storage account (documented by Microsoft; not a secret). */
const ACCOUNT = 'devstoreaccount1'
const KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
const VERSION = '2019-12-12'

export interface QueueMessage {
  id: string
  popReceipt: string
  dequeueCount: number
  text: string
  insertionTime: string
  expirationTime: string
  nextVisibleTime: string
}

export interface AzuriteQueues {
  create(queue: string): Promise<void>
  /** Sends `text` base64-encoded, as the SDKs and the host's output binding do. */
  send(queue: string, text: string): Promise<void>
  /** At most one message, hidden for `visibilityTimeout` seconds; its text base64-decoded. */
  receive(queue: string, visibilityTimeout?: number): Promise<QueueMessage | undefined>
  remove(queue: string, message: QueueMessage): Promise<void>
  /** Makes a received message visible again after `seconds`. */
  release(queue: string, message: QueueMessage, seconds: number): Promise<void>
  stop(): Promise<void>
}

export async function startAzuriteQueues(): Promise<AzuriteQueues> {
  const port = await freePort()
  const main = require.resolve('azurite/dist/src/queue/main.js')
  const child = spawn(process.execPath, [main, '--queueHost', '127.0.0.1', '--queuePort', String(port), '--inMemoryPersistence', '--disableTelemetry'], { stdio: ['ignore', 'pipe', 'pipe'] })
  await ready(child, /successfully listens on/)
  const base = `http://127.0.0.1:${port}/${ACCOUNT}`
  const sas = accountSas()
  const call = async (method: string, path: string, query = '', body?: string): Promise<string> => {
    const response = await fetch(`${base}/${path}?${query}${query ? '&' : ''}${sas}`, { method, body, headers: { 'x-ms-version': VERSION } })
    const text = await response.text()
    if (!response.ok) throw new Error(`azurite ${method} ${path}: ${response.status} ${text}`)
    return text
  }
  return {
    create: async (queue) => void (await call('PUT', queue)),
    send: async (queue, text) => void (await call('POST', `${queue}/messages`, '', `<QueueMessage><MessageText>${Buffer.from(text).toString('base64')}</MessageText></QueueMessage>`)),
    async receive(queue, visibilityTimeout = 30) {
      const xml = await call('GET', `${queue}/messages`, `numofmessages=1&visibilitytimeout=${visibilityTimeout}`)
      const field = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1]
      const id = field('MessageId')
      if (id === undefined) return undefined
      return {
        id,
        popReceipt: field('PopReceipt')!,
        dequeueCount: Number(field('DequeueCount')),
        text: Buffer.from(field('MessageText')!, 'base64').toString('utf8'),
        insertionTime: new Date(field('InsertionTime')!).toISOString(),
        expirationTime: new Date(field('ExpirationTime')!).toISOString(),
        nextVisibleTime: new Date(field('TimeNextVisible')!).toISOString(),
      }
    },
    remove: async (queue, message) => void (await call('DELETE', `${queue}/messages/${message.id}`, `popreceipt=${encodeURIComponent(message.popReceipt)}`)),
    release: async (queue, message, seconds) =>
      void (await call('PUT', `${queue}/messages/${message.id}`, `popreceipt=${encodeURIComponent(message.popReceipt)}&visibilitytimeout=${seconds}`)),
    stop: () => stop(child),
  }
}

/** What the host sends beside a message: its metadata, PascalCase, as RPC typed data. */
export function hostMetadata(queue: string, message: QueueMessage): Record<string, RpcTypedData> {
  const json = (value: unknown): RpcTypedData => ({ json: JSON.stringify(value) })
  return {
    QueueTrigger: { string: message.text },
    DequeueCount: json(message.dequeueCount),
    Id: json(message.id),
    PopReceipt: json(message.popReceipt),
    InsertionTime: json(message.insertionTime),
    ExpirationTime: json(message.expirationTime),
    NextVisibleTime: json(message.nextVisibleTime),
    sys: json({ MethodName: queue, UtcNow: new Date().toISOString(), RandGuid: '2c1b0a99-8877-4665-a544-332211009988' }),
  }
}

/**
 * One pass of the host's listener over `queue`: receive, invoke, settle.
 * Returns what happened, or `undefined` when the queue had nothing visible.
 */
export async function pollOnce(
  queues: AzuriteQueues,
  queue: string,
  invokeWith: (input: RpcTypedData, metadata: Record<string, RpcTypedData>) => Promise<InvocationResult>,
  maxDequeueCount: number,
): Promise<{ message: QueueMessage; result: InvocationResult; settled: 'deleted' | 'released' | 'poisoned' } | undefined> {
  const message = await queues.receive(queue)
  if (!message) return undefined
  const result = await invokeWith({ string: message.text }, hostMetadata(queue, message))
  if (result.ok) {
    await queues.remove(queue, message)
    return { message, result, settled: 'deleted' }
  }
  if (message.dequeueCount >= maxDequeueCount) {
    await queues.send(`${queue}-poison`, message.text)
    await queues.remove(queue, message)
    return { message, result, settled: 'poisoned' }
  }
  // host.json `visibilityTimeout` 0 (the default): visible again at once.
  await queues.release(queue, message, 0)
  return { message, result, settled: 'released' }
}

function accountSas(): string {
  const params = { sv: VERSION, ss: 'q', srt: 'sco', sp: 'rwdlacup', se: '2099-01-01T00:00:00Z' }
  const toSign = [ACCOUNT, params.sp, params.ss, params.srt, '', params.se, '', '', params.sv, ''].join('\n')
  const sig = createHmac('sha256', Buffer.from(KEY, 'base64')).update(toSign, 'utf8').digest('base64')
  return new URLSearchParams({ ...params, sig }).toString()
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

function ready(child: ChildProcess, line: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = ''
    const timer = setTimeout(() => reject(new Error(`azurite did not start in 20 s: ${output}`)), 20_000)
    const seen = (chunk: Buffer) => {
      output += chunk.toString()
      if (line.test(output)) {
        clearTimeout(timer)
        resolve()
      }
    }
    child.stdout!.on('data', seen)
    child.stderr!.on('data', seen)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`azurite exited (${code}) before it was ready: ${output}`))
    })
  })
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })
}
