/**
 * A stand-in for the Functions host's Node worker, the way the worker
 * itself sets `@azure/functions` up: `require('@azure/functions-core')`
 * answers with this object, so `app.*` registers with it and hands it the
 * library's real ProgrammingModel, and an invocation runs through that
 * model exactly as the worker's InvocationHandler drives it (RPC data in,
 * `getArguments`, `invokeFunction`, `getResponse` out).
 *
 * Import this module before anything that calls `app.*`: the library looks
 * the core module up once, on the first registration, and keeps the answer.
 */
import Module from 'node:module'

/** The RPC typed data the host sends and receives (only the members used here). */
export type RpcTypedData =
  | { string: string }
  | { json: string }
  | { bytes: Uint8Array }
  | { int: number }
  | { http: RpcHttp }
  | { modelBindingData: RpcModelBindingData }
  | { collectionModelBindingData: { modelBindingData: RpcModelBindingData[] } }

/** What the host sends for an SDK-type binding (`sdkBinding: true`): the resource, for an extension's factory to open. */
export interface RpcModelBindingData {
  version: string
  source: string
  contentType: string
  content: Uint8Array
}

export interface RpcHttp {
  method: string
  url: string
  headers: Record<string, string>
  body?: { string: string } | { bytes: Uint8Array }
  query?: Record<string, string>
  params?: Record<string, string>
}

interface Binding {
  type: string
  direction: 'in' | 'out'
  [key: string]: unknown
}
interface Metadata {
  name: string
  bindings: Record<string, Binding>
}
interface InvocationModel {
  getArguments(): Promise<{ context: unknown; inputs: unknown[] }>
  invokeFunction(context: unknown, inputs: unknown[], handler: unknown): Promise<unknown>
  getResponse(context: unknown, result: unknown): Promise<{ invocationId: string; outputData: { name: string; data: unknown }[]; returnValue?: unknown }>
}
interface ProgrammingModel {
  getInvocationModel(coreCtx: unknown): InvocationModel
  getCapabilities(capabilities: Record<string, string>): Promise<Record<string, string>>
}

/** One line the library sent the host: `user` lines are the function's `context.log`. */
export interface HostLog {
  level: string
  category: string
  message: string
}

const registered = new Map<string, { metadata: Metadata; callback: unknown }>()
let model: ProgrammingModel | undefined
export const systemLogs: HostLog[] = []

class Disposable {
  constructor(private readonly callback: () => void) {}
  static from(...items: { dispose(): void }[]): Disposable {
    return new Disposable(() => items.forEach((item) => item.dispose()))
  }
  dispose(): void {
    this.callback()
  }
}

const core = {
  version: '3.10.1',
  hostVersion: '4.1000.0',
  setProgrammingModel(pm: ProgrammingModel) {
    model = pm
  },
  getProgrammingModel: () => model,
  registerFunction(metadata: Metadata, callback: unknown) {
    registered.set(metadata.name, { metadata, callback })
    return new Disposable(() => registered.delete(metadata.name))
  },
  registerHook: () => new Disposable(() => {}),
  log(level: string, category: string, message: string) {
    systemLogs.push({ level, category, message })
  },
  Disposable,
}

const original = Module.prototype.require
Module.prototype.require = new Proxy(original, {
  apply(target, self, args: Parameters<NodeJS.Require>) {
    return args[0] === '@azure/functions-core' ? core : Reflect.apply(target, self, args)
  },
})

/**
 * The capabilities the worker reports to the host at startup (after which
 * `app.setup` is locked); with `enableHttpStream`, `HttpUri` is where the
 * library's HTTP proxy listens for the host to forward requests to.
 */
export function capabilities(): Promise<Record<string, string>> {
  if (!model) throw new Error('no ProgrammingModel: register a function first')
  return model.getCapabilities({})
}

/** The bindings of a registered function, as the host received them. */
export function bindingsOf(name: string): Record<string, Binding> {
  const fn = registered.get(name)
  if (!fn) throw new Error(`no function "${name}" registered`)
  return fn.metadata.bindings
}

export interface Invocation {
  /** The trigger's data; its binding name is found from the registration. */
  input: RpcTypedData
  /** PascalCase, as the host sends it. */
  triggerMetadata?: Record<string, RpcTypedData>
  traceContext?: { traceParent?: string; traceState?: string; attributes?: Record<string, string> }
  /** Sent when a retry policy applies: `retryCount` is 0 on the first run. */
  retryContext?: { retryCount: number; maxRetryCount: number }
  invocationId?: string
}

export type InvocationResult =
  | { ok: true; response: Awaited<ReturnType<InvocationModel['getResponse']>>; logs: HostLog[] }
  | { ok: false; error: unknown; logs: HostLog[] }

let next = 0

/** Runs one invocation of `name` as the worker does. A handler that throws is `ok: false` (the host fails the invocation). */
export async function invoke(name: string, invocation: Invocation): Promise<InvocationResult> {
  const fn = registered.get(name)
  if (!fn || !model) throw new Error(`no function "${name}" registered`)
  const [triggerName] = Object.entries(fn.metadata.bindings).find(([, b]) => b.direction === 'in' && /trigger$/i.test(b.type)) ?? []
  const invocationId = invocation.invocationId ?? `00000000-0000-4000-8000-${String(++next).padStart(12, '0')}`
  const logs: HostLog[] = []
  const coreCtx = {
    invocationId,
    metadata: fn.metadata,
    request: {
      invocationId,
      inputData: [{ name: triggerName, data: invocation.input }],
      triggerMetadata: invocation.triggerMetadata ?? {},
      traceContext: invocation.traceContext,
      retryContext: invocation.retryContext,
    },
    state: undefined,
    log: (level: string, category: string, message: string) => logs.push({ level, category, message }),
  }
  const m = model.getInvocationModel(coreCtx)
  const { context, inputs } = await m.getArguments()
  let result: unknown
  try {
    result = await m.invokeFunction(context, inputs, fn.callback)
  } catch (error) {
    return { ok: false, error, logs }
  }
  return { ok: true, response: await m.getResponse(context, result), logs }
}
