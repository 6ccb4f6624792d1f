/**
 * The contract of a trigger: does this native event match, what CloudEvents
 * (or HTTP request) does it carry, and how are the outcomes said back in its
 * native reply. The built-in triggers (`mapping.ts`) are written against this
 * same public interface, and a user's mappers are tried before them, so a
 * trigger faasade does not know is one object away.
 */
import type { FaasadeError } from '../../src/errors.js'
import type { CloudEvent } from '../../src/event.js'
import type { HttpRequest } from '../../src/http/message.js'
import type { Outcome } from '../../src/outcome.js'
import type { LambdaContext } from './lambda-types.js'

/** One native item (a record of a batch, or the whole event): its CloudEvent and the facts the reply needs. */
export interface NativeItem {
  /**
   * The item's CloudEvent, or the error that keeps it from being one (a
   * record that cannot be read never will be: it is dropped, and logged).
   */
  readonly event: CloudEvent | FaasadeError
  /** What the reply names the item by: SQS `messageId`, a stream's sequence number. */
  readonly id?: string
  /** The delivery count, 1 for the first delivery: `ctx.attempt`. */
  readonly attempt?: number
  /** The native record: `ctx.provider.raw.record`. */
  readonly record?: unknown
}

/** A trigger that carries events: a queue, a stream, a notification, a direct invoke. */
export interface EventMapper<E = unknown, R = unknown> {
  readonly kind: 'events'
  /** Names the trigger in logs. */
  readonly name: string
  /**
   * Whether `event` is this trigger's. The built-in shape tests exclude each
   * other; a user's mapper is asked first.
   */
  match(event: unknown): event is E
  /** One item per native record, in order. Pure: no I/O, the same output for the same input. */
  toEvents(event: E, context: LambdaContext): readonly NativeItem[]
  /**
   * Whether the items are ordered (a FIFO queue, a stream): they run one at
   * a time and after the first failure the rest are not run and fail too.
   * @defaultValue false
   */
  ordered?(event: E): boolean
  /**
   * The native reply for the outcomes, one an item, in order. Pure. Throws
   * where throwing is the reply (an async invoke that Lambda should retry).
   */
  reply(outcomes: readonly Outcome[], items: readonly NativeItem[], event: E): R
}

/** An HTTP request as a Lambda HTTP trigger carries it. */
export interface LambdaHttpRequest extends HttpRequest {
  /** Path and query string, as the client sent them (`/orders/1?x=2`). */
  readonly url: string
  /** The host the request was made to, when no `host` header says (API Gateway's `requestContext.domainName`). */
  readonly host?: string
}

/** An HTTP reply in the parts every Lambda HTTP shape is made of. */
export interface HttpReplyParts {
  readonly status: number
  /** Lower-case names; a header sent more than once is joined with `, `. No `set-cookie`. */
  readonly headers: Readonly<Record<string, string>>
  /** Each `Set-Cookie` value. */
  readonly cookies: readonly string[]
  /** Text, or base64 when `isBase64Encoded`. */
  readonly body: string
  readonly isBase64Encoded: boolean
}

/** A trigger that carries an HTTP request: API Gateway, a Function URL, a load balancer. */
export interface HttpMapper<E = unknown, R = unknown> {
  readonly kind: 'http'
  readonly name: string
  match(event: unknown): event is E
  /** The request. Pure. Throws a `ValidationError` for an event it cannot read (a 400). */
  toRequest(event: E): LambdaHttpRequest
  /** The reply in the shape this trigger expects. Pure. */
  toReply(reply: HttpReplyParts, event: E): R
}

/** Any mapper. */
export type LambdaMapper<E = unknown, R = unknown> = EventMapper<E, R> | HttpMapper<E, R>

/**
 * Defines a mapper for a trigger faasade does not know. An identity
 * function: it exists so that `E` is inferred from `match`.
 *
 * @example
 * ```ts
 * import { defineMapper, toLambda } from 'faasade/aws-lambda'
 * import { createEvent } from 'faasade'
 *
 * interface Ping { ping: string }
 * const ping = defineMapper({
 *   kind: 'events',
 *   name: 'ping',
 *   match: (event): event is Ping => typeof (event as Ping | null)?.ping === 'string',
 *   toEvents: (event, context) => [{ event: createEvent({ id: context.awsRequestId, source: '/ping', type: 'com.example.ping', data: event.ping }) }],
 *   reply: (outcomes) => ({ ok: outcomes.every((o) => o.kind === 'ok') }),
 * })
 * export const handler = toLambda(pingHandler, { mappers: [ping] })
 * ```
 */
export function defineMapper<E, R>(mapper: EventMapper<E, R>): EventMapper<E, R>
export function defineMapper<E, R>(mapper: HttpMapper<E, R>): HttpMapper<E, R>
export function defineMapper<E, R>(mapper: LambdaMapper<E, R>): LambdaMapper<E, R> {
  return mapper
}
