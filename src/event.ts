/**
 * The event a handler sees: a plain, frozen object that satisfies the
 * `cloudevents` SDK's `CloudEventV1` type, built and checked here rather than
 * by the SDK, which costs 22 KB gzipped and needs Node's `events` module
 * (measurements in docs/architecture.md). A type test keeps the two types compatible.
 *
 * @example
 * ```ts
 * import { createEvent } from 'faasade'
 * const event = createEvent({ id: '1', source: '/orders', type: 'com.example.order.placed', data: { orderId: 'A1' } })
 * ```
 */
import { InvalidEventError, issuePath, type Issue } from './errors.js'

/** Extension attribute values a CloudEvent may carry (CloudEvents 1.0 type system). */
export type ExtensionValue = string | number | boolean

/** A CloudEvents 1.0 event. `T` is the type of `data`. */
export interface CloudEvent<T = unknown> {
  readonly specversion: '1.0'
  readonly id: string
  readonly source: string
  readonly type: string
  readonly subject?: string
  readonly time?: string
  readonly datacontenttype?: string
  readonly dataschema?: string
  readonly data?: T
  /** Only on events read from JSON with binary data; `data` then holds the bytes. */
  readonly data_base64?: string
  /** Extension attributes: lower-case letters and digits only. */
  readonly [extension: string]: unknown
}

/** What `createEvent` takes: every required attribute but `specversion`. */
export interface CloudEventInit<T = unknown> {
  specversion?: '1.0'
  id: string
  source: string
  type: string
  subject?: string
  time?: string | Date
  datacontenttype?: string
  dataschema?: string
  data?: T
  [extension: string]: unknown
}

// The context attributes (spec.md 3.1), with the JSON format's data members;
// every other member is an extension. The first four are required, the next
// three optional strings, then `time`.
const NAMED = ['specversion', 'id', 'source', 'type', 'subject', 'datacontenttype', 'dataschema', 'time']
const NOT_EXTENSIONS = new Set([...NAMED, 'data', 'data_base64'])
const EXTENSION_NAME = /^[a-z0-9]+$/
// CloudEvents type system: Integer is signed 32-bit.
const INT32_MIN = -(2 ** 31)
const INT32_MAX = 2 ** 31 - 1
// RFC 3339 date-time, as the CloudEvents `Timestamp` type requires. Each
// field's range (leap second 23:59:60 included) is checked as a number in
// isTimestamp: spelled out in the expression, the ranges cost a cold start
// 0.25 ms to compile (V8, its first two runs), against 0.08 ms for this one.
const RFC3339 = /^(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(?:\.\d+)?(?:[Zz]|[+-](\d\d):(\d\d))$/

// RFC 9110 section 8.3.1: type "/" subtype *( OWS ";" OWS [ parameter ] ),
// a parameter being token "=" ( token / quoted-string ); trailing whitespace,
// which HTTP strips, is taken. `datacontenttype` goes out as Content-Type as
// it is, so nothing else may pass: no CR or LF (a header of the sender's
// making), no control character, nothing over U+00FF. Written so that each
// character has one way to match (OWS before a `;` belongs to the next `;`,
// after it to the parameter): no backtracking blow-up on a long value.
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+"
const MEDIA_TYPE = new RegExp(String.raw`^${TOKEN}/${TOKEN}(?:[\t ]*;(?:[\t ]*${TOKEN}=(?:${TOKEN}|"(?:[\t !#-[\]-~\x80-\xff]|\\[\t -~\x80-\xff])*"))?)*[\t ]*$`)

/** True when `name` is a spec-valid extension attribute name. */
export function isExtensionName(name: string): boolean {
  return EXTENSION_NAME.test(name)
}

/**
 * Checks a candidate event against CloudEvents 1.0.2 and returns the
 * problems, each with the attribute it concerns. An empty list means valid.
 * The named attributes are reported in the order of the spec, then the
 * extensions in the candidate's order.
 */
export function checkEvent(candidate: Record<string, unknown>): Issue[] {
  const issues: Issue[] = []
  // `i`: the named attribute's place in NAMED; 8 for every extension.
  const check = (name: string, i: number) => {
    const value = candidate[name]
    const required = i < 4
    let problem: string | undefined
    if (i > 7) {
      if (!isExtensionName(name)) problem = 'is not a valid extension attribute name (lower-case letters and digits only)'
      else if (typeof value === 'number' && Number.isInteger(value)) {
        if (value < INT32_MIN || value > INT32_MAX) problem = 'must be an integer in the signed 32-bit range'
      } else if (typeof value !== 'string' && typeof value !== 'boolean') problem = 'must be a string, a boolean or an integer'
    } else if (value === undefined) {
      if (required) problem = 'is required'
    } else if (i === 0) {
      if (value !== '1.0') problem = `must be "1.0", got ${JSON.stringify(String(value)).slice(0, 20)}`
    } else if (i === 7) {
      if (!isTimestamp(value)) problem = 'must be an RFC 3339 timestamp'
    } else if (typeof value !== 'string') problem = required ? 'must be a non-empty string' : 'must be a string'
    // Lenient where real senders are: Azure Event Grid sends `subject: ""` and
    // Eventarc a dataschema without a scheme, both against the letter of the spec.
    else if (value === '' && name !== 'subject') problem = required ? 'must be a non-empty string' : 'must not be empty'
    // The common types skip the grammar: it costs a mapped record more than the rest of its checks.
    else if (i === 5 && value !== 'application/json' && value !== 'text/plain' && !MEDIA_TYPE.test(value)) problem = 'must be a media type (RFC 9110: type/subtype; parameters)'
    // An unpaired surrogate has no UTF-8 encoding: no JSON text, header or log
    // line can carry it, so it is refused here rather than mangled later.
    // (`isWellFormed`: Node 20 and workerd; many times cheaper than a regex.)
    if (!problem && typeof value === 'string' && !(value as string & { isWellFormed(): boolean }).isWellFormed()) problem = 'must not contain an unpaired surrogate'
    if (problem) issues.push({ message: problem, path: [name] })
  }
  NAMED.forEach(check)
  for (const name of Object.keys(candidate)) if (!NOT_EXTENSIONS.has(name)) check(name, 8)
  return issues
}

/**
 * Builds a valid, frozen CloudEvent or throws an {@link InvalidEventError}
 * naming every bad attribute. `time` may be a `Date`. Attributes set to
 * `undefined` or `null` are left out, as the JSON format treats them as absent;
 * `data: null` stays, as the JSON format tells it apart from no data.
 */
export function createEvent<T = unknown>(init: CloudEventInit<T>): CloudEvent<T> {
  const event: Record<string, unknown> = { specversion: '1.0' }
  // Own attributes only: a prototype's are not the caller's to give.
  for (const key of Object.keys(init ?? {})) {
    const value = init[key]
    if (value === undefined || (value === null && key !== 'data')) continue
    const attribute = key === 'time' && value instanceof Date ? value.toISOString() : value
    if (key === '__proto__') setAttribute(event, key, attribute)
    else event[key] = attribute
  }
  return toEvent(event) as CloudEvent<T>
}

/**
 * Checks candidate attributes and freezes them as the event, or throws an
 * {@link InvalidEventError} with every issue under `path`. Problems already
 * `found` by a reader come first, and an attribute they name is not also
 * reported missing.
 * @internal
 */
export function toEvent(attributes: Record<string, unknown>, path: ReadonlyArray<string | number> = [], found: Issue[] = []): CloudEvent {
  const issues = [...found, ...checkEvent(attributes).filter((issue) => !found.some((broken) => broken.path?.[0] === issue.path?.[0]))]
  if (issues.length > 0) throw invalidEvent(issues.map((issue) => ({ ...issue, path: [...path, ...(issue.path ?? [])] })))
  return Object.freeze(attributes) as unknown as CloudEvent
}

/**
 * Sets an own property, even one named `__proto__` (parsed JSON has those):
 * plain assignment would swap the prototype instead, and the "attributes"
 * inside it would pass every check unseen.
 */
export function setAttribute(target: Record<string, unknown>, name: string, value: unknown): void {
  Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true })
}

/**
 * The error for a candidate that is not a CloudEvent, naming what is wrong
 * (for adapters: `checkEvent`'s issues in, one 400-worthy error out). An
 * issue without a path concerns the whole body.
 *
 * @example
 * ```ts
 * const issues = checkEvent(candidate)
 * if (issues.length > 0) throw invalidEvent(issues)
 * ```
 */
export function invalidEvent(issues: Issue[]): InvalidEventError {
  const described = issues.map((issue) => `${issuePath(issue) || 'body'} ${issue.message}`)
  return new InvalidEventError(`Invalid CloudEvent: ${described[0] ?? 'invalid'}`, issues, { detail: described.join('; ') })
}

/** True when `value` looks like a CloudEvent (all four required attributes). */
export function isCloudEvent(value: unknown): value is CloudEvent {
  const v = value as Record<string, unknown> | null
  return typeof v === 'object' && v !== null && v.specversion === '1.0' && typeof v.id === 'string' && typeof v.source === 'string' && typeof v.type === 'string'
}

/**
 * A copy of `event` with new data (after a schema transformed it). Frozen,
 * like every event a handler sees.
 */
export function withData<T>(event: CloudEvent, data: T): CloudEvent<T> {
  if (event.data === data) return event as CloudEvent<T>
  return Object.freeze({ ...event, data }) as CloudEvent<T>
}

/** The whole match, then RFC3339's eight groups, as numbers. */
type Fields = [number, number, number, number, number, number, number, number, number]

function isTimestamp(value: unknown): boolean {
  const match = typeof value === 'string' && RFC3339.exec(value)
  if (!match) return false
  // A Z zone leaves the offset fields out: NaN, which no `>` below refuses.
  const [, year, month, day, hours, minutes, seconds, offsetHours, offsetMinutes] = match.map(Number) as Fields
  if (!(month > 0 && month < 13 && day > 0) || hours > 23 || minutes > 59 || seconds > 60 || offsetHours > 23 || offsetMinutes > 59) return false
  // Every month has 28 days; past that, day 0 of the next month is the last
  // of this one (setUTCFullYear, unlike Date.UTC, takes years 0 to 99 as they are).
  if (day <= 28) return true
  const last = new Date(0)
  last.setUTCFullYear(year, month, 0)
  return day <= last.getUTCDate()
}
