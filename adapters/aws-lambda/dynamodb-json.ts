/**
 * DynamoDB JSON (the `{ "S": "…" }` form a stream record's images and keys
 * come in) as plain values, without the AWS SDK: a stream consumer reads
 * `NewImage.total` rather than `NewImage.total.N`.
 *
 * Numbers: DynamoDB keeps 38 significant digits, a JavaScript number about
 * 15 to 17. An `N` becomes a `number` when the number reads back as the
 * same decimal (so `"1.5"`, `"42"`, `"-0.001"`, `"1e21"`), and stays the
 * decimal string otherwise (`"12345678901234567890"`, `"0.1000000000000000000001"`):
 * nothing is rounded silently, the value stays JSON (a `bigint` would not:
 * logs, idempotency keys and replies would fail on it), and the handler
 * picks `BigInt` or a decimal library for it. Sets become arrays (`SS`,
 * `NS`, `BS`: JSON has no sets), binary a `Uint8Array`.
 */
import { InvalidEventError } from '../../src/errors.js'

/** One attribute in DynamoDB JSON. */
export type AttributeValue =
  | { readonly S: string }
  | { readonly N: string }
  | { readonly B: string }
  | { readonly BOOL: boolean }
  | { readonly NULL: true }
  | { readonly M: { readonly [name: string]: AttributeValue } }
  | { readonly L: readonly AttributeValue[] }
  | { readonly SS: readonly string[] }
  | { readonly NS: readonly string[] }
  | { readonly BS: readonly string[] }

/** An attribute as a plain value (see the file's notes for numbers and sets). */
export type DynamoDbValue = string | number | boolean | null | Uint8Array | readonly DynamoDbValue[] | { readonly [name: string]: DynamoDbValue }

/** An item (an image, or its keys) as plain values. */
export type DynamoDbItem = { readonly [name: string]: DynamoDbValue }

/**
 * An item in DynamoDB JSON as plain values. Throws an `InvalidEventError`
 * naming the first attribute that is not DynamoDB JSON.
 *
 * @example
 * ```ts
 * unmarshall({ id: { S: 'A1' }, total: { N: '12.5' }, tags: { SS: ['new'] }, big: { N: '12345678901234567890' } })
 * // { id: 'A1', total: 12.5, tags: ['new'], big: '12345678901234567890' }
 * ```
 */
export function unmarshall(item: unknown, path: readonly (string | number)[] = []): DynamoDbItem {
  if (!isRecord(item)) throw notDynamoDbJson(path, 'is not a map of attributes')
  const out: Record<string, DynamoDbValue> = {}
  for (const name of Object.keys(item)) define(out, name, unmarshallValue(item[name], [...path, name]))
  return out
}

/**
 * One attribute in DynamoDB JSON as a plain value.
 *
 * @example
 * ```ts
 * unmarshallValue({ L: [{ N: '1' }, { NULL: true }] })   // [1, null]
 * ```
 */
export function unmarshallValue(value: unknown, path: readonly (string | number)[] = []): DynamoDbValue {
  if (!isRecord(value)) throw notDynamoDbJson(path, 'is not an attribute value')
  const keys = Object.keys(value)
  if (keys.length !== 1) throw notDynamoDbJson(path, `must have exactly one type key, has ${keys.length}`)
  const type = keys[0]!
  const v = value[type]
  switch (type) {
    case 'S':
      if (typeof v === 'string') return v
      break
    case 'N':
      if (typeof v === 'string') return number(v, path)
      break
    case 'B':
      if (typeof v === 'string') return bytes(v, path)
      break
    case 'BOOL':
      if (typeof v === 'boolean') return v
      break
    case 'NULL':
      if (v === true) return null
      break
    case 'M':
      return unmarshall(v, path)
    case 'L':
      if (Array.isArray(v)) return v.map((e, i) => unmarshallValue(e, [...path, i]))
      break
    case 'SS':
      if (Array.isArray(v) && v.every((e) => typeof e === 'string')) return [...(v as string[])]
      break
    case 'NS':
      if (Array.isArray(v) && v.every((e) => typeof e === 'string')) return (v as string[]).map((e, i) => number(e, [...path, i]))
      break
    case 'BS':
      if (Array.isArray(v) && v.every((e) => typeof e === 'string')) return (v as string[]).map((e, i) => bytes(e, [...path, i]))
      break
    default:
      throw notDynamoDbJson(path, `has an unknown type "${type.slice(0, 10)}"`)
  }
  throw notDynamoDbJson(path, `is not a valid ${type} value`)
}

/** A DynamoDB number: a `number` when it reads back as the same decimal, else the string. */
function number(text: string, path: readonly (string | number)[]): number | string {
  const exact = decimal(text)
  if (exact === undefined) throw notDynamoDbJson(path, 'is not a number')
  const n = Number(text)
  return Number.isFinite(n) && decimal(String(n)) === exact ? n : text
}

/**
 * A decimal's value as one string (sign, significant digits, exponent), the
 * same for every spelling of it: `'1.50'`, `'15e-1'` and `'1.5'` alike.
 */
function decimal(text: string): string | undefined {
  const parts = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text)
  if (!parts || (parts[2] === '' && (parts[3] ?? '') === '')) return undefined
  const fraction = parts[3] ?? ''
  const digits = `${parts[2]}${fraction}`.replace(/^0+/, '')
  if (digits === '') return '0'
  const significant = digits.replace(/0+$/, '')
  const exponent = Number(parts[4] ?? 0) - fraction.length + (digits.length - significant.length)
  return `${parts[1] === '-' ? '-' : ''}${significant}e${exponent}`
}

function bytes(base64: string, path: readonly (string | number)[]): Uint8Array {
  let binary: string
  try {
    binary = atob(base64)
  } catch {
    throw notDynamoDbJson(path, 'is not base64')
  }
  return Uint8Array.from(binary, (c) => c.charCodeAt(0))
}

// An attribute named `__proto__` is data, not the object's prototype.
function define(out: Record<string, DynamoDbValue>, name: string, value: DynamoDbValue): void {
  Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true })
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function notDynamoDbJson(path: readonly (string | number)[], message: string): InvalidEventError {
  const where = path.length > 0 ? path.join('.') : 'the item'
  return new InvalidEventError(`Not DynamoDB JSON: ${where} ${message}`, [{ message, path: [...path] }], { detail: `${where} ${message}` })
}
