/**
 * The kit's mapper contract (`faasade/adapter`), with Lambda's context as
 * what each invocation comes with. The built-in triggers (`mapping.ts`) are
 * written against these same types, and a user's mappers are tried before
 * them, so a trigger faasade does not know is one object away.
 */
import type { EventMapper as KitEventMapper, HttpMapper as KitHttpMapper, HttpReplyParts, HttpRequestParts, NativeItem } from '../../src/adapter/index.js'
import type { LambdaContext } from './lambda-types.js'

export type { HttpReplyParts, NativeItem }

/** An HTTP request as a Lambda HTTP trigger carries it. */
export type LambdaHttpRequest = HttpRequestParts

/** A trigger that carries events: a queue, a stream, a notification, a direct invoke. */
export type EventMapper<E = unknown, R = unknown> = KitEventMapper<E, LambdaContext, R>

/** A trigger that carries an HTTP request: API Gateway, a Function URL, a load balancer. */
export type HttpMapper<E = unknown, R = unknown> = KitHttpMapper<E, R>

/** Any Lambda mapper. */
export type LambdaMapper<E = unknown, R = unknown> = EventMapper<E, R> | HttpMapper<E, R>

/**
 * Defines a mapper for a Lambda trigger faasade does not know. An identity
 * function: it exists so that `E` is inferred from `match`, and the context
 * is typed as Lambda's.
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
