/**
 * The import of `@opentelemetry/api`, in a file of its own: only the
 * adapters that run on Node (Lambda, Azure Functions, Cloud Run) hand it
 * to `openTelemetryFrom`, so a Worker's bundle never holds an import of a
 * package it may not have. Made only once an SDK is registered.
 */

/**
 * Imports `@opentelemetry/api`. Within `try`, so that a bundler (esbuild)
 * leaves the import unresolved rather than failing a build without the
 * package; not installed where faasade resolves it, it resolves to
 * `undefined` and tracing stays off.
 *
 * @example
 * ```ts
 * openTelemetryFrom(importOpenTelemetry)
 * ```
 */
export async function importOpenTelemetry(): Promise<unknown> {
  try {
    return await import('@opentelemetry/api')
  } catch {
    return undefined
  }
}
