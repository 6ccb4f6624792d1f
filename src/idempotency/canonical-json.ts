/**
 * Canonical JSON: what makes "the same data" the same text whatever the key
 * order, so that a payload hashes the same on every delivery.
 */
import { toBase64 } from '../http/message.js'

/** Deeper than this is refused: real event data is not, and a cycle always is. */
const MAX_DEPTH = 512

/**
 * Canonical JSON text of a value: object keys sorted, `undefined` members
 * left out, as `JSON.stringify` would (a `toJSON` is honoured, so a Date is
 * its ISO string). Total where hashing needs it to be: bigints, byte arrays,
 * Maps and Sets get a tagged form (`{"$bytes":…}`, `{"$map":…}`) rather than
 * an error or a silent `{}`, so they hash by their content. A cycle (or
 * nesting deeper than 512 levels) is the one thing it refuses, with a
 * `TypeError`.
 *
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: [true, undefined] })   // '{"a":[true,null],"b":1}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  return write(value, 0) ?? 'null'
}

function write(value: unknown, depth: number): string | undefined {
  switch (typeof value) {
    case 'string':
      return quote(value)
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null'
    case 'boolean':
      return value ? 'true' : 'false'
    case 'bigint':
      return `{"$bigint":"${value.toString()}"}`
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined
  }
  if (value === null) return 'null'
  if (depth >= MAX_DEPTH) throw new TypeError(`canonicalJson: the value contains a cycle or is nested deeper than ${MAX_DEPTH} levels`)
  const object = value as object
  if (Array.isArray(object)) {
    let out = '['
    for (let i = 0; i < object.length; i++) out += (i === 0 ? '' : ',') + (write(object[i], depth + 1) ?? 'null')
    return out + ']'
  }
  const proto = Object.getPrototypeOf(object) as object | null
  if (proto !== Object.prototype && proto !== null) {
    // Before `toJSON`: a Node Buffer has one, and bytes are bytes whatever holds them.
    if (ArrayBuffer.isView(object) || object instanceof ArrayBuffer) return `{"$bytes":"${toBase64(bytesOf(object))}"}`
    if (typeof (object as { toJSON?: unknown }).toJSON === 'function') return write((object as { toJSON(): unknown }).toJSON(), depth + 1)
    if (object instanceof Map) {
      const entries = [...object.entries()].map(([k, v]) => `[${write(k, depth + 1) ?? 'null'},${write(v, depth + 1) ?? 'null'}]`).sort()
      return `{"$map":[${entries.join(',')}]}`
    }
    if (object instanceof Set) {
      const items = [...object].map((item) => write(item, depth + 1) ?? 'null').sort()
      return `{"$set":[${items.join(',')}]}`
    }
  } else if (typeof (object as { toJSON?: unknown }).toJSON === 'function') {
    return write((object as { toJSON(): unknown }).toJSON(), depth + 1)
  }
  const record = object as Record<string, unknown>
  const keys = sortKeys(Object.keys(record))
  let out = '{'
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!
    const text = write(record[key], depth + 1)
    if (text === undefined) continue
    out += (out.length === 1 ? '' : ',') + quote(key) + ':' + text
  }
  return out + '}'
}

// What JSON.stringify escapes in a string: quote, backslash, controls, and
// lone surrogates (which it writes as \uXXXX). Lone or not, any surrogate
// sends the string the slow way.
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/

/** A string as JSON text: a test and a concatenation for the usual string, which has nothing to escape. */
function quote(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`
}

/**
 * Sorts keys in place as `Array.prototype.sort` would (by UTF-16 code
 * units); by insertion for the few keys an event's object has, which is
 * several times faster than the built-in sort there.
 */
function sortKeys(keys: string[]): string[] {
  if (keys.length > 16) return keys.sort()
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!
    let j = i - 1
    while (j >= 0 && keys[j]! > key) {
      keys[j + 1] = keys[j]!
      j--
    }
    keys[j + 1] = key
  }
  return keys
}

function bytesOf(value: ArrayBuffer | ArrayBufferView): Uint8Array {
  return value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
}
