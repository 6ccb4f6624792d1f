/**
 * The functions-framework door: the same request path as the plain server,
 * as an HTTP function for `@google-cloud/functions-framework` (Cloud Run
 * functions, and `gcloud run deploy --function`). It imports nothing of the
 * framework: the user registers the function with the framework's own
 * `http(name, fn)`, so `faasade/cloud-run` never loads Express.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Target } from '../../src/service.js'
import { cloudRunEntry, handleRequest } from './handle.js'
import { checkFunctionOptions, type FunctionOptions } from './options.js'

/**
 * What the framework hands an HTTP function: an Express request, whose
 * body its parsers have read into `rawBody` (for any content type; a
 * request with none is left unread), and the response.
 */
export type FrameworkRequest = IncomingMessage & { rawBody?: Buffer }

/** An HTTP function of the functions framework: pass it to `http(name, fn)`. */
export type FrameworkHttpFunction = (req: FrameworkRequest, res: ServerResponse) => Promise<void>

/**
 * An HTTP function serving `target` exactly as `serve` does (the built-in
 * triggers, CloudEvents over HTTP, the app), but for the health paths,
 * which are the framework's business. Register it with the HTTP signature:
 * the framework's `cloudEvent` signature would decode CloudEvents itself,
 * without validating them.
 *
 * @example
 * ```ts
 * // index.ts: gcloud run deploy orders --source . --function orders
 * import { http } from '@google-cloud/functions-framework'
 * import { toHttpFunction } from 'faasade/cloud-run'
 * import { service } from './service.js'
 *
 * http('orders', toHttpFunction(service))
 * ```
 */
export function toHttpFunction(target: Target, options: FunctionOptions = {}): FrameworkHttpFunction {
  checkFunctionOptions(options)
  const entry = cloudRunEntry(target, options)
  return (req, res) => handleRequest(entry, req, res, req.rawBody)
}
