/**
 * A stand-in for the Functions host's Node worker (the bench's copy of
 * test/azure-functions/support/host.ts): `require('@azure/functions-core')`
 * answers with this object, so `app.*` registers with it and hands it the
 * library's own ProgrammingModel, and `invoke` runs an invocation the way
 * the worker's InvocationHandler does: RPC data in, `getArguments`,
 * `invokeFunction`, `getResponse` out. Every variant of the bench goes
 * through this same path, so its cost is in every figure alike.
 *
 * Import it before anything that calls `app.*`.
 */
import Module from 'node:module'

const registered = new Map()
let model

class Disposable {
  constructor(callback) {
    this.callback = callback
  }
  static from(...items) {
    return new Disposable(() => items.forEach((item) => item.dispose()))
  }
  dispose() {
    this.callback()
  }
}

const core = {
  version: '3.10.1',
  hostVersion: '4.1000.0',
  setProgrammingModel(pm) {
    model = pm
  },
  getProgrammingModel: () => model,
  registerFunction(metadata, callback) {
    registered.set(metadata.name, { metadata, callback, trigger: Object.entries(metadata.bindings).find(([, b]) => b.direction === 'in' && /trigger$/i.test(b.type))?.[0] })
    return new Disposable(() => registered.delete(metadata.name))
  },
  registerHook: () => new Disposable(() => {}),
  log() {},
  Disposable,
}

const original = Module.prototype.require
Module.prototype.require = new Proxy(original, {
  apply(target, self, args) {
    return args[0] === '@azure/functions-core' ? core : Reflect.apply(target, self, args)
  },
})

let next = 0

/** Runs one invocation of `name` as the worker does; resolves with the RPC response, rejects if the function failed. */
export async function invoke(name, { input, triggerMetadata = {} }) {
  const fn = registered.get(name)
  if (!fn || !model) throw new Error(`no function "${name}" registered`)
  const invocationId = `00000000-0000-4000-8000-${String(++next).padStart(12, '0')}`
  const logs = []
  const coreCtx = {
    invocationId,
    metadata: fn.metadata,
    request: { invocationId, inputData: [{ name: fn.trigger, data: input }], triggerMetadata },
    state: undefined,
    log: (level, category, message) => logs.push({ level, category, message }),
  }
  const m = model.getInvocationModel(coreCtx)
  const { context, inputs } = await m.getArguments()
  const result = await m.invokeFunction(context, inputs, fn.callback)
  return m.getResponse(context, result)
}
