/**
 * Exact values that must never reach a log line (secrets register theirs
 * here), each with its JSON-escaped copy, made once: the logger scrubs every
 * string and key of every line with them. Kept in the core so the logger can
 * scrub without knowing who registered what.
 */
const values = new Map<string, string>()

/** The text that replaces a scrubbed value. */
export const REDACTED = '[redacted]'

/**
 * What the logger calls on each JSON value of a line. Unset until a value is
 * registered, so that a function that never registers one (no secrets) does
 * not ship the scrubber: bundlers drop it with `addRedaction`.
 */
export const scrubber: { scrub?: (value: unknown) => unknown } = {}

/** Scrub `value` from every log line from now on. Short values are ignored: scrubbing "a" would mangle every line. */
export function addRedaction(value: string): void {
  if (value.length >= 4) values.set(value, JSON.stringify(value).slice(1, -1))
  scrubber.scrub = scrubJsonValue
}

/** Forget a value (after rotation, say). */
export function removeRedaction(value: string): void {
  values.delete(value)
}

/** `text` with every registered value replaced by {@link REDACTED}. */
export function redact(text: string): string {
  if (values.size === 0) return text
  let out = text
  for (const [value, escaped] of values) {
    if (out.includes(value)) out = out.split(value).join(REDACTED)
    // A JSON-escaped copy of the value may be what the text holds.
    if (escaped !== value && out.includes(escaped)) out = out.split(escaped).join(REDACTED)
  }
  return out
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
