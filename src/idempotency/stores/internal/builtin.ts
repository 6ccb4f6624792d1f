/**
 * A Node built-in module without an `import` a Workers bundle would trip on:
 * `process.getBuiltinModule` (Node 20.16+, synchronous), else a dynamic
 * import through a specifier bundlers do not follow (older Node 20). Only
 * ever called on Node.
 */
type GetBuiltin = (id: string) => unknown

export function builtinSync<T>(id: string): T | undefined {
  const get = (globalThis as { process?: { getBuiltinModule?: GetBuiltin } }).process?.getBuiltinModule
  return typeof get === 'function' ? (get(id) as T | undefined) : undefined
}

export async function builtin<T>(id: string): Promise<T> {
  return builtinSync<T>(id) ?? ((await import(/* @vite-ignore */ id)) as T)
}
