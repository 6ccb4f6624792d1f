/**
 * Exact values that must never reach a log line (secrets register theirs
 * here), with the other forms the same value takes on its way into one: its
 * JSON-escaped copy, its URL-encoded forms, and base64 and base64url of it,
 * whole and inside a longer base64 text (a Basic auth header encodes
 * `user:password` as one). Every form is made once, when the value is
 * registered: the logger scrubs every string and key of every line with
 * them. Kept in the core so the logger can scrub without knowing who
 * registered what.
 */

/** Shorter values are scrubbed only where a whole string equals them: "a" inside every word would mangle every line. */
const MIN_SUBSTRING = 4

/** Each registered value and the forms of it that are scrubbed. */
const registered = new Map<string, readonly string[]>()
/** Every form of every value, longest first, so that a form is never cut up by a shorter one it contains. */
let patterns: readonly string[] = []
/** Values shorter than {@link MIN_SUBSTRING}, scrubbed where a whole string equals one. */
const short = new Set<string>()

/** The text that replaces a scrubbed value. */
export const REDACTED = '[redacted]'

/**
 * What the logger calls on each JSON value of a line. Unset until a value is
 * registered, so that a function that never registers one (no secrets) does
 * not ship the scrubber: bundlers drop it with `addRedaction`.
 */
export const scrubber: { scrub?: (value: unknown) => unknown } = {}

/**
 * Scrub `value` from every log line from now on, with its JSON-escaped,
 * URL-encoded, base64 and base64url forms. A value shorter than 4
 * characters is scrubbed only where a whole string (a field's value, a key)
 * equals it, never inside longer text: scrubbing "a" would mangle every line.
 *
 * @example
 * ```ts
 * addRedaction('Pa55word!')
 * log.info('dsn', { url: 'postgres://app:Pa55word!@db/app' })   // "url":"postgres://app:[redacted]@db/app"
 * log.info('auth', { header: `Basic ${btoa('app:Pa55word!')}` })  // the password's part of the base64 is [redacted]
 * ```
 */
export function addRedaction(value: string): void {
  if (value.length > 0 && value.length < MIN_SUBSTRING) short.add(value)
  else if (value.length > 0 && !registered.has(value)) {
    registered.set(value, formsOf(value))
    patterns = [...new Set([...registered.values()].flat())].sort((a, b) => b.length - a.length)
  }
  scrubber.scrub = scrubJsonValue
}

/** Forget a value and its forms (after rotation, say). */
export function removeRedaction(value: string): void {
  short.delete(value)
  if (registered.delete(value)) patterns = [...new Set([...registered.values()].flat())].sort((a, b) => b.length - a.length)
}

/** `text` with every registered value, in any of its forms, replaced by {@link REDACTED}. */
export function redact(text: string): string {
  if (short.size > 0 && short.has(text)) return REDACTED
  let out = text
  for (const pattern of patterns) {
    if (pattern.length <= out.length && out.includes(pattern)) out = out.split(pattern).join(REDACTED)
  }
  return out
}

/** The forms of `value` a log line may hold, itself first. */
function formsOf(value: string): string[] {
  const forms = [value, JSON.stringify(value).slice(1, -1)]
  try {
    const uri = encodeURIComponent(value)
    // As a form body or query string writes it (URLSearchParams): spaces as `+`, a few more characters escaped.
    forms.push(uri, uri.replace(/%20/g, '+'), new URLSearchParams([['', value]]).toString().slice(1))
  } catch {
    // A lone surrogate has no URL-encoded form: nothing to look for.
  }
  const bytes = new TextEncoder().encode(value)
  for (let shift = 0; shift < 3; shift++) {
    // The value's base64 as it reads when `shift` bytes of something else
    // come before it: the characters that hold only its bits. One of the
    // three is in any base64 text that holds the value, wherever it starts.
    const padded = new Uint8Array(shift + bytes.length)
    padded.set(bytes, shift)
    const text = base64(padded)
    const from = Math.ceil((8 * shift) / 6)
    const to = Math.floor((8 * padded.length) / 6)
    const core = text.slice(from, to)
    if (core.length >= MIN_SUBSTRING) forms.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'))
    // Alone, the whole encoding (but its `=` padding), last partial character included.
    if (shift === 0) forms.push(text.replace(/=+$/, ''), text.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_'))
  }
  return [...new Set(forms)].filter((form) => form.length >= MIN_SUBSTRING)
}

function base64(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary)
}

/**
 * One JSON value of a log line, scrubbed: a string in place; a number or
 * boolean that holds a secret as the scrubbed text; an object whose keys hold
 * one as a copy with scrubbed keys. Value by value, never the finished line:
 * scrubbing the text would break it when a secret is also a number
 * (`"pin":[redacted]`) or spans JSON punctuation (two fields merged).
 */
function scrubJsonValue(value: unknown): unknown {
  // JSON writes a `new String(…)` as its primitive, after this has seen the object.
  if (value instanceof String || value instanceof Number || value instanceof Boolean) value = value.valueOf()
  if (typeof value === 'string') return redact(value)
  if (typeof value === 'number' || typeof value === 'boolean') {
    const text = String(value)
    const scrubbed = redact(text)
    return scrubbed === text ? value : scrubbed
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).some((key) => redact(key) !== key)) {
    return Object.fromEntries(Object.entries(value).map(([key, member]) => [redact(key), member]))
  }
  return value
}
