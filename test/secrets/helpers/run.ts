// Runs a handler the way an adapter does: one fresh context an invocation,
// with a logger whose lines the test can read.
import { createContext, createLogger, createEvent, type Handler, type ProviderInfo } from 'faasade'

export interface Invocation<R> {
  result?: R
  error?: unknown
  logs: Record<string, unknown>[]
}

export function clock(start = 1_700_000_000_000) {
  let now = start
  return {
    now: () => now,
    advance: (ms: number) => void (now += ms),
    set: (ms: number) => void (now = ms),
  }
}

export async function run<R>(handler: Handler<unknown, R>, provider: ProviderInfo = { name: 'test', raw: {} }): Promise<Invocation<R>> {
  const logs: Record<string, unknown>[] = []
  const log = createLogger({ level: 'debug', sink: (line) => logs.push(JSON.parse(line) as Record<string, unknown>) })
  const ctx = createContext({ provider, log })
  const event = createEvent({ id: 'e-1', source: '/test', type: 'com.example.test' })
  try {
    return { result: await handler.run(event, ctx), logs }
  } catch (error) {
    return { error, logs }
  }
}
