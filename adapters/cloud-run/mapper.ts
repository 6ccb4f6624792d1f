/**
 * The kit's mapper contract (`faasade/adapter`) as Cloud Run sees it. Every
 * trigger reaches a Cloud Run service as an HTTP request, so a Cloud Run
 * mapper's native input is the request itself, already read: method, URL,
 * lower-case headers and the body's bytes. A mapper that matches turns it
 * into CloudEvents and says their outcomes back as an HTTP reply; a request
 * no mapper matches goes to the kit's HTTP path (CloudEvents over HTTP, or
 * the Hono app). Only `kind: 'events'` mappers exist here: a request that is
 * meant for the app needs no mapping.
 */
import type { IncomingMessage } from 'node:http'
import type { EventMapper, NativeItem } from '../../src/adapter/index.js'
import type { HttpReply } from '../../src/http/message.js'

export type { NativeItem }

/** An HTTP request as Cloud Run delivered it, body read. */
export interface CloudRunRequest {
  /** As the client sent it (Node upper-cases none; HTTP/1 methods are case-sensitive). */
  readonly method: string
  /** Path and query string (`/orders/1?x=2`). */
  readonly url: string
  /** Lower-case names; a header sent more than once is joined with `, ` (cookies with `; `). */
  readonly headers: Readonly<Record<string, string>>
  /** The body's bytes as received (still compressed when `content-encoding` says so). */
  readonly body: Uint8Array
  /**
   * The Node request it was read from: the plain server's, or the Express
   * request of the functions-framework door. Its body stream is consumed.
   */
  readonly incoming?: IncomingMessage
}

/** What a Cloud Run mapper is given beside the request. */
export interface CloudRunFacts {
  /** Epoch milliseconds at which the request arrived. */
  readonly receivedAt: number
}

/**
 * A trigger that reaches Cloud Run as an HTTP request and carries events:
 * Pub/Sub push, Eventarc, Cloud Scheduler, Cloud Tasks, or one of yours.
 * `match` is given a {@link CloudRunRequest}; `reply` returns the HTTP reply.
 */
export type CloudRunMapper<In extends CloudRunRequest = CloudRunRequest> = EventMapper<In, CloudRunFacts, HttpReply>

/**
 * Defines a mapper for a trigger faasade does not know. An identity
 * function: it exists so that the request's type is inferred from `match`.
 *
 * @example
 * ```ts
 * import { defineMapper, serve } from 'faasade/cloud-run'
 * import { createEvent } from 'faasade'
 *
 * // A webhook that signs its deliveries with X-Hook-Id: one event each, 204 when handled, 500 to retry.
 * const hook = defineMapper({
 *   kind: 'events',
 *   name: 'my-webhook',
 *   match: (request): request is CloudRunRequest => request.headers['x-hook-id'] !== undefined,
 *   toEvents: (request) => [{ event: createEvent({ id: request.headers['x-hook-id']!, source: '/hooks', type: 'com.example.hook', data: request.body }) }],
 *   reply: (outcomes) => ({ status: outcomes.every((o) => o.kind === 'ok') ? 204 : 500, headers: {} }),
 * })
 * serve(service, { mappers: [hook] })
 * ```
 */
export function defineMapper<In extends CloudRunRequest>(
  mapper: Omit<CloudRunMapper<In>, 'match'> & { match(request: CloudRunRequest): request is In },
): CloudRunMapper<In> {
  return mapper as CloudRunMapper<In>
}
