/**
 * A Cloud Run server of the plain door on 127.0.0.1 (a random port), with
 * its log lines captured as Cloud Logging would read them.
 */
import { afterEach } from 'vitest'
import type { Target } from 'faasade'
import { cloudRunLine, createCloudRunLogger, serve, type CloudRunServeOptions } from 'faasade/cloud-run'

export interface TestServer {
  readonly url: string
  /** Every log line, parsed, as written to standard output. */
  readonly logs: Array<Record<string, unknown>>
  shutdown(): Promise<void>
}

const running: TestServer[] = []

afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.shutdown()))
})

/** Serves `target` until the end of the test. */
export async function startServer(target: Target, options: CloudRunServeOptions = {}): Promise<TestServer> {
  const logs: Array<Record<string, unknown>> = []
  const log = createCloudRunLogger((line, level) => void logs.push(JSON.parse(cloudRunLine(line, level)) as Record<string, unknown>))
  const server = serve(target, { port: 0, host: '127.0.0.1', signals: false, log, ...options })
  const { port } = await server.listening
  const test: TestServer = { url: `http://127.0.0.1:${port}`, logs, shutdown: server.shutdown }
  running.push(test)
  return test
}
