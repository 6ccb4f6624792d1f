/** Runs a handler as an adapter would, with a context whose logs are kept. Test code. */
import { createContext, createLogger, settle, type CloudEvent, type Handler, type Outcome } from 'faasade'

export interface Delivery<R> {
  readonly outcome: Outcome<R>
  readonly logs: Record<string, unknown>[]
}

export async function deliver<R>(handler: Handler<any, R>, event: CloudEvent, options: { deadline?: number } = {}): Promise<Delivery<R>> {
  const logs: Record<string, unknown>[] = []
  const log = createLogger({ level: 'debug', sink: (line) => logs.push(JSON.parse(line) as Record<string, unknown>) })
  const ctx = createContext({ provider: { name: 'test', raw: event }, log, ...(options.deadline === undefined ? {} : { deadline: options.deadline }) })
  const outcome = await settle(() => handler.run(event, ctx))
  return { outcome, logs }
}

/** A promise and its resolver, to hold a handler mid-run. */
export function gate<T = void>() {
  let open!: (value: T) => void
  const promise = new Promise<T>((resolve) => (open = resolve))
  return { promise, open }
}
