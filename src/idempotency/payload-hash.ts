/**
 * Canonical JSON and hashing: what makes "the same data" mean the same bytes
 * whatever the key order, and what turns keys into short, store-safe strings.
 *
 * SHA-256 is computed here in JavaScript for short inputs (keys, most
 * payloads) and by Web Crypto (`crypto.subtle`) for long ones: no import,
 * the same on Node 20, Workers and every other runtime faasade runs on.
 */

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
      return JSON.stringify(value)
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
    if (ArrayBuffer.isView(object) || object instanceof ArrayBuffer) return `{"$bytes":"${base64(bytesOf(object))}"}`
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
  const keys = Object.keys(record)
  if (keys.length > 1) keys.sort()
  let out = '{'
  let first = true
  for (const key of keys) {
    const text = write(record[key], depth + 1)
    if (text === undefined) continue
    out += `${first ? '' : ','}${JSON.stringify(key)}:${text}`
    first = false
  }
  return out + '}'
}

function bytesOf(value: ArrayBuffer | ArrayBufferView): Uint8Array {
  return value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
}

let encoder: TextEncoder | undefined

/** UTF-8 bytes of a text. */
export function utf8(text: string): Uint8Array {
  return (encoder ??= new TextEncoder()).encode(text)
}

/**
 * Inputs up to this size are hashed in JavaScript, synchronously: Web
 * Crypto's `digest` is a hop to a thread pool (about 18 µs a call on Node 20
 * here, longer than hashing a few KB in JavaScript); larger inputs go to it.
 */
const INLINE_HASH_BYTES = 4096
// Room for the largest inline input and its padding, reused by every hash:
// a delivery hashes twice, and a buffer each time is garbage each time.
let SCRATCH: Uint8Array | undefined

/**
 * SHA-256 of a text (UTF-8), as base64url without padding: 43 characters.
 * A plain string for a short text, hashed on the spot; a promise for a long one.
 */
export function sha256(text: string): string | Promise<string> {
  const scratch = (SCRATCH ??= new Uint8Array(INLINE_HASH_BYTES + 72))
  if (text.length <= INLINE_HASH_BYTES) {
    const { read, written } = (encoder ??= new TextEncoder()).encodeInto(text, scratch.subarray(0, INLINE_HASH_BYTES))
    if (read === text.length) return digestScratch(scratch, written)
  }
  return sha256Bytes(utf8(text))
}

/** SHA-256 of bytes, as base64url without padding; a promise only for a long input. */
export function sha256Bytes(bytes: Uint8Array): string | Promise<string> {
  if (bytes.length <= INLINE_HASH_BYTES) {
    const scratch = (SCRATCH ??= new Uint8Array(INLINE_HASH_BYTES + 72))
    scratch.set(bytes)
    return digestScratch(scratch, bytes.length)
  }
  return crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>).then((digest) => base64url(new Uint8Array(digest)))
}

/** SHA-256 of bytes, as bytes, computed in JavaScript (any length; meant for short ones). */
export function sha256Inline(bytes: Uint8Array): Uint8Array {
  const block = new Uint8Array(paddedLength(bytes.length))
  block.set(bytes)
  const out = new Uint8Array(32)
  const words = compress(block, bytes.length)
  for (let i = 0; i < 8; i++) {
    const v = words[i]!
    out[i * 4] = v >>> 24
    out[i * 4 + 1] = v >>> 16
    out[i * 4 + 2] = v >>> 8
    out[i * 4 + 3] = v
  }
  return out
}

function digestScratch(scratch: Uint8Array, n: number): string {
  const words = compress(scratch, n)
  // The digest's bytes go over the start of the scratch (its input is spent).
  for (let i = 0; i < 8; i++) {
    const v = words[i]!
    scratch[i * 4] = v >>> 24
    scratch[i * 4 + 1] = v >>> 16
    scratch[i * 4 + 2] = v >>> 8
    scratch[i * 4 + 3] = v
  }
  return base64url(scratch.subarray(0, 32))
}

function paddedLength(n: number): number {
  return (((n + 8) >> 6) + 1) << 6
}

// FIPS 180-4: the initial hash value (5.3.3) and the round constants (4.2.2).
const INITIAL = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19] as const
let ROUND: Int32Array | undefined
let SCHEDULE: Int32Array | undefined
let DIGEST: Int32Array | undefined

function roundConstants(): Int32Array {
  return new Int32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ])
}

/**
 * SHA-256 (FIPS 180-4) in 32-bit integer arithmetic over the first `n` bytes
 * of `block`, which has room for the padding; the padding is written here.
 * The eight words of the digest come back in a shared array, valid until the
 * next call.
 */
function compress(block: Uint8Array, n: number): Int32Array {
  const k = (ROUND ??= roundConstants())
  const w = (SCHEDULE ??= new Int32Array(64))
  // Padding: a 1 bit, zeros, then the length in bits as a 64-bit big-endian number.
  const length = paddedLength(n)
  block[n] = 0x80
  block.fill(0, n + 1, length - 8)
  const high = Math.floor(n / 0x20000000)
  const low = (n << 3) >>> 0
  block[length - 8] = high >>> 24
  block[length - 7] = high >>> 16
  block[length - 6] = high >>> 8
  block[length - 5] = high
  block[length - 4] = low >>> 24
  block[length - 3] = low >>> 16
  block[length - 2] = low >>> 8
  block[length - 1] = low
  let h0 = INITIAL[0] | 0
  let h1 = INITIAL[1] | 0
  let h2 = INITIAL[2] | 0
  let h3 = INITIAL[3] | 0
  let h4 = INITIAL[4] | 0
  let h5 = INITIAL[5] | 0
  let h6 = INITIAL[6] | 0
  let h7 = INITIAL[7] | 0
  for (let offset = 0; offset < length; offset += 64) {
    for (let i = 0, j = offset; i < 16; i++, j += 4) {
      w[i] = (block[j]! << 24) | (block[j + 1]! << 16) | (block[j + 2]! << 8) | block[j + 3]!
    }
    for (let i = 16; i < 64; i++) {
      const x = w[i - 15]!
      const y = w[i - 2]!
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10)
      w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0
    }
    let a = h0
    let b = h1
    let c = h2
    let d = h3
    let e = h4
    let f = h5
    let g = h6
    let h = h7
    for (let i = 0; i < 64; i++) {
      const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))
      const t1 = (h + s1 + ((e & f) ^ (~e & g)) + k[i]! + w[i]!) | 0
      const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))
      const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0
      h = g
      g = f
      f = e
      e = (d + t1) | 0
      d = c
      c = b
      b = a
      a = (t1 + t2) | 0
    }
    h0 = (h0 + a) | 0
    h1 = (h1 + b) | 0
    h2 = (h2 + c) | 0
    h3 = (h3 + d) | 0
    h4 = (h4 + e) | 0
    h5 = (h5 + f) | 0
    h6 = (h6 + g) | 0
    h7 = (h7 + h) | 0
  }
  const out = (DIGEST ??= new Int32Array(8))
  out[0] = h0
  out[1] = h1
  out[2] = h2
  out[3] = h3
  out[4] = h4
  out[5] = h5
  out[6] = h6
  out[7] = h7
  return out
}

/** The hash stored with a record: of the canonical JSON of what the payload option picks. */
export function payloadHash(canonical: string): string | Promise<string> {
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

const URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

function base64url(bytes: Uint8Array): string {
  let out = ''
  let i = 0
  for (; i + 2 < bytes.length; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!
    out += URL_ALPHABET[v >> 18]! + URL_ALPHABET[(v >> 12) & 63]! + URL_ALPHABET[(v >> 6) & 63]! + URL_ALPHABET[v & 63]!
  }
  const rest = bytes.length - i
  if (rest === 1) {
    const v = bytes[i]! << 16
    out += URL_ALPHABET[v >> 18]! + URL_ALPHABET[(v >> 12) & 63]!
  } else if (rest === 2) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8)
    out += URL_ALPHABET[v >> 18]! + URL_ALPHABET[(v >> 12) & 63]! + URL_ALPHABET[(v >> 6) & 63]!
  }
  return out
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
