/**
 * `toLambdaStream`: the same function with response streaming, for Function
 * URLs whose invoke mode is `RESPONSE_STREAM`. An HTTP app's `Response` body
 * is written to Lambda's response stream as it is produced (server-sent
 * events, large downloads, no 6 MB limit), after the status, headers and
 * cookies in the metadata prelude of `awslambda.HttpResponseStream`.
 */
import { answerHttp, appFailed, toWebRequest } from '../../src/adapter/index.js'
import type { Target } from '../../src/service.js'
import { responseHeaders } from './http.js'
import type { LambdaContext, LambdaRaw } from './lambda-types.js'
import { apiGatewayV2 } from './mapping.js'
import type { LambdaOptions } from './options.js'
import { handlerFor, invocationOf, lambdaAdapter, readRequest } from './to-lambda.js'

/** The writable stream the Lambda runtime hands a streaming handler (the part of it used here). */
export interface ResponseStream {
  /** Writes a chunk of the body; `false` means the buffer is full and the writer should wait for `drain`. */
  write(chunk: Uint8Array | string): boolean
  /** Ends the response, after writing `chunk` if one is given. */
  end(chunk?: Uint8Array | string): void
  /** Calls `listener` once, the next time the stream has room again after a `write` returned `false`. */
  once(event: 'drain', listener: () => void): unknown
  /**
   * Sets the stream's content type. Used, when the runtime's
   * `HttpResponseStream` is missing, to mark the HTTP metadata prelude.
   */
  setContentType?(type: string): void
}

/** The globals the Lambda Node.js runtime defines for streaming. */
interface StreamingGlobals {
  streamifyResponse?(handler: StreamingHandler): StreamingHandler
  HttpResponseStream?: { from?(stream: ResponseStream, prelude: Prelude): ResponseStream }
}

interface Prelude {
  statusCode: number
  headers: Record<string, string>
  cookies: string[]
}

/** A streaming Lambda handler, as `awslambda.streamifyResponse` takes one. */
export type StreamingHandler = (event: unknown, stream: ResponseStream, context: LambdaContext) => Promise<void>

/**
 * A streaming Lambda handler serving `target`, marked with
 * `awslambda.streamifyResponse` (the Lambda Node.js runtime's global, there
 * when the function module loads; elsewhere, in a unit test, the handler is
 * returned unmarked). Function URL requests stream; any other event is
 * served as `toLambda` serves it and its reply is written to the stream as
 * JSON.
 *
 * @example
 * ```ts
 * // lambda.ts: a Function URL with InvokeMode RESPONSE_STREAM, handler `lambda.handler`
 * import { toLambdaStream } from 'faasade/aws-lambda'
 * import { app } from './app.js'
 * export const handler = toLambdaStream(app)
 * ```
 */
export function toLambdaStream(target: Target, options: LambdaOptions = {}): StreamingHandler {
  const adapter = lambdaAdapter(target, options)
  const buffered = handlerFor(adapter)
  const handler: StreamingHandler = async (event, stream, context) => {
    if (!apiGatewayV2.match(event)) {
      await write(stream, JSON.stringify(await buffered(event, context)) ?? 'null')
      stream.end()
      return
    }
    const { log, facts, deadline } = invocationOf(adapter, context)
    const request = readRequest(log, apiGatewayV2, event)
    const answer = 'url' in request ? await answerHttp(adapter, request, { trigger: apiGatewayV2.name, raw: { trigger: 'apigateway-v2', event, context } as LambdaRaw, deadline, log, invocation: facts }, toWebRequest) : { reply: request }
    if ('reply' in answer) {
      const { status, headers, body } = answer.reply
      const out = withPrelude(stream, { statusCode: status, headers, cookies: [] })
      await write(out, body ?? '')
      out.end()
      return
    }
    const { response, work } = answer
    const out = withPrelude(stream, { statusCode: response.status, ...responseHeaders(response) })
    try {
      if (response.body) for await (const chunk of response.body) await write(out, chunk)
    } catch (error) {
      // The status is sent: all that is left is to log and cut the body short.
      appFailed(log, apiGatewayV2.name, error)
    }
    out.end()
    await work?.drainBy(deadline)
  }
  const streamify = globals()?.streamifyResponse
  return typeof streamify === 'function' ? streamify(handler) : handler
}

const PRELUDE_TYPE = 'application/vnd.awslambda.http-integration-response'

function globals(): StreamingGlobals | undefined {
  return (globalThis as unknown as { awslambda?: StreamingGlobals }).awslambda
}

/**
 * The stream after the HTTP metadata: the runtime's `HttpResponseStream.from`,
 * or, without the runtime, the same wire format (the JSON prelude, then 8
 * zero bytes, then the body, under the integration-response content type).
 */
function withPrelude(stream: ResponseStream, prelude: Prelude): ResponseStream {
  const from = globals()?.HttpResponseStream?.from
  if (typeof from === 'function') return from(stream, prelude)
  stream.setContentType?.(PRELUDE_TYPE)
  stream.write(JSON.stringify(prelude))
  stream.write(new Uint8Array(8))
  return stream
}

/** Writes a chunk, waiting when the stream asks for it (backpressure). */
function write(stream: ResponseStream, chunk: Uint8Array | string): Promise<void> | void {
  if (typeof chunk === 'string' ? chunk.length === 0 : chunk.byteLength === 0) return
  if (!stream.write(chunk)) return new Promise((resolve) => void stream.once('drain', resolve))
}
