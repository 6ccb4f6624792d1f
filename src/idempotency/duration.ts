/**
 * Durations for `ttl` and `lease`, written so that their unit cannot be
 * mistaken: a string that names it (`'90s'`, `'15m'`, `'24h'`, `'7d'`,
 * `'1h30m'`, `'500ms'`), or a number of milliseconds.
 *
 * A bare number is where units get confused: Powertools' `expiresAfterSeconds:
 * 86400` carried over as `ttl: 86400` would keep results for 86.4 seconds,
 * silently. So a number must look like milliseconds: a whole number of
 * seconds, at least one. `86400`, `3600` or `60` is refused with the two
 * readings spelt out, never guessed at; anything finer than a second is
 * written as a string (`'1500ms'`), where the unit is on the page.
 */
import { ConfigurationError } from '../errors.js'

/**
 * A duration with its unit in the text: one or two `<number><unit>` terms
 * (the parser takes more),
 * unit `ms`, `s`, `m`, `h` or `d` (`'24h'`, `'1h30m'`, `'1.5s'`).
 *
 * @example
 * ```ts
 * const ttl: DurationString = '24h'
 * ```
 */
export type DurationString = `${number}${DurationUnit}` | `${number}${'d' | 'h' | 'm' | 's'}${number}${DurationUnit}`

/** The units a {@link DurationString} may use. */
export type DurationUnit = 'ms' | 's' | 'm' | 'h' | 'd'

/**
 * A duration: a {@link DurationString}, or a number of milliseconds that is
 * a whole number of seconds (`60_000`, `86_400_000`).
 *
 * @example
 * ```ts
 * idempotent({ ttl: '24h', lease: '90s' })
 * idempotent({ ttl: 86_400_000 })  // the same ttl, in ms
 * ```
 */
export type Duration = DurationString | number

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }
const TERM = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y
const WHOLE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/

/** How a number of seconds reads best as a string: `86400` → `'24h'`, `90` → `'90s'`. */
function secondsAsText(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400}d`
  if (seconds % 3600 === 0) return `${seconds / 3600}h`
  if (seconds % 60 === 0) return `${seconds / 60}m`
  return `${seconds}s`
}

/**
 * Milliseconds from a {@link Duration}, or a `ConfigurationError` that says
 * what is wrong and what was likely meant. `owner` and `name` are for the
 * message (`idempotent: ttl …`).
 *
 * @example
 * ```ts
 * parseDuration('idempotent', 'ttl', '24h')   // 86400000
 * parseDuration('idempotent', 'ttl', 86400)   // throws: 86.4 s in ms; if you meant seconds, write '1d'
 * ```
 */
export function parseDuration(owner: string, name: string, value: unknown): number {
  if (typeof value === 'string') return parseText(owner, name, value)
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ConfigurationError(`${owner}: ${name} must be a duration such as '90s', '15m' or '24h', or a positive number of milliseconds (got ${describe(value)})`)
  }
  if (Number.isSafeInteger(value) && value % 1000 === 0) return value
  // Not whole seconds in ms: most likely seconds (or minutes) written where
  // ms were expected. Say both readings; guess neither.
  const asSeconds = Number.isSafeInteger(value) && value <= Number.MAX_SAFE_INTEGER / 1000 ? ` If you meant ${value} seconds, write ${name}: '${secondsAsText(value)}'.` : ''
  throw new ConfigurationError(
    `${owner}: ${name} is in milliseconds, and ${value} ms is ${value < 1000 ? 'under a second' : `${value / 1000} s, not a whole number of seconds`}: it looks like another unit.` +
      `${asSeconds} If you meant ${value} ms, write ${name}: '${value}ms'.`,
  )
}

function parseText(owner: string, name: string, text: string): number {
  const trimmed = text.trim()
  if (!WHOLE.test(trimmed)) {
    throw new ConfigurationError(`${owner}: ${name} ${JSON.stringify(text)} is not a duration; write a number and a unit (ms, s, m, h, d), e.g. '90s', '15m', '24h', '1h30m'`)
  }
  let total = 0
  TERM.lastIndex = 0
  for (let match = TERM.exec(trimmed); match !== null; match = TERM.exec(trimmed)) total += Number(match[1]) * UNIT_MS[match[2]!]!
  // A fraction of a millisecond cannot be stored (stores keep whole ms).
  const ms = Math.round(total)
  if (!(ms > 0) || !Number.isSafeInteger(ms) || Math.abs(total - ms) > 1e-6 * Math.max(1, total)) {
    throw new ConfigurationError(`${owner}: ${name} ${JSON.stringify(text)} must come to a positive whole number of milliseconds`)
  }
  return ms
}

function describe(value: unknown): string {
  if (typeof value === 'number') return String(value)
  if (value === null) return 'null'
  return typeof value
}
