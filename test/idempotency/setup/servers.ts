/**
 * Real stores for the idempotency tests, each started on a free port of
 * 127.0.0.1 and known ready by its own log line (no polling). Every child
 * process is also killed on `process.on('exit')`, since a spawned server
 * outlives a test process that dies before its teardown.
 *
 * redis-server and PostgreSQL are found where the machine installed them
 * (see `findRedisServer`, `findPostgres`); a suite that needs one skips,
 * saying what to install, when it is missing. Test code, not public API.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { readdirSync, realpathSync } from 'node:fs'
import { chown, mkdtemp, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { findOnPath, isExecutableFile } from '../../support/executables.js'
import type { Missing } from '../../support/skips.js'

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

/**
 * The redis-server to run: `FAASADE_REDIS_SERVER` when set (and then only
 * that), else the first on PATH; what is missing when there is none.
 */
export function findRedisServer(env: NodeJS.ProcessEnv = process.env): string | Missing {
  const need = 'redis-server'
  const chosen = env.FAASADE_REDIS_SERVER
  if (chosen !== undefined && chosen !== '') {
    return isExecutableFile(chosen) ? chosen : { need, why: `FAASADE_REDIS_SERVER=${chosen} is not an executable file`, enable: 'point FAASADE_REDIS_SERVER at a redis-server binary, or unset it' }
  }
  return findOnPath('redis-server', env.PATH ?? '') ?? { need, why: 'not on PATH (and FAASADE_REDIS_SERVER is unset)', enable: 'apt-get install redis-server' }
}

const redis = findRedisServer()
/** The redis-server the tests start, or `undefined` when there is none (see {@link redisMissing}). */
export const REDIS_SERVER: string | undefined = typeof redis === 'string' ? redis : undefined
/** Why the Redis suites skip, or `undefined` when redis-server is there. */
export const redisMissing: Missing | undefined = typeof redis === 'string' ? undefined : redis

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
  if (REDIS_SERVER === undefined) throw new Error(`redis-server: ${redisMissing?.why}; ${redisMissing?.enable}`)
  const server = REDIS_SERVER
  const start = () => spawnReady(server, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...persistence], /Ready to accept connections/)
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

/** The two PostgreSQL server programs the tests run. */
export interface PostgresBinaries {
  readonly initdb: string
  readonly postgres: string
}

/** `dir`'s initdb and postgres, when it holds both. */
function binariesIn(dir: string): PostgresBinaries | undefined {
  const initdb = join(dir, 'initdb')
  const postgres = join(dir, 'postgres')
  return isExecutableFile(initdb) && isExecutableFile(postgres) ? { initdb, postgres } : undefined
}

/** Orders `15` after `9.6` and `16` after `15` (as numbers, part by part). */
function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number)
  const pb = b.split('.').map(Number)
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0)
    if (d !== 0) return d
  }
  return 0
}

/**
 * PostgreSQL's initdb and postgres, from one installation: the directory
 * `FAASADE_POSTGRES_BIN` names when set (and then only that); else the
 * directory of the `postgres` on PATH (following a symlink to its real
 * directory, which holds initdb); else the newest
 * `<debianRoot>/<version>/bin`, where Debian installs them off PATH.
 * What is missing when none of these has both.
 */
export function findPostgres(env: NodeJS.ProcessEnv = process.env, debianRoot = '/usr/lib/postgresql'): PostgresBinaries | Missing {
  const need = 'PostgreSQL (initdb, postgres)'
  const chosen = env.FAASADE_POSTGRES_BIN
  if (chosen !== undefined && chosen !== '') {
    return binariesIn(chosen) ?? { need, why: `FAASADE_POSTGRES_BIN=${chosen} does not hold both initdb and postgres`, enable: 'point FAASADE_POSTGRES_BIN at a PostgreSQL bin directory, or unset it' }
  }
  const onPath = findOnPath('postgres', env.PATH ?? '')
  if (onPath !== undefined) {
    const found = binariesIn(dirname(realpathSync(onPath))) ?? binariesIn(dirname(onPath))
    if (found !== undefined) return found
  }
  let versions: string[] = []
  try {
    versions = readdirSync(debianRoot).filter((v) => /^\d+(\.\d+)*$/.test(v))
  } catch {
    // No such directory: not Debian's packaging, or no PostgreSQL at all.
  }
  for (const version of versions.sort(compareVersions).reverse()) {
    const found = binariesIn(join(debianRoot, version, 'bin'))
    if (found !== undefined) return found
  }
  return {
    need,
    why: `initdb and postgres are neither on PATH nor in ${debianRoot}/*/bin (and FAASADE_POSTGRES_BIN is unset)`,
    enable: 'apt-get install postgresql',
  }
}

/** initdb and postgres refuse to run as root; as root they run as the `postgres` user, which must exist. */
function postgresUserMissing(): Missing | undefined {
  if (process.getuid?.() !== 0) return undefined
  try {
    execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' })
    return undefined
  } catch {
    return {
      need: 'the postgres user',
      why: 'running as root, and initdb and postgres refuse root: they run as the postgres user, which does not exist',
      enable: 'useradd --system postgres',
    }
  }
}

const postgres = findPostgres()
/** The PostgreSQL server the tests start, or `undefined` when there is none (see {@link postgresMissing}). */
export const POSTGRES: PostgresBinaries | undefined = 'need' in postgres ? undefined : postgres
/** Why the PostgreSQL server suites skip, or `undefined` when they can run. */
export const postgresMissing: Missing | undefined = 'need' in postgres ? postgres : postgresUserMissing()

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
  if (POSTGRES === undefined || postgresMissing !== undefined) throw new Error(`PostgreSQL: ${postgresMissing?.why}; ${postgresMissing?.enable}`)
  const bin = POSTGRES
  const asRoot = process.getuid?.() === 0
  const ids = asRoot
    ? { uid: Number((await run('id', ['-u', 'postgres'])).stdout), gid: Number((await run('id', ['-g', 'postgres'])).stdout) }
    : {}
  const dir = await mkdtemp(join(tmpdir(), 'faasade-pg-'))
  if (asRoot) await chown(dir, ids.uid!, ids.gid!)
  const data = join(dir, 'data')
  await run(bin.initdb, ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '--no-instructions', '--no-locale', '-E', 'UTF8'], {
    ...ids,
    cwd: dir,
  })
  const port = await freePort()
  const child = await spawnReady(
    bin.postgres,
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
