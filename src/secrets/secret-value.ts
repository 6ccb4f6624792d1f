/**
 * How a secret reaches the handler: wrapped.
 *
 * Why a wrapper and not plain strings: a plain string is indistinguishable
 * from any other string, so the only defence would be scrubbing known values
 * out of log lines after the fact. That misses every path that is not the
 * logger: `JSON.stringify(ctx)` in a debug endpoint, `util.inspect` in an
 * error reporter, a template string in an error message that a host prints,
 * a response body. A {@link Secret} renders as `[redacted]` on all of those
 * paths (`toString`, `toJSON`, `Symbol.toPrimitive` and Node's
 * `util.inspect.custom`), and its value sits in a private field that no
 * spread, `Object.entries` or `structuredClone` can see. Reading it takes an
 * explicit `.value`, which is easy to type and easy to spot in review.
 *
 * Why scrubbing as well: once code reads `.value` and passes the raw string
 * on, the wrapper can no longer help. So every string the secret holds (the
 * whole text, and each string and number inside a JSON secret) is also
 * registered with the logger's scrubber (`addRedaction`), which replaces it
 * in any log line, in its own form and in the forms it takes on the way
 * (JSON-escaped, URL-encoded, base64 and base64url, also inside a longer
 * base64 text such as a Basic auth header). The price: a non-secret field
 * of a JSON secret (`"host": "localhost"`, `"port": 5432`) is scrubbed from
 * log lines too; too much redaction beats too little.
 *
 * Short values are the exception, as the scrubber cannot find them inside
 * text without mangling every line: a string shorter than 4 characters is
 * scrubbed only where a whole logged value or key equals it, and a number
 * of 1 to 3 digits is not registered at all (at most a thousand values is
 * no secret, and scrubbing every `0` or `443` would wreck the logs).
 */
import { addRedaction, REDACTED } from '../redact.js'

const INSPECT = Symbol.for('nodejs.util.inspect.custom')

/**
 * A secret value that will not print itself. `.value` is the value, typed by
 * its provider and schema; every string form is `[redacted]`.
 *
 * @example
 * ```ts
 * const key = ctx.secrets.stripe.value.apiKey   // typed, usable
 * ctx.log.info('using', { key: ctx.secrets.stripe })   // {"key":"[redacted]"}
 * `${ctx.secrets.stripe}`                        // "[redacted]"
 * ```
 */
export class Secret<T> {
  readonly #value: T
  /** The name the secret has in `ctx.secrets`. */
  readonly name: string

  constructor(name: string, value: T) {
    this.name = name
    this.#value = value
  }

  /** The secret value itself. Do not log it: pass the {@link Secret} around instead. */
  get value(): T {
    return this.#value
  }

  /** `[redacted]`: what `String(secret)`, concatenation and error messages get instead of the value. */
  toString(): string {
    return REDACTED
  }

  /** `[redacted]`: what `JSON.stringify` (of the context, of a log line, of a reply) writes in its place. */
  toJSON(): string {
    return REDACTED
  }

  /** `[redacted]`: what template strings and other conversions to a primitive get. */
  [Symbol.toPrimitive](): string {
    return REDACTED
  }

  /** `[redacted]`: what Node's `util.inspect`, and so `console.log`, shows. */
  [INSPECT](): string {
    return REDACTED
  }
}

/** Registers every string and number `value` holds (and base64 of bytes) with the logger's scrubber. */
export function scrubEverywhere(value: unknown): void {
  for (const text of plaintexts(value)) addRedaction(text)
}

/** The texts a value holds, to scrub from logs: the whole thing and each leaf. */
export function plaintexts(value: unknown, out: string[] = [], depth = 0): string[] {
  if (depth > 32) return out
  if (typeof value === 'string') out.push(value)
  else if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'bigint') {
    // As JSON and template strings write it; see the file's comment for short numbers.
    const text = String(value)
    if (text.replace(/^-/, '').length >= 4) out.push(text)
  } else if (value instanceof Uint8Array) out.push(toBase64(value))
  else if (Array.isArray(value)) for (const item of value) plaintexts(item, out, depth + 1)
  else if (typeof value === 'object' && value !== null) for (const item of Object.values(value)) plaintexts(item, out, depth + 1)
  return out
}

function toBase64(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary)
}
