/**
 * The plain server door: a `node:http` server for Cloud Run (or any
 * container platform: Knative, Cloud Run for Anthos, a VM) that loads no
 * Google package. It answers the health paths itself, hands every other
 * request to `handle.ts`, and on SIGTERM drains: Cloud Run sends SIGTERM
 * when it stops an instance and SIGKILL 10 seconds later.
 */
import { createServer as createHttpServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Logger } from '../../src/logger.js'
import type { Target } from '../../src/service.js'
import { cloudRunEntry, handleRequest } from './handle.js'
import { createCloudRunLogger } from './log.js'
import { checkCloudRunOptions, checkServeOptions, listenPort, type CloudRunOptions, type CloudRunServeOptions, type HealthPaths, type ShutdownHook } from './options.js'

const DEFAULT_HEALTH = { live: '/_health/live', ready: '/_health/ready' } as const

/**
 * A `node:http` server for `target`, not yet listening. It installs no
 * signal handler: for a process of your own making, or a test.
 *
 * @example
 * ```ts
 * import { createServer } from 'faasade/cloud-run'
 * import { service } from './service.js'
 *
 * createServer(service).listen(Number(process.env.PORT ?? 8080))
 * ```
 */
export function createServer(target: Target, options: CloudRunOptions = {}): Server {
  checkCloudRunOptions('createServer', options)
  return serverFor(target, options)
}

function serverFor(target: Target, options: CloudRunOptions): Server {
  const entry = cloudRunEntry(target, options)
  const health: HealthPaths = options.health === false ? {} : { ...DEFAULT_HEALTH, ...options.health }
  const server = createHttpServer((incoming, res) => {
    // After close(): tell keep-alive clients to go elsewhere for their next request.
    if (!server.listening) res.setHeader('connection', 'close')
    if (incoming.method === 'GET' || incoming.method === 'HEAD') {
      const path = incoming.url?.split('?')[0]
      if (path !== undefined && (path === health.live || path === health.ready)) {
        const ok = path === health.live || server.listening
        res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' })
        return void res.end(JSON.stringify({ status: ok ? 'ok' : 'shutting down' }))
      }
    }
    void handleRequest(entry, incoming, res)
  })
  return server
}

/** A server that `serve` started. */
export interface CloudRunServer {
  readonly server: Server
  /** Resolves once the server listens (with its address), rejects when it cannot (a port in use). */
  readonly listening: Promise<AddressInfo>
  /**
   * Stops accepting connections, waits for the requests in flight (up to
   * `drainTimeoutMs`, then closes their connections), closes idle
   * keep-alive connections, runs the `onShutdown` hooks (up to
   * `hookTimeoutMs`). Does not exit the process; a signal's handler does,
   * after it. Calling it again returns the same promise.
   */
  shutdown(): Promise<void>
}

/**
 * Serves `target` on `PORT` (Cloud Run sets it; 8080 otherwise) and drains
 * on SIGTERM: the requests in flight finish (8 s at most), new connections
 * are refused, the shutdown hooks run, and the process exits.
 *
 * @example
 * ```ts
 * // server.ts: the container's command is `node server.js`
 * import { serve } from 'faasade/cloud-run'
 * import { service } from './service.js'
 *
 * serve(service, { onShutdown: () => pool.end() })
 * ```
 */
export function serve(target: Target, options: CloudRunServeOptions = {}): CloudRunServer {
  checkServeOptions(options)
  const { drainTimeoutMs = 8_000, hookTimeoutMs = 1_500, signals = ['SIGTERM', 'SIGINT'], onShutdown, port: _port, host, ...rest } = options
  const server = serverFor(target, rest)
  // The server's own lines (start, shutdown) go where the requests' do.
  const log = options.log ?? createCloudRunLogger()
  const hooks: readonly ShutdownHook[] = onShutdown === undefined ? [] : typeof onShutdown === 'function' ? [onShutdown] : onShutdown
  // Read before listening: a bad PORT throws from serve(), not from a promise no one awaits.
  const port = listenPort(options)
  const listening = new Promise<AddressInfo>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host ?? (process.env.HOST || undefined), () => {
      server.off('error', reject)
      const address = server.address() as AddressInfo
      log.info('listening', { port: address.port, address: address.address })
      resolve(address)
    })
  })
  let stopping: Promise<void> | undefined
  const shutdown = () => (stopping ??= drain(server, { drainTimeoutMs, hookTimeoutMs, hooks, log }))
  if (signals !== false) {
    const onSignal = (signal: string) => {
      log.info('shutting down', { signal })
      for (const s of signals) process.off(s, onSignal)
      void shutdown().finally(() => process.exit(0))
    }
    for (const signal of signals) process.once(signal, onSignal)
  }
  return { server, listening, shutdown }
}

interface DrainOptions {
  readonly drainTimeoutMs: number
  readonly hookTimeoutMs: number
  readonly hooks: readonly ShutdownHook[]
  readonly log: Logger
}

async function drain(server: Server, { drainTimeoutMs, hookTimeoutMs, hooks, log }: DrainOptions): Promise<void> {
  const started = Date.now()
  const closed = new Promise<void>((resolve) => server.close(() => resolve()))
  // close() waits for every connection, and a keep-alive one stays open
  // until its client drops it: close each as soon as it is idle.
  server.closeIdleConnections()
  const idle = setInterval(() => server.closeIdleConnections(), 25)
  idle.unref()
  const inTime = await within(closed, drainTimeoutMs)
  clearInterval(idle)
  if (!inTime) {
    log.warn('requests still running at the drain limit: their connections are closed', { drainTimeoutMs })
    server.closeAllConnections()
  }
  if (hooks.length > 0) {
    const ran = await within(
      Promise.all(hooks.map((hook) => Promise.resolve().then(hook).catch((error: unknown) => log.error('shutdown hook failed', { error })))),
      hookTimeoutMs,
    )
    if (!ran) log.warn('shutdown hooks still running at their time limit', { hookTimeoutMs })
  }
  log.info('shut down', { ms: Date.now() - started })
}

/** Whether `work` settled within `ms`. */
function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms)
    work.then(
      () => {
        clearTimeout(timer)
        resolve(true)
      },
      () => {
        clearTimeout(timer)
        resolve(true)
      },
    )
  })
}
