/**
 * How the DynamoDB store lays a record out in an item: faasade's own layout,
 * or the one AWS Lambda Powertools' idempotency utility uses, so that a
 * function moving from Powertools honours the records Powertools wrote (and
 * Powertools, rolled back, honours ours) and no duplicate runs twice during
 * the cutover.
 *
 * Powertools' layout, as its persistence layer reads and writes it (learned
 * from its documentation and its behaviour on a table, not its code):
 *
 * - the key: `<keyPrefix>#<base64 MD5 of the JSON of the key value, object
 *   keys sorted case-insensitively>`, where the key value is what its
 *   `eventKeyJmesPath` selects and `keyPrefix` defaults to the function's
 *   name (`AWS_LAMBDA_FUNCTION_NAME`);
 * - `status`: `INPROGRESS` or `COMPLETED`;
 * - `expiration`: epoch seconds when the record dies (also its TTL attribute);
 * - `in_progress_expiration`: epoch ms when an INPROGRESS claim dies (the
 *   invocation's end);
 * - `data`: the result as a native DynamoDB value (a map, a string, …), not JSON text;
 * - `validation`: the base64 MD5 of the payload's JSON, present only with payload validation.
 *
 * faasade adds one attribute of its own, `owner`, so that only the claimant
 * completes or releases a claim; Powertools ignores it. A record Powertools
 * wrote has none, and no faasade claimant can match it.
 */
import type { KeyScheme } from '../../store.js'
import { builtin, builtinSync } from './builtin.js'

/** A DynamoDB attribute value, as the JSON protocol writes it. */
export type AttributeValue =
  | { S: string }
  | { N: string }
  | { BOOL: boolean }
  | { NULL: true }
  | { L: AttributeValue[] }
  | { M: Record<string, AttributeValue> }
  | { B: string }
  | { SS: string[] }
  | { NS: string[] }
  | { BS: string[] }

/** The attribute names of Powertools' layout, each overridable as in Powertools' `DynamoDBPersistenceLayer`. */
export interface PowertoolsAttributes {
  /** @defaultValue `'status'` */
  statusAttr?: string
  /** Epoch seconds. @defaultValue `'expiration'` */
  expiryAttr?: string
  /** Epoch ms. @defaultValue `'in_progress_expiration'` */
  inProgressExpiryAttr?: string
  /** @defaultValue `'data'` */
  dataAttr?: string
  /** @defaultValue `'validation'` */
  validationKeyAttr?: string
}

/**
 * Powertools' layout: its attribute names, and what goes before the `#` of
 * every key.
 *
 * @example
 * ```ts
 * dynamoDbStore({ table: 'IdempotencyTable', layout: { powertools: { keyPrefix: 'orders-fn' } } })
 * ```
 */
export interface PowertoolsLayoutOptions extends PowertoolsAttributes {
  /**
   * What Powertools puts before the `#` of each key: its `keyPrefix` option
   * if the function set one, else the Lambda function's name.
   * @defaultValue `AWS_LAMBDA_FUNCTION_NAME` (read when the store is created), else `''`
   */
  keyPrefix?: string
  /** The hash Powertools' `hashFunction` names (a `node:crypto` algorithm). @defaultValue `'md5'` */
  hashFunction?: string
}

export const POWERTOOLS_ATTRIBUTES: Required<PowertoolsAttributes> = {
  statusAttr: 'status',
  expiryAttr: 'expiration',
  inProgressExpiryAttr: 'in_progress_expiration',
  dataAttr: 'data',
  validationKeyAttr: 'validation',
}

/** A JSON value as a native DynamoDB value, the way the SDK's `marshall` writes it. */
export function toAttribute(value: unknown): AttributeValue {
  if (value === null || value === undefined) return { NULL: true }
  switch (typeof value) {
    case 'string':
      return { S: value }
    case 'number':
      return { N: String(value) }
    case 'boolean':
      return { BOOL: value }
  }
  if (Array.isArray(value)) return { L: value.map(toAttribute) }
  const map: Record<string, AttributeValue> = {}
  for (const [key, member] of Object.entries(value as Record<string, unknown>)) if (member !== undefined) map[key] = toAttribute(member)
  return { M: map }
}

/** A native DynamoDB value as JSON: sets become lists, binaries base64 text. */
export function fromAttribute(value: AttributeValue): unknown {
  if ('S' in value) return value.S
  if ('N' in value) return Number(value.N)
  if ('BOOL' in value) return value.BOOL
  if ('NULL' in value) return null
  if ('L' in value) return value.L.map(fromAttribute)
  if ('M' in value) return Object.fromEntries(Object.entries(value.M).map(([k, v]) => [k, fromAttribute(v)]))
  if ('B' in value) return value.B
  if ('SS' in value) return value.SS
  if ('NS' in value) return value.NS.map(Number)
  if ('BS' in value) return value.BS
  throw new TypeError('an attribute value of an unknown type')
}

/** JSON with object keys in the order Powertools hashes them: sorted, ignoring case. */
export function powertoolsJson(value: unknown): string {
  return JSON.stringify(sortDeep(value))
}

function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortDeep)
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return value
  const sorted: Record<string, unknown> = {}
  const keys = Object.keys(value).sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1))
  for (const key of keys) sorted[key] = sortDeep((value as Record<string, unknown>)[key])
  return sorted
}

type Crypto = typeof import('node:crypto')
let crypto: Crypto | Promise<Crypto> | undefined

/** Powertools' key and payload hashing, on `node:crypto` (MD5 is not in Web Crypto). */
export function powertoolsKeys(keyPrefix: string, hashFunction: string): KeyScheme {
  const digest = (text: string): string | Promise<string> => {
    crypto ??= builtinSync<Crypto>('node:crypto') ?? builtin<Crypto>('node:crypto')
    const hash = (c: Crypto) => c.createHash(hashFunction).update(text).digest('base64')
    return crypto instanceof Promise ? crypto.then(hash) : hash(crypto)
  }
  const hashOf = (value: unknown): string | Promise<string> => digest(powertoolsJson(value))
  return {
    key: (_namespace, value) => {
      const hash = hashOf(value)
      return typeof hash === 'string' ? `${keyPrefix}#${hash}` : hash.then((h) => `${keyPrefix}#${h}`)
    },
    payload: hashOf,
  }
}
