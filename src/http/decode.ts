/**
 * CloudEvents over HTTP in, in all three modes (HTTP protocol binding 1.0.2).
 * Unlike the `cloudevents` SDK (cloudevents/sdk-javascript#597), every event
 * is validated, and each problem names the attribute it concerns.
 */
import { InvalidEventError, PayloadTooLargeError, type Issue } from '../errors.js'
import { invalidEvent, setAttribute, toEvent, type CloudEvent } from '../event.js'
import { decodeHeaderValue } from './header-value.js'
import { bodyBytes, bodyText, fromBase64, isJsonMediaType, mediaType, type HttpRequest } from './message.js'

/**
 * How a request carries CloudEvents (HTTP protocol binding): `binary`, the
 * attributes in `ce-*` headers and the data as the body; `structured`, one
 * event as an `application/cloudevents+json` body; `batch`, an array of
 * events as an `application/cloudevents-batch+json` body.
 */
export type CloudEventMode = 'binary' | 'structured' | 'batch'

const STRUCTURED = 'application/cloudevents+json'
const BATCH = 'application/cloudevents-batch+json'

/**
 * The most events a batch-mode request may carry; a longer batch gets a 413
 * before any member is read. Each member costs a check, an outcome and an
 * entry in the reply: a 3 MB body of a million `{}` made a 400 of 301 MB.
 */
export const MAX_BATCH_EVENTS = 1_000
/**
 * The most extension attributes one event may carry, and the longest name
 * one may have (the spec asks for 20 characters at most). Each attribute
 * costs a check and, when bad, an issue naming it: one event of 400k bad
 * names made a reply of 76 MB. Past either bound the event is refused with
 * one issue, before its attributes are read.
 */
export const MAX_EXTENSIONS = 100
export const MAX_ATTRIBUTE_NAME_LENGTH = 100
const TOO_LONG = `is not a valid extension attribute name: longer than ${MAX_ATTRIBUTE_NAME_LENGTH} characters`

// The members of an event that are not extensions: the context attributes
// (spec.md 3.1) and the JSON format's data members.
const NOT_EXTENSIONS = new Set(['specversion', 'id', 'source', 'type', 'subject', 'datacontenttype', 'dataschema', 'time', 'data', 'data_base64'])

/** Which mode a request carries a CloudEvent in, or `undefined` for plain HTTP. */
export function cloudEventMode(headers: HttpRequest['headers']): CloudEventMode | undefined {
  const type = mediaType(headers['content-type'])
  // Another event format (application/cloudevents+avro, …) is still a
  // structured CloudEvent: it gets a clear 415, not the HTTP app.
  if (type?.startsWith('application/cloudevents')) return type === BATCH ? 'batch' : 'structured'
  for (const name in headers) if (name.startsWith('ce-')) return 'binary'
  return undefined
}

/** The error for a request that carries no CloudEvent at all: a 400 naming Content-Type. */
export function notACloudEvent(): InvalidEventError {
  return new InvalidEventError('Not a CloudEvent', [{ message: 'names no CloudEvents event format, and no ce-* headers were sent', path: ['content-type'] }], {
    detail: 'Not a CloudEvent: send one in binary mode (ce-* headers) or in structured or batch mode (application/cloudevents+json, application/cloudevents-batch+json)',
  })
}

/** A CloudEvents event format other than JSON: HTTP's own 415, not a 400. */
class UnsupportedFormatError extends InvalidEventError {
  static override readonly errorName: string = 'UnsupportedFormatError'
  override readonly status = 415

  protected override title(): string {
    return 'Unsupported event format'
  }
}

/**
 * The CloudEvents a request carries: one for binary and structured mode, any
 * number for batch mode. Throws {@link InvalidEventError} for a malformed one.
 */
export function decodeCloudEvents(request: HttpRequest): CloudEvent[] {
  const mode = cloudEventMode(request.headers)
  if (mode === 'binary') return [decodeBinary(request)]
  if (mode === undefined) throw notACloudEvent()
  const type = mediaType(request.headers['content-type'])
  if (type !== STRUCTURED && type !== BATCH) {
    const format = type?.slice(0, 100)
    throw new UnsupportedFormatError('Unsupported event format', [{ message: `names event format ${format}, which is not supported`, path: ['content-type'] }], {
      detail: `Event format ${format} is not supported; use application/cloudevents+json or application/cloudevents-batch+json`,
    })
  }
  const parsed = parseJson(request.body, [])
  if (mode === 'structured') return [fromJsonFormat(parsed)]
  if (!Array.isArray(parsed)) throw invalidAt([], 'must be a JSON array of events')
  if (parsed.length > MAX_BATCH_EVENTS) {
    const message = `A batch may carry at most ${MAX_BATCH_EVENTS} events; this one carries ${parsed.length}: send smaller batches`
    throw new PayloadTooLargeError(message, { detail: message })
  }
  // Every member, or one error naming the problems of all bad members by index.
  const issues: Issue[] = []
  const events = parsed.map((item, i) => {
    try {
      return fromJsonFormat(item, [i])
    } catch (error) {
      if (!(error instanceof InvalidEventError)) throw error
      // One by one: spread into push, a long list overflowed the stack.
      for (const issue of error.issues) issues.push(issue)
    }
  })
  if (issues.length > 0) throw invalidEvent(issues)
  return events as CloudEvent[]
}

function decodeBinary(request: HttpRequest): CloudEvent {
  const attributes: Record<string, unknown> = {}
  const issues: Issue[] = []
  const names: string[] = []
  for (const [name, value] of Object.entries(request.headers)) if (name.startsWith('ce-') && value !== undefined) names.push(name.slice(3))
  checkBounds(names, [])
  for (const [name, value] of Object.entries(request.headers)) {
    const attribute = name.slice(3)
    // The content-type header is the datacontenttype in binary mode.
    if (!name.startsWith('ce-') || value === undefined || attribute === 'datacontenttype') continue
    let problem: string | undefined
    // Data travels in the body; a header must not pose as it (spec: no attribute is named data).
    if (attribute === 'data' || attribute === 'data_base64') problem = 'is not an attribute: in binary mode the data is the body'
    else if (attribute.length > MAX_ATTRIBUTE_NAME_LENGTH) problem = TOO_LONG
    else {
      try {
        setAttribute(attributes, attribute, decodeHeaderValue(value))
      } catch (error) {
        problem = error instanceof SyntaxError ? 'is a broken quoted string' : 'has a broken percent-encoding'
      }
    }
    if (problem) issues.push({ message: problem, path: [shortName(attribute)] })
  }
  // An empty Content-Type says no more than a missing one.
  const contentType = request.headers['content-type'] || undefined
  if (contentType !== undefined) attributes.datacontenttype = contentType
  const data = binaryData(request.body, contentType)
  if (data !== undefined) attributes.data = data
  return toEvent(attributes, [], issues)
}

const CHARSET = /;\s*charset\s*=\s*"?([^";\s]+)/i

function binaryData(body: HttpRequest['body'], contentType: string | undefined): unknown {
  if (!body?.length) return undefined
  if (isJsonMediaType(contentType)) return parseJson(body, ['data'])
  if (mediaType(contentType)?.startsWith('text/')) {
    // UTF-8, or a subset of it, by the charset parameter (absent means UTF-8 here).
    // Text in another charset is not ours to transcode: the handler gets the bytes as sent.
    const charset = CHARSET.exec(contentType!)?.[1]?.toLowerCase()
    return !charset || charset === 'utf-8' || charset === 'utf8' || charset === 'us-ascii' ? text(body, ['data']) : bodyBytes(body)
  }
  // Anything else is opaque: the handler gets the bytes as sent.
  return bodyBytes(body)
}

/**
 * Reads one event in the CloudEvents JSON format (a structured-mode body, one
 * member of a batch, or the same object from anywhere else, such as a queue
 * message), as json-format.md 1.0.2 says: `null` attributes are absent, but a
 * `null` `data` is a null payload (unless `data_base64` is there), and
 * `data_base64` becomes the bytes in `data`. The event is checked; `path`
 * prefixes the path of each issue (a batch passes the member's index).
 * Throws an {@link InvalidEventError} naming every bad attribute.
 *
 * @example
 * ```ts
 * import { fromJsonFormat } from 'faasade'
 * fromJsonFormat({ specversion: '1.0', id: '1', source: '/s', type: 't', data_base64: 'AQI=' }).data
 * // Uint8Array [1, 2]
 * ```
 */
export function fromJsonFormat(value: unknown, path: ReadonlyArray<string | number> = []): CloudEvent {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidAt(path, 'must be a JSON object (one event)')
  checkBounds(Object.keys(value), path)
  const attributes: Record<string, unknown> = {}
  const found: Issue[] = []
  for (const [name, member] of Object.entries(value)) {
    if (name.length > MAX_ATTRIBUTE_NAME_LENGTH) found.push({ message: TOO_LONG, path: [shortName(name)] })
    // The JSON format treats null attributes as absent, but a null `data` is
    // an explicit null payload (json-format.md 3.1.1).
    else if (member !== null || name === 'data') setAttribute(attributes, name, member)
  }
  if ('data_base64' in attributes) {
    const encoded = attributes.data_base64
    delete attributes.data_base64
    // A null data beside data_base64 is an unset member, not a second payload.
    if (attributes.data === null) delete attributes.data
    let problem: string | undefined
    if ('data' in attributes) problem = 'must not appear together with data'
    else if (typeof encoded !== 'string') problem = 'must be a base64 string'
    else {
      try {
        attributes.data = fromBase64(encoded)
      } catch {
        problem = 'is not valid base64'
      }
    }
    if (problem) throw invalidAt([...path, 'data_base64'], problem)
  }
  return toEvent(attributes, path, found)
}

/** Refuses, with one issue, an event of more extension attributes than {@link MAX_EXTENSIONS}. */
function checkBounds(names: readonly string[], path: ReadonlyArray<string | number>): void {
  let extensions = 0
  for (const name of names) if (!NOT_EXTENSIONS.has(name)) extensions++
  if (extensions > MAX_EXTENSIONS) throw invalidAt(path, `has ${extensions} extension attributes; at most ${MAX_EXTENSIONS} are accepted`)
}

/** A name too long to repeat in full: its start, enough to find it by, never half a surrogate pair. */
function shortName(name: string): string {
  if (name.length <= MAX_ATTRIBUTE_NAME_LENGTH) return name
  const end = /[\uD800-\uDBFF]/.test(name.charAt(19)) ? 19 : 20
  return `${name.slice(0, end)}…`
}

function parseJson(body: HttpRequest['body'], at: ReadonlyArray<string | number>): unknown {
  const source = text(body, at)
  try {
    return JSON.parse(source)
  } catch {
    throw invalidAt(at, 'is not valid JSON')
  }
}

function text(body: HttpRequest['body'], at: ReadonlyArray<string | number>): string {
  try {
    return bodyText(body)
  } catch {
    throw invalidAt(at, 'is not valid UTF-8')
  }
}

function invalidAt(path: ReadonlyArray<string | number>, message: string): InvalidEventError {
  return invalidEvent([{ message, path }])
}
