/**
 * The contract of a trigger, on any platform: does this native input match,
 * what CloudEvents (or HTTP request) does it carry, and how are the outcomes
 * said back in its native reply. Every built-in trigger of every adapter is
 * written against this same public interface, and a user's mappers are
 * tried before the built-in ones, so a trigger faasade does not know is one
 * object away.
 */
import { PermanentError, type FaasadeError } from '../errors.js'
import type { CloudEvent } from '../event.js'
import type { HttpRequest } from '../http/message.js'
import type { Outcome } from '../outcome.js'

/** One native item (a record of a batch, or the whole input): its CloudEvent and the facts the reply needs. */
export interface NativeItem {
  /**
   * The item's CloudEvent, or the error that keeps it from being one (an
   * item that cannot be read never will be: it is a drop, and logged).
   */
  readonly event: CloudEvent | FaasadeError
  /** What the reply names the item by: an SQS `messageId`, a stream's sequence number. */
  readonly id?: string
  /** The delivery count, 1 for the first delivery: `ctx.attempt`. */
  readonly attempt?: number
  /** The native record behind the item, for `ctx.provider.raw`. */
  readonly record?: unknown
  /**
   * For an ordered source, the item's ordering key (a Kinesis partition key,
   * a DynamoDB item's key, an SQS FIFO message group): items of one key run
   * in order and none after a failure; other keys run beside them, within
   * the concurrency. Without one, an ordered batch is one key.
   */
  readonly key?: string
}

/**
 * A trigger that carries events: a queue, a stream, a notification, a timer.
 * `In` is the native input, `Facts` what the platform passes beside it (a
 * Lambda context, an Azure `InvocationContext`), `Reply` the native reply.
 */
export interface EventMapper<In = unknown, Facts = unknown, Reply = unknown> {
  readonly kind: 'events'
  /** Names the trigger in logs. */
  readonly name: string
  /**
   * Whether `input` is this trigger's. The built-in shape tests of an
   * adapter exclude each other; a user's mapper is asked first.
   */
  match(input: unknown): input is In
  /** One item per native record, in order. Pure: no I/O, the same output for the same input. */
  toEvents(input: In, facts: Facts): readonly NativeItem[]
  /**
   * Whether the items are ordered (a FIFO queue, a stream): they run one at
   * a time, and after the first failure the rest are not run and fail too.
   * @defaultValue false
   */
  ordered?(input: In): boolean
  /**
   * The native reply for the outcomes, one an item, in order. Pure. Throws
   * where throwing is the reply (an invocation the platform should retry).
   */
  reply(outcomes: readonly Outcome[], items: readonly NativeItem[], input: In): Reply
}

/** An HTTP request as a platform's trigger carries it, before any web `Request` is built. */
export interface HttpRequestParts extends HttpRequest {
  /** Path and query string, as the client sent them (`/orders/1?x=2`). */
  readonly url: string
  /** The host the request was made to, when no `host` header says. */
  readonly host?: string
}

/** An HTTP reply in parts every platform's reply shape can be made of. */
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

/** A trigger that carries an HTTP request (API Gateway, a Pub/Sub push, an Azure HTTP trigger). */
export interface HttpMapper<In = unknown, Reply = unknown> {
  readonly kind: 'http'
  /** Names the trigger in logs. */
  readonly name: string
  /**
   * Whether `input` is this trigger's: a type guard on the native input,
   * which tells the adapter to read it with {@link HttpMapper.toRequest}.
   * A user's mapper is asked before the built-in ones.
   */
  match(input: unknown): input is In
  /** The request. Pure. Throws a `ValidationError` for an input it cannot read (a 400). */
  toRequest(input: In): HttpRequestParts
  /** The reply in the shape this trigger expects. Pure. */
  toReply(reply: HttpReplyParts, input: In): Reply
}

/** Any mapper of a platform whose invocations come with `Facts`. */
export type Mapper<In = unknown, Facts = unknown, Reply = unknown> = EventMapper<In, Facts, Reply> | HttpMapper<In, Reply>

/**
 * Defines a mapper. An identity function: it exists so that the native
 * input's type is inferred from `match`.
 *
 * @example
 * ```ts
 * import { defineMapper } from 'faasade/adapter'
 * import { createEvent } from 'faasade'
 *
 * interface Ping { ping: string }
 * export const ping = defineMapper({
 *   kind: 'events',
 *   name: 'ping',
 *   match: (input): input is Ping => typeof (input as Ping | null)?.ping === 'string',
 *   toEvents: (input) => [{ event: createEvent({ id: input.ping, source: '/ping', type: 'com.example.ping', data: input.ping }) }],
 *   reply: (outcomes) => ({ ok: outcomes.every((o) => o.kind === 'ok') }),
 * })
 * ```
 */
export function defineMapper<In, Facts, Reply>(mapper: EventMapper<In, Facts, Reply>): EventMapper<In, Facts, Reply>
export function defineMapper<In, Reply>(mapper: HttpMapper<In, Reply>): HttpMapper<In, Reply>
export function defineMapper<In, Facts, Reply>(mapper: Mapper<In, Facts, Reply>): Mapper<In, Facts, Reply> {
  return mapper
}

/** Whether `value` has the members of a mapper of either kind. */
export function isMapper(value: unknown): value is Mapper {
  const m = value as Record<string, unknown> | null
  if (typeof m !== 'object' || m === null || typeof m.name !== 'string' || typeof m.match !== 'function') return false
  return m.kind === 'events' ? typeof m.toEvents === 'function' && typeof m.reply === 'function' : m.kind === 'http' && typeof m.toRequest === 'function' && typeof m.toReply === 'function'
}

/**
 * The first mapper that matches `input`, or the {@link unknownInput} error.
 *
 * @example
 * ```ts
 * const mapper = findMapper(mappers, event, 'Lambda')   // throws a PermanentError naming the event's keys
 * ```
 */
export function findMapper<M extends Mapper>(mappers: readonly M[], input: unknown, platform: string): M {
  for (const mapper of mappers) if (mapper.match(input)) return mapper
  throw unknownInput(input, platform)
}

/**
 * The error for an input no mapper matches: it names the input's top-level
 * keys, never a value (a value may be anything, a secret included).
 *
 * @example
 * ```ts
 * unknownInput({ foo: 1 }, 'Lambda').message   // 'No mapper matches this Lambda event: an object with keys "foo"'
 * ```
 */
export function unknownInput(input: unknown, platform: string): PermanentError {
  const what = describeShape(input)
  return new PermanentError(`No mapper matches this ${platform} event: ${what}`, { detail: `Unknown event shape: ${what}` })
}

function describeShape(input: unknown): string {
  if (input === null) return 'null'
  if (Array.isArray(input)) return `an array of ${input.length} items`
  if (typeof input !== 'object') return `a ${typeof input}`
  const keys = Object.keys(input)
  if (keys.length === 0) return 'an empty object'
  const shown = keys.slice(0, 20).map((key) => JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key))
  return `an object with keys ${shown.join(', ')}${keys.length > 20 ? ` and ${keys.length - 20} more` : ''}`
}
