/**
 * CloudEvents HTTP binding 1.0.2, section 3.1.3.2: in a `ce-*` header, space,
 * `"`, `%` and every character outside printable ASCII (U+0021..U+007E) is
 * percent-encoded as UTF-8. The `cloudevents` SDK skips this; we must not.
 */

const MUST_ENCODE = /[^\x21-\x7e]|["%]/u

/** Encodes an attribute value for a `ce-*` header. */
export function encodeHeaderValue(value: string): string {
  if (!MUST_ENCODE.test(value)) return value
  let out = ''
  for (const char of value) {
    const code = char.codePointAt(0)!
    if (code >= 0x21 && code <= 0x7e && char !== '"' && char !== '%') out += char
    else out += encodeURIComponent(char)
  }
  return out
}

/** Decodes a `ce-*` header value; throws a `URIError` on a broken `%` sequence. */
export function decodeHeaderValue(value: string): string {
  return value.includes('%') ? decodeURIComponent(value) : value
}
