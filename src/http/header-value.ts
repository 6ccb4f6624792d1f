/**
 * CloudEvents HTTP binding 1.0.2, section 3.1.3.2: in a `ce-*` header, space,
 * `"`, `%` and every character outside printable ASCII (U+0021..U+007E) is
 * percent-encoded as UTF-8. The `cloudevents` SDK skips this; we must not.
 */

// With the u flag a surrogate pair is one match, encoded as its 4 UTF-8 bytes.
const MUST_ENCODE = /[^\x21-\x7e]|["%]/gu

// RFC 9110 field-value: visible ASCII, space, tab and obs-text (0x80-0xFF);
// Node's http module and fetch's Headers refuse the rest, and a CR or LF in
// a value the platform does not check would start a header of its own.
const NOT_FIELD_VALUE = /[^\t\x20-\x7e\x80-\xff]/

/**
 * `value`, when it can go in a header as it is; otherwise a `TypeError`
 * naming the attribute it came from, so a reply is refused, never sent broken.
 *
 * @example
 * ```ts
 * headerValue('datacontenttype', 'text/plain; charset=utf-8') // returned as is
 * headerValue('datacontenttype', 'text/plain\r\nSet-Cookie: a=b') // throws TypeError
 * ```
 */
export function headerValue(attribute: string, value: string): string {
  if (NOT_FIELD_VALUE.test(value)) throw new TypeError(`${JSON.stringify(attribute)} cannot be a header value (a control character, or one over U+00FF)`)
  return value
}

/** Encodes an attribute value for a `ce-*` header. Throws a `URIError` on an unpaired surrogate. */
export function encodeHeaderValue(value: string): string {
  return value.replace(MUST_ENCODE, (char) => encodeURIComponent(char))
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

// RFC 7230 section 3.2.6 quoted-string, the whole value: `\` escapes the next character.
const QUOTED = /^"((?:[^"\\]|\\[\s\S])*)"$/

function unquote(value: string): string {
  const match = QUOTED.exec(value)
  if (!match) throw new SyntaxError('not a well-formed quoted string')
  return match[1]!.replace(/\\([\s\S])/g, '$1')
}
