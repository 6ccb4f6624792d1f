/**
 * W3C Trace Context, and the carriers each provider puts it in: HTTP
 * headers, CloudEvents' distributed-tracing extension, AWS X-Ray's header,
 * SQS/SNS message attributes, Google's `X-Cloud-Trace-Context`, Pub/Sub
 * attributes, Azure's invocation trace context and Service Bus'
 * `Diagnostic-Id`. Every reader is a small pure function that returns a
 * {@link TraceContext} or `undefined`, and never throws: a malformed value
 * from the wire means "no trace context", not a failed delivery.
 *
 * No OpenTelemetry here: these run whether or not a tracer is installed.
 */

/**
 * One span's place in a distributed trace, in W3C Trace Context terms.
 *
 * @example
 * ```ts
 * const ctx = parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')
 * ctx?.traceId // '4bf92f3577b34da6a3ce929d0e0e4736'
 * ctx?.sampled // true
 * ```
 */
export interface TraceContext {
  /** 32 lower-case hex digits, not all zero. */
  readonly traceId: string
  /** 16 lower-case hex digits, not all zero: the span this context names (the parent, for a receiver). */
  readonly spanId: string
  /** The sampled flag (bit 0 of trace-flags): the caller may have recorded its span. */
  readonly sampled: boolean
  /**
   * The context as a version-00 `traceparent` value. It keeps the received
   * trace-flags of a version-00 value (Level 2's random bit among them); a
   * higher version is rewritten as version 00 with the sampled bit only, as
   * the spec has a receiver propagate the version it knows.
   */
  readonly traceparent: string
  /** The vendors' `tracestate` list, when one came with the context and is well formed. */
  readonly tracestate?: string
}

/** What {@link formatTraceparent} and {@link traceContext} take. */
export interface TraceContextInit {
  readonly traceId: string
  readonly spanId: string
  readonly sampled: boolean
  readonly tracestate?: string
}

const TRACE_ID = /^[0-9a-f]{32}$/
const SPAN_ID = /^[0-9a-f]{16}$/
// Literals, not '0'.repeat(n): a call at module level stays in every bundle that imports this chunk.
const ZERO_TRACE_ID = '00000000000000000000000000000000'
const ZERO_SPAN_ID = '0000000000000000'
// version "-" trace-id "-" parent-id "-" trace-flags, each lower-case hex.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})/
// tracestate list members (W3C Trace Context, 3.3.1): a simple or a
// multi-tenant key, "=", then printable ASCII but "," and "=", not ending in a space.
const TRACESTATE_MEMBER = /^(?:[a-z][_0-9a-z\-*/]{0,255}|[a-z0-9][_0-9a-z\-*/]{0,240}@[a-z][_0-9a-z\-*/]{0,13})=[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/
const MAX_TRACESTATE_MEMBERS = 32

/**
 * Whether `value` is a valid W3C trace id: 32 lower-case hex digits, not all zero.
 *
 * @example
 * ```ts
 * isValidTraceId('4bf92f3577b34da6a3ce929d0e0e4736') // true
 * ```
 */
export function isValidTraceId(value: string): boolean {
  return TRACE_ID.test(value) && value !== ZERO_TRACE_ID
}

/**
 * Whether `value` is a valid W3C span (parent) id: 16 lower-case hex digits, not all zero.
 *
 * @example
 * ```ts
 * isValidSpanId('0000000000000000') // false
 * ```
 */
export function isValidSpanId(value: string): boolean {
  return SPAN_ID.test(value) && value !== ZERO_SPAN_ID
}

/**
 * Reads a `traceparent` value by the W3C Trace Context rules: version 00 is
 * exactly 55 characters; a higher version (not `ff`) is read by its first
 * 55 characters, which must be followed by nothing or by `-`; hex is
 * lower-case; all-zero ids are invalid. `tracestate` is kept only with a
 * valid `traceparent`, and only when every list member is well formed and
 * there are at most 32 (the spec lets a receiver discard a state it cannot
 * parse). Never throws: anything else, any type, is `undefined`.
 *
 * @example
 * ```ts
 * parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', 'congo=t61rcWkgMzE')
 * // { traceId: '4bf9…4736', spanId: '00f0…02b7', sampled: true, traceparent: '00-…-01', tracestate: 'congo=t61rcWkgMzE' }
 * parseTraceparent('00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01') // undefined: upper-case hex
 * ```
 */
export function parseTraceparent(value: unknown, tracestate?: unknown): TraceContext | undefined {
  if (typeof value !== 'string') return undefined
  const text = trimOws(value)
  const m = TRACEPARENT.exec(text)
  if (!m) return undefined
  const [, version, traceId, spanId, flags] = m as unknown as [string, string, string, string, string]
  if (version === 'ff') return undefined
  if (version === '00' ? text.length !== 55 : text.length > 55 && text[55] !== '-') return undefined
  if (traceId === ZERO_TRACE_ID || spanId === ZERO_SPAN_ID) return undefined
  const sampled = (parseInt(flags, 16) & 1) === 1
  const traceparent = version === '00' ? text : `00-${traceId}-${spanId}-${sampled ? '01' : '00'}`
  return make(traceId, spanId, sampled, traceparent, parseTracestate(tracestate))
}

/**
 * A `tracestate` value as {@link TraceContext} keeps it: trimmed, empty list
 * members dropped, `undefined` when empty or malformed. Several header
 * lines (an array) are one list, joined with commas, as HTTP combines them.
 *
 * @example
 * ```ts
 * parseTracestate(' rojo=00f067aa0ba902b7, congo=t61rcWkgMzE ') // 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE'
 * parseTracestate('Bad Key=1') // undefined
 * ```
 */
export function parseTracestate(value: unknown): string | undefined {
  const text = Array.isArray(value) ? value.filter((v) => typeof v === 'string').join(',') : value
  if (typeof text !== 'string' || text.length === 0) return undefined
  const members: string[] = []
  for (const raw of text.split(',')) {
    const member = trimOws(raw)
    if (member === '') continue
    if (!TRACESTATE_MEMBER.test(member) || members.length === MAX_TRACESTATE_MEMBERS) return undefined
    members.push(member)
  }
  return members.length > 0 ? members.join(',') : undefined
}

/**
 * HTTP's optional whitespace (spaces, tabs) trimmed from both ends (RFC 9110, 5.5).
 * A loop, not `/[ \t]+$/`: that regex takes quadratic time on a long run of
 * spaces inside a value, and header values are the sender's to choose.
 */
function trimOws(value: string): string {
  let start = 0
  let end = value.length
  while (start < end && (value[start] === ' ' || value[start] === '\t')) start++
  while (end > start && (value[end - 1] === ' ' || value[end - 1] === '\t')) end--
  return start === 0 && end === value.length ? value : value.slice(start, end)
}

/**
 * The version-00 `traceparent` of a context: `00-{traceId}-{spanId}-{01|00}`.
 * Throws a `RangeError` for an invalid id: a header we send must be valid.
 *
 * @example
 * ```ts
 * formatTraceparent({ traceId: newTraceId(), spanId: newSpanId(), sampled: true }) // '00-…-…-01'
 * ```
 */
export function formatTraceparent(ctx: Omit<TraceContextInit, 'tracestate'>): string {
  if (!isValidTraceId(ctx.traceId)) throw new RangeError(`invalid trace id: ${JSON.stringify(ctx.traceId)}`)
  if (!isValidSpanId(ctx.spanId)) throw new RangeError(`invalid span id: ${JSON.stringify(ctx.spanId)}`)
  return `00-${ctx.traceId}-${ctx.spanId}-${ctx.sampled ? '01' : '00'}`
}

/**
 * A {@link TraceContext} from its parts, `traceparent` formatted. Throws a
 * `RangeError` for an invalid id; an invalid `tracestate` is left out.
 *
 * @example
 * ```ts
 * const ctx = traceContext({ traceId: newTraceId(), spanId: newSpanId(), sampled: false })
 * ```
 */
export function traceContext(init: TraceContextInit): TraceContext {
  return make(init.traceId, init.spanId, init.sampled, formatTraceparent(init), parseTracestate(init.tracestate))
}

/**
 * A context for a new span: in `parent`'s trace, sampled as it is, its
 * `tracestate` carried; without a parent, a new trace (not sampled unless
 * `sampled` says so). For an outgoing call when no tracer makes the span.
 *
 * @example
 * ```ts
 * const mine = childContext(fromHeaders(request.headers))
 * inject(outgoingHeaders, mine)
 * ```
 */
export function childContext(parent?: TraceContext, sampled = parent?.sampled ?? false): TraceContext {
  const traceId = parent?.traceId ?? newTraceId()
  const spanId = newSpanId()
  return make(traceId, spanId, sampled, `00-${traceId}-${spanId}-${sampled ? '01' : '00'}`, parent?.tracestate)
}

/**
 * A random, valid W3C trace id (16 bytes from `crypto.getRandomValues`, as hex).
 *
 * @example
 * ```ts
 * const ctx = traceContext({ traceId: newTraceId(), spanId: newSpanId(), sampled: true })
 * ```
 */
export function newTraceId(): string {
  return randomHex(16, ZERO_TRACE_ID)
}

/**
 * A random, valid W3C span id (8 bytes from `crypto.getRandomValues`, as hex).
 *
 * @example
 * ```ts
 * newSpanId() // e.g. '00f067aa0ba902b7'
 * ```
 */
export function newSpanId(): string {
  return randomHex(8, ZERO_SPAN_ID)
}

let byteHex: string[] | undefined

function randomHex(bytes: number, zero: string): string {
  // Made on first use, not at import: a cold start without tracing pays nothing.
  byteHex ??= Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))
  const buffer = new Uint8Array(bytes)
  for (;;) {
    crypto.getRandomValues(buffer)
    let hex = ''
    for (const b of buffer) hex += byteHex[b]
    // All zero is invalid; 2^-64 at worst, but a header we send must be valid.
    if (hex !== zero) return hex
  }
}

function make(traceId: string, spanId: string, sampled: boolean, traceparent: string, tracestate: string | undefined): TraceContext {
  return tracestate === undefined ? { traceId, spanId, sampled, traceparent } : { traceId, spanId, sampled, traceparent, tracestate }
}

// ---------------------------------------------------------------- carriers

/**
 * HTTP headers as the platforms hand them: a web `Headers` (Workers, Hono,
 * fetch), or a record of lower-case names (Node's `IncomingMessage.headers`,
 * API Gateway HTTP APIs, Azure's `HttpRequest.headers` as a record).
 */
export type HeaderCarrier = Headers | Readonly<Record<string, string | readonly string[] | undefined>>

/**
 * The context of `traceparent` and `tracestate` headers. A record is read
 * by its lower-case names first; a name of other case (API Gateway REST
 * APIs keep the sender's) is found by a scan of the record's keys, made
 * only when the lower-case name is missing. Several `traceparent` lines are
 * invalid (the context is `undefined`); several `tracestate` lines are one list.
 *
 * @example
 * ```ts
 * const ctx = fromHeaders(request.headers)
 * ```
 */
export function fromHeaders(headers: HeaderCarrier | undefined | null): TraceContext | undefined {
  if (headers == null || typeof headers !== 'object') return undefined
  if (isHeaders(headers)) return parseTraceparent(headers.get('traceparent') ?? undefined, headers.get('tracestate') ?? undefined)
  const traceparent = header(headers, 'traceparent')
  if (traceparent === undefined) return undefined
  return parseTraceparent(Array.isArray(traceparent) && traceparent.length === 1 ? traceparent[0] : traceparent, header(headers, 'tracestate'))
}

function isHeaders(value: object): value is Headers {
  return typeof (value as Headers).get === 'function' && typeof (value as Headers).set === 'function'
}

function header(headers: Readonly<Record<string, unknown>>, name: string): unknown {
  const exact = headers[name]
  if (exact !== undefined) return exact
  for (const key in headers) if (key.length === name.length && key.toLowerCase() === name) return headers[key]
  return undefined
}

/**
 * The context of a CloudEvent's distributed-tracing extension: its
 * `traceparent` and `tracestate` attributes (in HTTP binary mode they
 * arrive as `ce-traceparent`/`ce-tracestate` and are attributes once decoded).
 *
 * @example
 * ```ts
 * const ctx = fromCloudEvent(event)
 * ```
 */
export function fromCloudEvent(event: object | undefined | null): TraceContext | undefined {
  if (event == null || typeof event !== 'object') return undefined
  // Any event object: ours, the cloudevents SDK's, a decoded JSON one.
  const attributes = event as { readonly traceparent?: unknown; readonly tracestate?: unknown }
  return parseTraceparent(attributes.traceparent, attributes.tracestate)
}

/**
 * The context of a queue message whose body is a structured-mode CloudEvent
 * (JSON): its `traceparent` and `tracestate` members. Takes the body as the
 * message holds it, text or already parsed; text is parsed only when it
 * looks like a JSON object, and only an object with `specversion` counts.
 * Where the body is parsed anyway, pass the parsed value: it is not parsed twice.
 *
 * @example
 * ```ts
 * const ctx = fromStructuredCloudEvent(record.body) // an SQS record's body
 * ```
 */
export function fromStructuredCloudEvent(body: unknown): TraceContext | undefined {
  let value = body
  if (typeof body === 'string') {
    // Cheap refusals first: most bodies carry no "traceparent" at all.
    if (!body.includes('"traceparent"') || body[firstNonSpace(body)] !== '{') return undefined
    try {
      value = JSON.parse(body)
    } catch {
      return undefined
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined
  const event = value as Record<string, unknown>
  if (typeof event.specversion !== 'string') return undefined
  return parseTraceparent(event.traceparent, event.tracestate)
}

// JSON's whitespace, skipped without copying the body as trimStart would.
function firstNonSpace(text: string): number {
  let i = 0
  while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++
  return i
}

// --------------------------------------------------------------------- AWS

const XRAY_ROOT = /^1-([0-9a-f]{8})-([0-9a-f]{24})$/

/**
 * The context of an AWS X-Ray trace header, as in Lambda's
 * `_X_AMZN_TRACE_ID`, SQS's `AWSTraceHeader` system attribute and the
 * `X-Amzn-Trace-Id` HTTP header:
 * `Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1`.
 * The W3C trace id is the root's two hex parts joined (time and random
 * part); the span id is `Parent`; `Sampled=1` is sampled, `0`, `?` (the
 * decision deferred) or none is not. Fields may come in any order with
 * others beside them (`Lineage`, `Self`); without a `Root` and a `Parent`
 * there is no W3C context to make, so `undefined`. Hex is read in either case.
 *
 * @example
 * ```ts
 * fromXRayHeader(process.env._X_AMZN_TRACE_ID)
 * fromXRayHeader(record.attributes.AWSTraceHeader) // an SQS record
 * ```
 */
export function fromXRayHeader(value: unknown): TraceContext | undefined {
  if (typeof value !== 'string') return undefined
  let root: RegExpExecArray | null = null
  let parent: string | undefined
  let sampled = false
  for (const field of value.split(';')) {
    const eq = field.indexOf('=')
    if (eq < 0) continue
    const key = field.slice(0, eq).trim()
    const val = field.slice(eq + 1).trim().toLowerCase()
    if (key === 'Root') root = XRAY_ROOT.exec(val)
    else if (key === 'Parent') parent = val
    else if (key === 'Sampled') sampled = val === '1'
  }
  if (!root || parent === undefined) return undefined
  const traceId = root[1]! + root[2]!
  if (!isValidTraceId(traceId) || !isValidSpanId(parent)) return undefined
  return make(traceId, parent, sampled, `00-${traceId}-${parent}-${sampled ? '01' : '00'}`, undefined)
}

/**
 * A context as an X-Ray trace header, `Root=1-{8 hex}-{24 hex};Parent={span id};Sampled={1|0}`:
 * the trace id split as X-Ray's root is. X-Ray reads the first 8 hex digits
 * as the trace's start (epoch seconds) and refuses roots too old; a trace
 * id not made by X-Ray may not have them, so this suits ids X-Ray made or
 * correlation only.
 *
 * @example
 * ```ts
 * toXRayHeader(ctx) // 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1'
 * ```
 */
export function toXRayHeader(ctx: Pick<TraceContext, 'traceId' | 'spanId' | 'sampled'>): string {
  return `Root=1-${ctx.traceId.slice(0, 8)}-${ctx.traceId.slice(8)};Parent=${ctx.spanId};Sampled=${ctx.sampled ? '1' : '0'}`
}

/**
 * One message attribute in any of the shapes AWS hands it: an SQS record
 * in a Lambda event (`{ stringValue, dataType }`), the SQS API
 * (`{ StringValue, DataType }`) and an SNS record (`{ Value, Type }`).
 */
export interface MessageAttribute {
  readonly stringValue?: unknown
  readonly StringValue?: unknown
  readonly Value?: unknown
}

/**
 * The context of SQS or SNS message attributes named `traceparent` and
 * `tracestate` (String attributes, as OpenTelemetry's propagators write
 * them). For SQS, X-Ray's context is elsewhere, in the record's
 * `attributes.AWSTraceHeader`: read it with {@link fromXRayHeader}.
 *
 * @example
 * ```ts
 * fromMessageAttributes(sqsRecord.messageAttributes) ?? fromXRayHeader(sqsRecord.attributes?.AWSTraceHeader)
 * fromMessageAttributes(snsRecord.Sns.MessageAttributes)
 * ```
 */
export function fromMessageAttributes(attributes: Readonly<Record<string, MessageAttribute | undefined>> | undefined | null): TraceContext | undefined {
  if (attributes == null || typeof attributes !== 'object') return undefined
  const traceparent = attributeString(attributes.traceparent)
  return traceparent === undefined ? undefined : parseTraceparent(traceparent, attributeString(attributes.tracestate))
}

function attributeString(attribute: MessageAttribute | undefined): unknown {
  if (attribute == null || typeof attribute !== 'object') return undefined
  return attribute.stringValue ?? attribute.StringValue ?? attribute.Value
}

// ----------------------------------------------------------- Google Cloud

const CLOUD_TRACE = /^([0-9a-fA-F]{32})(?:\/(\d{1,20}))?(?:;o=([0-9]+))?$/
const MAX_U64 = 0xffffffffffffffffn

/**
 * The context of Google's `X-Cloud-Trace-Context` header,
 * `TRACE_ID/SPAN_ID;o=OPTIONS`: the trace id is 32 hex digits, the span id
 * an unsigned 64-bit decimal (written back as 16 hex digits), and `o=1`
 * means sampled. A value without a span id or with a zero one names no
 * parent span, so `undefined`.
 *
 * @example
 * ```ts
 * fromCloudTraceContext('105445aa7843bc8bf206b12000100000/1;o=1')
 * // { traceId: '105445aa7843bc8bf206b12000100000', spanId: '0000000000000001', sampled: true, … }
 * ```
 */
export function fromCloudTraceContext(value: unknown): TraceContext | undefined {
  if (typeof value !== 'string') return undefined
  const m = CLOUD_TRACE.exec(value.trim())
  if (!m || m[2] === undefined) return undefined
  const traceId = m[1]!.toLowerCase()
  const span = BigInt(m[2])
  if (span === 0n || span > MAX_U64 || traceId === ZERO_TRACE_ID) return undefined
  const spanId = span.toString(16).padStart(16, '0')
  const sampled = m[3] !== undefined && (Number(m[3]) & 1) === 1
  return make(traceId, spanId, sampled, `00-${traceId}-${spanId}-${sampled ? '01' : '00'}`, undefined)
}

/**
 * A context as an `X-Cloud-Trace-Context` value, `{traceId}/{decimal span id};o={1|0}`.
 *
 * @example
 * ```ts
 * toCloudTraceContext(ctx) // '105445aa7843bc8bf206b12000100000/1;o=1'
 * ```
 */
export function toCloudTraceContext(ctx: Pick<TraceContext, 'traceId' | 'spanId' | 'sampled'>): string {
  return `${ctx.traceId}/${BigInt(`0x${ctx.spanId}`).toString(10)};o=${ctx.sampled ? '1' : '0'}`
}

/**
 * The context of Pub/Sub message attributes: `googclient_traceparent` (with
 * `googclient_tracestate`), which Google's client libraries write when
 * their OpenTelemetry tracing is on, else a plain `traceparent` (with
 * `tracestate`) a publisher set itself.
 *
 * @example
 * ```ts
 * fromPubSubAttributes(pushBody.message.attributes)
 * ```
 */
export function fromPubSubAttributes(attributes: Readonly<Record<string, unknown>> | undefined | null): TraceContext | undefined {
  if (attributes == null || typeof attributes !== 'object') return undefined
  return parseTraceparent(attributes.googclient_traceparent, attributes.googclient_tracestate) ?? parseTraceparent(attributes.traceparent, attributes.tracestate)
}

// ------------------------------------------------------------------ Azure

/** Azure Functions' `InvocationContext.traceContext` (note the camel case: `traceParent`, `traceState`). */
export interface AzureTraceContext {
  readonly traceParent?: string | null
  readonly traceState?: string | null
}

/**
 * The context of Azure Functions' `InvocationContext.traceContext`, which
 * the host fills from the trigger (an HTTP request's `traceparent`, a
 * Service Bus message's `Diagnostic-Id`, …).
 *
 * @example
 * ```ts
 * fromAzureTraceContext(context.traceContext)
 * ```
 */
export function fromAzureTraceContext(traceContext: AzureTraceContext | undefined | null): TraceContext | undefined {
  if (traceContext == null || typeof traceContext !== 'object') return undefined
  return parseTraceparent(traceContext.traceParent, traceContext.traceState)
}

/**
 * The context of Service Bus (or Event Hubs) application properties: the
 * `Diagnostic-Id` property the Azure SDKs set, read when it holds a W3C
 * `traceparent` (the older hierarchical `|id.` form names no W3C context);
 * else `traceparent`/`tracestate` properties a sender set itself.
 *
 * @example
 * ```ts
 * fromServiceBusProperties(context.triggerMetadata?.applicationProperties)
 * ```
 */
export function fromServiceBusProperties(properties: Readonly<Record<string, unknown>> | undefined | null): TraceContext | undefined {
  if (properties == null || typeof properties !== 'object') return undefined
  return parseTraceparent(properties['Diagnostic-Id']) ?? parseTraceparent(properties.traceparent, properties.tracestate)
}

// --------------------------------------------------------------- inject

/** What {@link inject} writes to: a web `Headers`, a header record or a CloudEvent init. */
export type TraceCarrier = Headers | Record<string, unknown>

/**
 * Writes `ctx` into `carrier` as `traceparent` and `tracestate` (removing a
 * `tracestate` the carrier had when `ctx` has none: a state belongs to its
 * trace) and returns the carrier. It writes `ctx`'s own span id, not a new
 * one: the receiver's parent is the span `ctx` names, so pass the context
 * of the span making the call (a {@link childContext} of the incoming one,
 * or the delivery span's `traceContext`), not the incoming context itself.
 *
 * @example
 * ```ts
 * await fetch(url, { headers: inject(new Headers(), span.traceContext) })
 * await send(createEvent(inject({ id, source, type, data }, span.traceContext)))
 * ```
 */
export function inject<C extends TraceCarrier>(carrier: C, ctx: TraceContext): C {
  if (isHeaders(carrier)) {
    carrier.set('traceparent', ctx.traceparent)
    if (ctx.tracestate === undefined) carrier.delete('tracestate')
    else carrier.set('tracestate', ctx.tracestate)
    return carrier
  }
  const record = carrier as Record<string, unknown>
  record.traceparent = ctx.traceparent
  if (ctx.tracestate === undefined) delete record.tracestate
  else record.tracestate = ctx.tracestate
  return carrier
}
