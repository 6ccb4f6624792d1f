/**
 * Exact values that must never reach a log line (secrets register theirs
 * here). Kept in the core so the logger can scrub without knowing who
 * registered what.
 */
const values = new Set<string>()

/** The text that replaces a scrubbed value. */
export const REDACTED = '[redacted]'

/** Scrub `value` from every log line from now on. Short values are ignored: scrubbing "a" would mangle every line. */
export function addRedaction(value: string): void {
  if (value.length >= 4) values.add(value)
}

/** Forget a value (after rotation, say). */
export function removeRedaction(value: string): void {
  values.delete(value)
}

/** `text` with every registered value replaced by {@link REDACTED}. */
export function redact(text: string): string {
  if (values.size === 0) return text
  let out = text
  for (const value of values) {
    if (out.includes(value)) out = out.split(value).join(REDACTED)
    // A JSON-escaped copy of the value may be what the line holds.
    const escaped = JSON.stringify(value).slice(1, -1)
    if (escaped !== value && out.includes(escaped)) out = out.split(escaped).join(REDACTED)
  }
  return out
}
