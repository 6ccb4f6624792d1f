/**
 * HTTP as plain data. The CloudEvents binding works on these, not on web
 * `Request`/`Response`: Node 20 loads those lazily at about 25 ms on first
 * use, and an adapter that receives an API Gateway event has no reason to
 * build one.
 */

/** An HTTP request. Header names are lower-case. */
export interface HttpRequest {
  readonly method: string
  readonly headers: Readonly<Record<string, string | undefined>>
  readonly body?: Uint8Array | string | undefined
}

/** An HTTP reply. Header names are lower-case. */
export interface HttpReply {
  status: number
  headers: Record<string, string>
  body?: Uint8Array | string
}

/** The media type of a `content-type` value, lower-cased and without parameters. */
export function mediaType(contentType: string | undefined): string | undefined {
  return contentType?.split(';')[0]!.trim().toLowerCase() || undefined
}

/** JSON media types, as json-format.md 3.1.1 defines them: `*\/json` and `*\/*+json`. */
export function isJsonMediaType(contentType: string | undefined): boolean {
  return /[/+]json$/.test(mediaType(contentType) ?? '')
}

// Made on first use: a TextDecoder costs about 0.08 ms to make on Node 20,
// at every cold start, and most requests never decode bytes.
let utf8: TextDecoder | undefined
const encoder = new TextEncoder()

/** The body as text; throws a `TypeError` when the bytes are not UTF-8. */
export function bodyText(body: Uint8Array | string | undefined): string {
  // decode(undefined) is ''.
  return typeof body === 'string' ? body : (utf8 ??= new TextDecoder('utf-8', { fatal: true })).decode(body)
}

/** The body as bytes. */
export function bodyBytes(body: Uint8Array | string | undefined): Uint8Array {
  return typeof body === 'string' ? encoder.encode(body) : (body ?? new Uint8Array(0))
}

/** Size of the body in bytes, without copying a byte body. */
export function bodySize(body: Uint8Array | string | undefined): number {
  return typeof body === 'string' ? encoder.encode(body).byteLength : (body?.byteLength ?? 0)
}

/**
 * Standard base64 of bytes (no Node `Buffer`: this runs on Workers too).
 *
 * @example
 * ```ts
 * toBase64(new Uint8Array([104, 105]))   // 'aGk='
 * ```
 */
export function toBase64(bytes: Uint8Array): string {
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  }
  return btoa(binary)
}

/**
 * Bytes of standard base64 (padding optional); throws a `TypeError` on bad input.
 *
 * @example
 * ```ts
 * fromBase64('aGk=')   // Uint8Array [104, 105]
 * ```
 */
export function fromBase64(text: string): Uint8Array {
  let binary: string
  try {
    binary = atob(text)
  } catch {
    throw new TypeError('not valid base64')
  }
  return Uint8Array.from(binary, (char) => char.charCodeAt(0))
}
