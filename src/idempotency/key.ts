/**
 * Idempotency keys: what identifies "the same delivery", and the string a
 * store sees for it.
 *
 * By default the key is the event's `source` + `id`: the CloudEvents spec
 * makes that pair unique per distinct event, and every redelivery keeps it.
 * A key function picks something else (an order id, say). Either way the
 * store key is `<namespace>:<hash>`, where the namespace is the handler's
 * name (or the middleware's `name`), so two handlers that see one event keep
 * two records (`namespace.ts` refuses two handlers whose names would
 * collide), and the hash
 * keeps keys short and free of characters a store refuses (Azure Table keys
 * may not hold `/`, which nearly every `source` does).
 */
import type { CloudEvent } from '../event.js'
import { IdempotencyKeyMissingError } from './errors.js'
import { canonicalJson } from './canonical-json.js'
import { sha256 } from './hash.js'

/** One part of a key a key function may return. */
export type KeyPart = string | number | boolean | bigint | null | undefined

/**
 * Picks the idempotency key from an event: one value, or several that
 * together identify it. `undefined`, `null`, `''`, an empty list, or a list
 * with such a member means the event has no key: an
 * {@link IdempotencyKeyMissingError}, never a run without idempotency.
 *
 * @example
 * ```ts
 * const byOrder: KeyFunction<{ tenant: string; orderId: string }> = (e) => [e.data?.tenant, e.data?.orderId]
 * ```
 */
export type KeyFunction<Data = unknown> = (event: CloudEvent<Data>) => KeyPart | readonly KeyPart[]

/**
 * The default key: the event's `source` and `id`.
 *
 * @example
 * ```ts
 * sourceAndId(event)                                          // [event.source, event.id]
 * idempotent({ store, key: (e) => [e.source, e.id, e.subject] })  // narrower: one record a subject
 * ```
 */
export const sourceAndId: KeyFunction = (event) => [event.source, event.id]

function isMissing(part: KeyPart): boolean {
  return part === undefined || part === null || part === ''
}

/**
 * What a key function picked, checked: one part, or a non-empty list of
 * parts, none of them missing; else an {@link IdempotencyKeyMissingError}.
 * Runs synchronously, on entry, so that no later middleware can change what
 * it reads.
 */
export function keyValue<Arg>(pick: (arg: Arg) => KeyPart | readonly KeyPart[], arg: Arg): KeyPart | readonly KeyPart[] {
  let picked: KeyPart | readonly KeyPart[]
  try {
    picked = pick(arg)
  } catch (error) {
    throw new IdempotencyKeyMissingError('The idempotency key function threw', [{ message: 'key function threw' }], { cause: error })
  }
  const parts: readonly KeyPart[] = Array.isArray(picked) ? picked : [picked as KeyPart]
  if (parts.length === 0 || parts.some(isMissing)) {
    throw new IdempotencyKeyMissingError('The idempotency key function found no key in the event', [
      { message: 'the key function returned no value (undefined, null, an empty string or list)' },
    ])
  }
  for (const part of parts) {
    const type = typeof part
    if (type !== 'string' && type !== 'number' && type !== 'boolean' && type !== 'bigint') {
      throw new IdempotencyKeyMissingError('The idempotency key function returned a value that is not a key', [
        { message: `a key part is a ${typeof part}; return strings or numbers` },
      ])
    }
  }
  return picked
}

/** The canonical text of a checked key: the JSON list of its parts. */
export function keyTextOf(value: KeyPart | readonly KeyPart[]): string {
  return canonicalJson(Array.isArray(value) ? value : [value])
}

/** {@link keyValue}, as canonical text. */
export function keyText<Data>(pick: KeyFunction<Data>, event: CloudEvent<Data>): string {
  return keyTextOf(keyValue(pick, event))
}

const UNSAFE = /[^A-Za-z0-9._-]+/g

// A middleware nearly always serves one handler: remember its prefix (with
// the colon) rather than clean the name up on every delivery. A key a store
// keeps then shares that prefix instead of holding a copy of it.
let lastNamespace: string | undefined
let lastPrefix = ''

function prefixOf(namespace: string): string {
  if (namespace !== lastNamespace) {
    lastPrefix = `${namespace.replace(UNSAFE, '_').slice(0, 64) || 'handler'}:`
    lastNamespace = namespace
  }
  return lastPrefix
}

/**
 * The key a store sees: `<namespace>:<sha-256 of namespace and key text>`.
 * The readable prefix is for people reading the store; the namespace also
 * goes into the hash, so two names that clean up alike still differ.
 */
export function storeKey(namespace: string, text: string): string | Promise<string> {
  const prefix = prefixOf(namespace)
  const hash = sha256(`${namespace}\u0000${text}`)
  return typeof hash === 'string' ? prefix + hash : hash.then((h) => prefix + h)
}
