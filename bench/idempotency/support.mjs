/**
 * What the idempotency bench's parts share: the build snapshot, bundling a
 * function against it, the servers (redis-server, dynalite in a child
 * process), counting proxies, and small statistics.
 */
import { spawn } from 'node:child_process'
import { accessSync, constants, cpSync, existsSync, mkdirSync, rmSync, statSync } from 'node:fs'
import { createServer as createHttpServer } from 'node:http'
import { createServer } from 'node:net'
import { delimiter, dirname, isAbsolute, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

export const here = dirname(fileURLToPath(import.meta.url))
export const root = join(here, '..', '..')
export const tmp = join(root, '.bench-tmp', 'idempotency')
export const AWS_ENV = { AWS_ACCESS_KEY_ID: 'AKIDBENCH', AWS_SECRET_ACCESS_KEY: 'bench', AWS_REGION: 'us-east-1' }

export const median = (values) => {
  const s = [...values].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
export const table = (header, rows) => [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n')

const children = new Set()
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL')
})

/**
 * Copies the build to .bench-tmp/idempotency/pkg/dist, beside a copy of
 * package.json, so that a rebuild during the run cannot mix two builds: the
 * doors import the core as `faasade`, which Node resolves through the
 * nearest package.json of that name (this copy's), and everything else
 * through the repository's node_modules.
 */
export function snapshotDist(distDir = join(root, 'dist')) {
  if (!existsSync(join(distDir, 'idempotency-dynamodb.js'))) throw new Error(`${distDir}/idempotency-dynamodb.js is missing: run \`npm run build\` first (\`npm run bench\` does)`)
  const pkg = join(tmp, 'pkg')
  const target = join(pkg, 'dist')
  rmSync(pkg, { recursive: true, force: true })
  mkdirSync(pkg, { recursive: true })
  cpSync(join(root, 'package.json'), join(pkg, 'package.json'))
  cpSync(distDir, target, { recursive: true })
  return target
}

/** Resolves `faasade` and `faasade/<door>` to the build snapshot, as the package's exports map does. */
export function faasadeFromDist(dist) {
  return {
    name: 'faasade-dist',
    setup(b) {
      b.onResolve({ filter: /^faasade(\/.*)?$/ }, ({ path }) => ({
        path: join(dist, path === 'faasade' ? 'index.js' : `${path.slice('faasade/'.length).replaceAll('/', '-')}.js`),
      }))
    },
  }
}

/** Bundles a function for Node (ESM, minified), inlining everything but `external`. */
export async function bundleFunction(entry, outfile, dist, external = []) {
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    plugins: [faasadeFromDist(dist)],
    external,
    // Bundled CommonJS (the AWS SDK) calls require for Node built-ins.
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    metafile: true,
    logLevel: 'silent',
  })
  return Object.values(result.metafile.outputs)[0].bytes
}

export async function freePort() {
  const server = createServer()
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** Spawns a server and waits for `ready` in its output; resolves to { child, match }. */
export function spawnReady(command, args, ready, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options })
    children.add(child)
    child.once('exit', () => children.delete(child))
    let output = ''
    const onLine = (line) => {
      output += `${line}\n`
      const match = ready.exec(line)
      if (match) resolve({ child, match })
    }
    createInterface({ input: child.stdout }).on('line', onLine)
    createInterface({ input: child.stderr }).on('line', onLine)
    child.once('exit', (code) => reject(new Error(`${command} exited (${code}) before it was ready:\n${output}`)))
  })
}

/** The redis-server to run: FAASADE_REDIS_SERVER when set, else the first on PATH (as the tests find it); undefined when none. */
export function findRedisServer(env = process.env) {
  const executable = (path) => {
    try {
      accessSync(path, constants.X_OK)
      return statSync(path).isFile()
    } catch {
      return false
    }
  }
  if (env.FAASADE_REDIS_SERVER) return executable(env.FAASADE_REDIS_SERVER) ? env.FAASADE_REDIS_SERVER : undefined
  return (env.PATH ?? '').split(delimiter).filter((dir) => isAbsolute(dir)).map((dir) => join(dir, 'redis-server')).find(executable)
}

export async function startRedis(server = findRedisServer()) {
  if (server === undefined) throw new Error('redis-server is not on PATH (nor FAASADE_REDIS_SERVER): apt-get install redis-server')
  const port = await freePort()
  const { child } = await spawnReady(server, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], /Ready to accept connections/)
  return { port, url: `redis://127.0.0.1:${port}`, stop: () => new Promise((r) => (child.once('exit', r), child.kill('SIGTERM'))) }
}

export async function startDynalite(tables) {
  const { child, match } = await spawnReady(process.execPath, [join(here, 'dynalite-server.mjs'), ...tables], /^READY (\d+)$/, { cwd: root })
  const port = Number(match[1])
  return { port, endpoint: `http://127.0.0.1:${port}`, stop: () => new Promise((r) => (child.once('exit', r), child.kill('SIGTERM'))) }
}

/**
 * An HTTP proxy in front of a DynamoDB endpoint that counts requests by
 * operation. With `allOld`, it does what DynamoDB does and dynalite does not:
 * a failed condition with ReturnValuesOnConditionCheckFailure ALL_OLD gets
 * the old item in the reply (read from the upstream, not counted).
 */
export async function countingDynamoProxy(upstream, { allOld = false } = {}) {
  const counts = []
  const server = createHttpServer(async (req, res) => {
    const chunks = []
    for await (const chunk of req) chunks.push(chunk)
    const body = Buffer.concat(chunks)
    const target = String(req.headers['x-amz-target'] ?? '')
    counts.push(target.split('.')[1])
    const headers = {}
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'content-length' && k !== 'connection') headers[k] = v
    const reply = await fetch(`${upstream}/`, { method: 'POST', headers, body })
    let text = await reply.text()
    if (allOld && reply.status === 400 && text.includes('ConditionalCheckFailedException')) {
      const input = JSON.parse(body.toString())
      if (input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD') {
        const get = await fetch(`${upstream}/`, {
          method: 'POST',
          headers: { ...headers, 'x-amz-target': 'DynamoDB_20120810.GetItem' },
          body: JSON.stringify({ TableName: input.TableName, Key: { id: input.Item.id }, ConsistentRead: true }),
        })
        // The signature covers the body: dynalite does not check it, which is what makes this re-read possible.
        const { Item } = await get.json()
        text = JSON.stringify({ ...JSON.parse(text), Item })
      }
    }
    res.writeHead(reply.status, { 'content-type': reply.headers.get('content-type') ?? 'application/x-amz-json-1.0' }).end(text)
  })
  const port = await freePort()
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve))
  return {
    endpoint: `http://127.0.0.1:${port}`,
    counts,
    take() {
      const taken = counts.splice(0)
      return taken
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  }
}
