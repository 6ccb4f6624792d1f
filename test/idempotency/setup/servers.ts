/**
 * Real stores for the idempotency tests, each started on a free port of
 * 127.0.0.1 and known ready by its own log line (no polling). Every child
 * process is also killed on `process.on('exit')`, since a spawned server
 * outlives a test process that dies before its teardown.
 *
 * Setups follow /work/shared/recipes/stores.md. Test code, not public API.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { chown, mkdtemp, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const require = createRequire(import.meta.url)
const run = promisify(execFile)

const children = new Set<ChildProcess>()
let exitHook = false
function track(child: ChildProcess): void {
  children.add(child)
  child.once('exit', () => children.delete(child))
  if (!exitHook) {
    exitHook = true
    process.on('exit', () => {
      for (const c of children) c.kill('SIGKILL')
    })
  }
}

/** A port nothing listens on right now (listen on 0, read it, close). */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

/** Spawns `command` and resolves once its output matches `ready`; rejects if it exits first or takes over `timeoutMs`. */
export function spawnReady(
  command: string,
  args: string[],
  ready: RegExp,
  options: { uid?: number; gid?: number; cwd?: string; timeoutMs?: number } = {},
): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.gid }),
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    })
    track(child)
    let output = ''
    const timer = setTimeout(() => fail(new Error(`${command} not ready after ${options.timeoutMs ?? 15_000} ms:\n${output}`)), options.timeoutMs ?? 15_000)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      if (ready.test(output)) {
        clearTimeout(timer)
        child.stdout!.off('data', onData)
        child.stderr!.off('data', onData)
        // Keep draining so a chatty server never blocks on a full pipe.
        child.stdout!.resume()
        child.stderr!.resume()
        child.off('exit', onExit)
        resolve(child)
      }
    }
    const onExit = (code: number | null, signal: string | null) => fail(new Error(`${command} exited (${signal ?? code}) before it was ready:\n${output}`))
    function fail(error: Error) {
      clearTimeout(timer)
      child.kill('SIGKILL')
      reject(error)
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('exit', onExit)
    child.once('error', fail)
  })
}

/** Sends `signal` and waits for the exit. */
export function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.once('exit', () => resolve())
    child.kill(signal)
  })
}

// ---------------------------------------------------------------- Redis

export const REDIS_SERVER = '/usr/bin/redis-server'
/** Why Redis tests skip, or `undefined` when redis-server is installed. */
export const redisMissing = existsSync(REDIS_SERVER) ? undefined : `${REDIS_SERVER} is missing (apt-get install redis-server; .ci/run installs it)`

export interface RedisServer {
  readonly port: number
  readonly url: string
  /** Stops the server (SIGKILL: as if it crashed). */
  kill(): Promise<void>
  /** Starts it again on the same port (empty, unless started with `persistDir`). */
  restart(): Promise<void>
  stop(): Promise<void>
}

/**
 * Starts redis-server on a free port. With `persistDir`, every write is
 * appended and fsynced to a file there before it is acknowledged (AOF,
 * `appendfsync always`), so a SIGKILLed server comes back with its data.
 */
export async function startRedis(options: { persistDir?: string } = {}): Promise<RedisServer> {
  const port = await freePort()
  const persistence = options.persistDir
    ? ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', options.persistDir]
    : ['--appendonly', 'no']
  const start = () => spawnReady(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...persistence], /Ready to accept connections/)
  let child: ChildProcess | undefined = await start()
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async kill() {
      if (child) await stopChild(child, 'SIGKILL')
      child = undefined
    },
    async restart() {
      if (child) await stopChild(child)
      child = await start()
    },
    async stop() {
      if (child) await stopChild(child)
      child = undefined
    },
  }
}

// ---------------------------------------------------------------- DynamoDB (dynalite, in process)

interface DynaliteServer {
  listen(port: number, host: string, callback: (error?: Error) => void): void
  close(callback: () => void): void
}

export interface DynamoServer {
  readonly endpoint: string
  readonly port: number
  /** Sends one JSON-protocol request (signed with dummy credentials); resolves to the reply body. */
  call(operation: string, input: object): Promise<unknown>
  createTable(table: string, keyAttribute?: string): Promise<void>
  stop(): Promise<void>
}

export const DUMMY_AWS = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' } as const

export async function startDynalite(): Promise<DynamoServer> {
  const dynalite = require('dynalite') as (options: object) => DynaliteServer
  const { AwsClient } = await import('aws4fetch')
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 })
  const port = await freePort()
  await new Promise<void>((resolve, reject) => server.listen(port, '127.0.0.1', (error) => (error ? reject(error) : resolve())))
  const endpoint = `http://127.0.0.1:${port}`
  const aws = new AwsClient({ ...DUMMY_AWS, service: 'dynamodb', region: 'us-east-1', retries: 0 })
  const call = async (operation: string, input: object) => {
    const response = await aws.fetch(`${endpoint}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `DynamoDB_20120810.${operation}` },
      body: JSON.stringify(input),
    })
    const body = (await response.json()) as unknown
    if (!response.ok) throw new Error(`${operation}: ${JSON.stringify(body)}`)
    return body
  }
  return {
    endpoint,
    port,
    call,
    async createTable(table, keyAttribute = 'id') {
      await call('CreateTable', {
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: keyAttribute, AttributeType: 'S' }],
        KeySchema: [{ AttributeName: keyAttribute, KeyType: 'HASH' }],
      })
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

// ---------------------------------------------------------------- Azure Table (azurite)

/** The well-known development storage account (documented by Microsoft; not a secret). */
export const AZURITE_ACCOUNT = 'devstoreaccount1'
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='

export interface AzuriteServer {
  readonly port: number
  readonly connectionString: string
  stop(): Promise<void>
}

export async function startAzurite(): Promise<AzuriteServer> {
  const port = await freePort()
  const main = require.resolve('azurite/dist/src/table/main.js')
  const child = await spawnReady(
    process.execPath,
    [main, '--tableHost', '127.0.0.1', '--tablePort', String(port), '--inMemoryPersistence', '--disableTelemetry', '--silent'],
    /Azurite Table service successfully started/,
  )
  return {
    port,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};TableEndpoint=http://127.0.0.1:${port}/${AZURITE_ACCOUNT};`,
    stop: () => stopChild(child, 'SIGINT'),
  }
}

// ---------------------------------------------------------------- PostgreSQL (Debian's server)

export const POSTGRES_BIN = '/usr/lib/postgresql/15/bin'
/** Why the PostgreSQL server tests skip, or `undefined` when the server is installed. */
export const postgresMissing = existsSync(join(POSTGRES_BIN, 'postgres')) ? undefined : `${POSTGRES_BIN}/postgres is missing (postgresql-15 not installed)`

export interface PostgresServer {
  readonly port: number
  readonly connectionString: string
  /** SIGINT (fast shutdown), then the data directory is removed. End your pool first. */
  stop(): Promise<void>
}

/**
 * initdb and postgres refuse to run as root, so both run as the `postgres`
 * user in a temporary directory it owns.
 */
export async function startPostgres(): Promise<PostgresServer> {
  const asRoot = process.getuid?.() === 0
  const ids = asRoot
    ? { uid: Number((await run('id', ['-u', 'postgres'])).stdout), gid: Number((await run('id', ['-g', 'postgres'])).stdout) }
    : {}
  const dir = await mkdtemp(join(tmpdir(), 'faasade-pg-'))
  if (asRoot) await chown(dir, ids.uid!, ids.gid!)
  const data = join(dir, 'data')
  await run(join(POSTGRES_BIN, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '--no-instructions', '--no-locale', '-E', 'UTF8'], {
    ...ids,
    cwd: dir,
  })
  const port = await freePort()
  const child = await spawnReady(
    join(POSTGRES_BIN, 'postgres'),
    ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
    /database system is ready to accept connections/,
    { ...ids, cwd: dir },
  )
  return {
    port,
    connectionString: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      await stopChild(child, 'SIGINT')
      await rm(dir, { recursive: true, force: true })
    },
  }
}
