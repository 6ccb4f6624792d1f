/**
 * `faasade dev <module>[#export] [--port N] [--host H]`
 */
import { loadTarget } from './load.js'
import { startDevServer } from './server.js'

const USAGE = `Usage: faasade dev <module>[#export] [--port 8080] [--host 127.0.0.1]

Serves a handler, a service or a Hono app on localhost. CloudEvents are
accepted in binary, structured and batch mode; other requests go to the app.`

async function main(argv: string[]): Promise<number> {
  const [command, spec, ...rest] = argv
  if (command !== 'dev' || !spec || spec.startsWith('-')) {
    console.error(USAGE)
    return command === '--help' || command === '-h' ? 0 : 2
  }
  let port = 8080
  let host = '127.0.0.1'
  for (let i = 0; i < rest.length; i += 2) {
    const flag = rest[i]
    const value = rest[i + 1]
    if (flag === '--port' && value && /^\d+$/.test(value)) port = Number(value)
    else if (flag === '--host' && value) host = value
    else {
      console.error(`Unknown or incomplete option: ${flag}\n\n${USAGE}`)
      return 2
    }
  }
  const target = await loadTarget(spec)
  const server = await startDevServer({ target, port, host })
  console.log(`faasade dev: serving ${spec} on ${server.url}`)
  const stop = () => void server.close().then(() => process.exit(0))
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
