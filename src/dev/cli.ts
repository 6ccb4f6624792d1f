/**
 * `faasade dev <module>[#export] [--port N] [--host H] [--allow-host NAME]…`, `faasade --version`,
 * `faasade --help`.
 */
// Bundled into dist/cli.js: esbuild inlines this one field, not the file.
import { version } from '../../package.json'
import { loadTarget } from './load.js'
import { startDevServer } from './server.js'

const USAGE = `Usage: faasade dev <module>[#export] [--port 8080] [--host 127.0.0.1] [--allow-host NAME]...
       faasade --version
       faasade --help

Commands:
  dev <module>[#export]   Serve a handler, a service or a Hono app on localhost.
                          CloudEvents are accepted in binary, structured and
                          batch mode; other requests go to the app. A .ts
                          module is bundled with esbuild first.

Options of dev:
  --port N                Port to listen on (default 8080)
  --host H                Address to listen on (default 127.0.0.1)
  --allow-host NAME       Also answer requests whose Host header names NAME
                          (repeatable). Others than localhost, 127.0.0.1,
                          [::1] and the --host address get a 403, so that a
                          web page cannot reach the server by DNS rebinding.

Options:
  -v, --version           Print faasade's version
  -h, --help              Print this help

Example:
  faasade dev examples/orders/service.ts --port 3000`

async function main(argv: string[]): Promise<number> {
  const [command, spec, ...rest] = argv
  if (command === '--version' || command === '-v' || command === 'version') {
    console.log(version)
    return 0
  }
  if (command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE)
    return 0
  }
  if (command === 'dev' && (spec === '--help' || spec === '-h')) {
    console.log(USAGE)
    return 0
  }
  if (command !== 'dev' || !spec || spec.startsWith('-')) {
    console.error(command === undefined || command === 'dev' ? USAGE : `Unknown command: ${command}\n\n${USAGE}`)
    return 2
  }
  let port = 8080
  let host = '127.0.0.1'
  const allowedHosts: string[] = []
  for (let i = 0; i < rest.length; i += 2) {
    const flag = rest[i]
    const value = rest[i + 1]
    if (flag === '--port' && value && /^\d+$/.test(value)) port = Number(value)
    else if (flag === '--host' && value) host = value
    else if (flag === '--allow-host' && value && !value.startsWith('-')) allowedHosts.push(value)
    else {
      console.error(`Unknown or incomplete option: ${flag}\n\n${USAGE}`)
      return 2
    }
  }
  const target = await loadTarget(spec)
  const server = await startDevServer({ target, port, host, allowedHosts })
  console.log(`faasade dev: serving ${spec} on ${server.url}`)
  const stop = () => {
    // Open keep-alive connections may hold close() up: exit within a second regardless.
    setTimeout(() => process.exit(0), 1000).unref()
    void server.close().then(() => process.exit(0))
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  return -1
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code)
  },
  (error: unknown) => {
    console.error(`faasade dev: ${error instanceof Error ? error.message : String(error)}`)
    process.exit(1)
  },
)
