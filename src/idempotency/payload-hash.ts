/**
 * Canonical JSON and hashing: what makes "the same data" mean the same bytes
 * whatever the key order, and what turns keys into short, store-safe strings.
 *
 * SHA-256 comes from Web Crypto (`crypto.subtle`), which Node 20, Workers and
 * every other runtime faasade runs on provide without an import.
 */

/**
 * Canonical JSON text of a value: object keys sorted, `undefined` members
 * left out, as `JSON.stringify` would (a `toJSON` is honoured, so a Date is
 * its ISO string). Total where hashing needs it to be: bigints, byte arrays,
 * Maps and Sets get a tagged form (`{"$bytes":…}`, `{"$map":…}`) rather than
 * an error or a silent `{}`, so they hash by their content. A cycle is the
 * one thing it refuses (a `TypeError`).
 */
export function canonicalJson(value: unknown): string {
  return write(value, new Set()) ?? 'null'
}

function write(value: unknown, seen: Set<object>): string | undefined {
  if (value === null) return 'null'
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value)
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null'
    case 'boolean':
      return value ? 'true' : 'false'
    case 'bigint':
      return JSON.stringify({ $bigint: value.toString() })
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined
  }
  const object = value as object
  // Before `toJSON`: a Node Buffer has one, and bytes are bytes whatever holds them.
  if (ArrayBuffer.isView(object) || object instanceof ArrayBuffer) return JSON.stringify({ $bytes: base64(bytesOf(object)) })
  if (typeof (object as { toJSON?: unknown }).toJSON === 'function') {
    return write((object as { toJSON(): unknown }).toJSON(), seen)
  }
  if (seen.has(object)) throw new TypeError('canonicalJson: the value contains a cycle')
  seen.add(object)
  try {
    if (Array.isArray(object)) return `[${object.map((item) => write(item, seen) ?? 'null').join(',')}]`
    if (object instanceof Map) {
      const entries = [...object.entries()].map(([k, v]) => `[${write(k, seen) ?? 'null'},${write(v, seen) ?? 'null'}]`).sort()
      return `{"$map":[${entries.join(',')}]}`
    }
    if (object instanceof Set) {
      const items = [...object].map((item) => write(item, seen) ?? 'null').sort()
      return `{"$set":[${items.join(',')}]}`
    }
    const record = object as Record<string, unknown>
    const parts: string[] = []
    for (const key of Object.keys(record).sort()) {
      const text = write(record[key], seen)
      if (text !== undefined) parts.push(`${JSON.stringify(key)}:${text}`)
    }
    return `{${parts.join(',')}}`
  } finally {
    seen.delete(object)
  }
}

function bytesOf(value: ArrayBuffer | ArrayBufferView): Uint8Array {
  return value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
}

const encoder = new TextEncoder()

/** SHA-256 of a text (UTF-8), as base64url without padding: 43 characters. */
export async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', encoder.encode(text))
  return base64url(new Uint8Array(digest))
}

/** SHA-256 of bytes, as base64url without padding. */
export async function sha256Bytes(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)
  return base64url(new Uint8Array(digest))
}

/** The hash stored with a record: of the canonical JSON of what the payload option picks. */
export function payloadHash(canonical: string): Promise<string> {
  return sha256(canonical)
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

function base64(bytes: Uint8Array): string {
  let out = ''
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i]!
    const b = bytes[i + 1]
    const c = bytes[i + 2]
    out += ALPHABET[a >> 2]! + ALPHABET[((a & 3) << 4) | ((b ?? 0) >> 4)]!
    out += b === undefined ? '=' : ALPHABET[((b & 15) << 2) | ((c ?? 0) >> 6)]!
    out += c === undefined ? '=' : ALPHABET[c & 63]!
  }
  return out
}

/** Base64 of bytes, for a stored HTTP body that is not text. */
export { base64 as toBase64 }

/** The inverse of {@link toBase64}. */
export function fromBase64(text: string): Uint8Array {
  const clean = text.replace(/=+$/, '')
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4))
  let bits = 0
  let value = 0
  let at = 0
  for (const ch of clean) {
    const index = ALPHABET.indexOf(ch)
    if (index < 0) throw new TypeError('fromBase64: not base64')
    value = (value << 6) | index
    bits += 6
    if (bits >= 8) {
      bits -= 8
      out[at++] = (value >> bits) & 255
    }
  }
  return out.subarray(0, at)
}

function base64url(bytes: Uint8Array): string {
  return base64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** UTF-8 length of a text without encoding it. */
export function utf8Length(text: string): number {
  let bytes = 0
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x80) bytes += 1
    else if (code < 0x800) bytes += 2
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      bytes += 4
      i++
    } else bytes += 3
  }
  return bytes
}
