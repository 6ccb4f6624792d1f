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

/**
 * Decodes a `ce-*` header value: a quoted string is unquoted first (older
 * senders quote instead of encoding space and `"`; receivers MUST accept it),
 * then one round of percent-decoding. Throws a `SyntaxError` on a broken
 * quoted string and a `URIError` on a broken `%` sequence or bytes that are
 * not UTF-8 (overlong forms included).
 */
export function decodeHeaderValue(value: string): string {
  const text = value.startsWith('"') ? unquote(value) : value
  return text.includes('%') ? decodeURIComponent(text) : text
}

/** RFC 7230 section 3.2.6 quoted-string: the whole value, `\` escaping the next character. */
function unquote(value: string): string {
  let out = ''
  for (let i = 1; i < value.length; i++) {
    const char = value[i]!
    if (char === '"') {
      if (i === value.length - 1) return out
      break
    }
    if (char === '\\') {
      i += 1
      if (i >= value.length) break
    }
    out += value[i]
  }
  throw new SyntaxError('not a well-formed quoted string')
}
