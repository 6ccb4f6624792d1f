/**
 * W3C Trace Context and the providers' carriers: the spec's parsing rules
 * by example, properties over generated contexts and arbitrary strings, and
 * each provider's shape as its platform hands it.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  childContext,
  formatTraceparent,
  fromAzureTraceContext,
  fromCloudEvent,
  fromCloudTraceContext,
  fromHeaders,
  fromMessageAttributes,
  fromPubSubAttributes,
  fromServiceBusProperties,
  fromStructuredCloudEvent,
  fromXRayHeader,
  inject,
  newSpanId,
  newTraceId,
  parseTraceparent,
  parseTracestate,
  toCloudTraceContext,
  toXRayHeader,
  traceContext,
} from '../../src/observability/trace-context.js'

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const SPAN = '00f067aa0ba902b7'
const TP = `00-${TRACE}-${SPAN}-01`

const hex = (length: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length })
const traceId = hex(32).filter((s) => /[1-9a-f]/.test(s))
const spanId = hex(16).filter((s) => /[1-9a-f]/.test(s))
const context = fc.record({ traceId, spanId, sampled: fc.boolean() })

describe('parseTraceparent', () => {
  it('reads a version-00 value', () => {
    expect(parseTraceparent(TP, 'congo=t61rcWkgMzE')).toEqual({ traceId: TRACE, spanId: SPAN, sampled: true, traceparent: TP, tracestate: 'congo=t61rcWkgMzE' })
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-00`)).toEqual({ traceId: TRACE, spanId: SPAN, sampled: false, traceparent: `00-${TRACE}-${SPAN}-00` })
  })

  it('reads the sampled bit of the flags as a bit field, and keeps version 00 flags as received', () => {
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-03`)).toMatchObject({ sampled: true, traceparent: `00-${TRACE}-${SPAN}-03` })
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-02`)).toMatchObject({ sampled: false })
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-09`)).toMatchObject({ sampled: true })
  })

  it('trims HTTP optional whitespace around the value', () => {
    expect(parseTraceparent(` \t${TP} `)?.traceparent).toBe(TP)
  })

  it('takes linear time on long runs of whitespace (a header is the sender\'s to choose)', () => {
    const long = `0${' '.repeat(200_000)}0`
    const started = performance.now()
    expect(parseTraceparent(long, long)).toBeUndefined()
    expect(parseTracestate(`a=1,${long}`)).toBeUndefined()
    expect(performance.now() - started).toBeLessThan(200)
  })

  it.each([
    ['upper-case hex', TP.toUpperCase()],
    ['upper-case trace id', `00-${TRACE.toUpperCase()}-${SPAN}-01`],
    ['all-zero trace id', `00-${'0'.repeat(32)}-${SPAN}-01`],
    ['all-zero span id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['version ff', `ff-${TRACE}-${SPAN}-01`],
    ['version 00 with more after it', `${TP}-extra`],
    ['version 00 one character long', `${TP}0`],
    ['short trace id', `00-${TRACE.slice(1)}-${SPAN}-01`],
    ['short flags', `00-${TRACE}-${SPAN}-1`],
    ['non-hex flags', `00-${TRACE}-${SPAN}-0g`],
    ['one-digit version', `0-${TRACE}-${SPAN}-01`],
    ['underscores', `00_${TRACE}_${SPAN}_01`],
    ['two values joined as Node joins repeated headers', `${TP}, ${TP}`],
    ['empty', ''],
  ])('refuses %s', (_name, value) => {
    expect(parseTraceparent(value)).toBeUndefined()
  })

  it.each([undefined, null, 42, {}, [TP], Symbol('x')])('refuses a non-string (%s)', (value) => {
    expect(parseTraceparent(value)).toBeUndefined()
  })

  it('reads a higher version by its first 55 characters, and propagates it as version 00 with the sampled bit only', () => {
    expect(parseTraceparent(`01-${TRACE}-${SPAN}-01`)?.traceparent).toBe(TP)
    expect(parseTraceparent(`cc-${TRACE}-${SPAN}-03-what-the-future-holds`)).toMatchObject({ traceId: TRACE, spanId: SPAN, sampled: true, traceparent: TP })
    expect(parseTraceparent(`cc-${TRACE}-${SPAN}-01.future`)).toBeUndefined()
    expect(parseTraceparent(`cc-${TRACE}-${SPAN}-0`)).toBeUndefined()
  })

  it('drops a tracestate that is malformed, too long a list, or empty; keeps it only with a valid traceparent', () => {
    expect(parseTraceparent(TP, 'Bad=key')?.tracestate).toBeUndefined()
    expect(parseTraceparent(TP, Array.from({ length: 33 }, (_, i) => `k${i}=v`).join(','))?.tracestate).toBeUndefined()
    expect(parseTraceparent(TP, Array.from({ length: 32 }, (_, i) => `k${i}=v`).join(','))?.tracestate).toMatch(/^k0=v,/)
    expect(parseTraceparent(TP, ' , ')).not.toHaveProperty('tracestate')
    expect(parseTraceparent('garbage', 'congo=t61rcWkgMzE')).toBeUndefined()
  })
})

describe('parseTracestate', () => {
  it('keeps well-formed members, simple and multi-tenant keys, trimmed, empty members dropped', () => {
    expect(parseTracestate('rojo=00f067aa0ba902b7 ,  congo=t61rcWkgMzE,,')).toBe('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE')
    expect(parseTracestate('fw529a3039@dt=1,a*b/c-d_e=x y')).toBe('fw529a3039@dt=1,a*b/c-d_e=x y')
    expect(parseTracestate(['a=1', 'b=2'])).toBe('a=1,b=2')
  })

  it.each(['a=', '=v', 'a=b=c', 'a=v\tw', '1a=v', 'a=\u00e9', 'a'])('refuses the list with the member %j', (member) => {
    expect(parseTracestate(`ok=1,${member}`)).toBeUndefined()
  })
})

describe('formatTraceparent, traceContext, ids', () => {
  it('round-trips: parse(format(x)) is x (property)', () => {
    fc.assert(
      fc.property(context, (ctx) => {
        const parsed = parseTraceparent(formatTraceparent(ctx))
        expect(parsed).toEqual({ ...ctx, traceparent: formatTraceparent(ctx) })
        expect(traceContext(ctx)).toEqual(parsed)
      }),
    )
  })

  it('refuses to format an invalid id', () => {
    expect(() => formatTraceparent({ traceId: '0'.repeat(32), spanId: SPAN, sampled: true })).toThrow(RangeError)
    expect(() => formatTraceparent({ traceId: TRACE, spanId: SPAN.toUpperCase(), sampled: true })).toThrow(RangeError)
    expect(() => traceContext({ traceId: TRACE.slice(2), spanId: SPAN, sampled: true })).toThrow(RangeError)
  })

  it('makes valid, distinct random ids', () => {
    const traces = new Set(Array.from({ length: 200 }, newTraceId))
    const spans = new Set(Array.from({ length: 200 }, newSpanId))
    expect(traces.size).toBe(200)
    expect(spans.size).toBe(200)
    for (const id of traces) expect(id).toMatch(/^[0-9a-f]{32}$/)
    for (const id of spans) expect(id).toMatch(/^[0-9a-f]{16}$/)
  })

  it('childContext keeps the trace, its sampling and state, with a new span id; without a parent, starts a trace', () => {
    const parent = parseTraceparent(TP, 'congo=t61rcWkgMzE')!
    const child = childContext(parent)
    expect(child).toMatchObject({ traceId: TRACE, sampled: true, tracestate: 'congo=t61rcWkgMzE' })
    expect(child.spanId).not.toBe(SPAN)
    expect(parseTraceparent(child.traceparent, child.tracestate)).toEqual(child)
    const root = childContext()
    expect(root.sampled).toBe(false)
    expect(root.traceId).not.toBe(TRACE)
    expect(childContext(undefined, true).sampled).toBe(true)
  })
})

describe('no reader throws, whatever it is given (property)', () => {
  const anyValue = fc.oneof(fc.string(), fc.anything(), fc.dictionary(fc.string(), fc.anything()))
  it.each([
    ['parseTraceparent', (v: unknown) => parseTraceparent(v, v)],
    ['parseTracestate', parseTracestate],
    ['fromXRayHeader', fromXRayHeader],
    ['fromCloudTraceContext', fromCloudTraceContext],
    ['fromStructuredCloudEvent', fromStructuredCloudEvent],
    ['fromHeaders', (v: unknown) => fromHeaders(v as never)],
    ['fromCloudEvent', (v: unknown) => fromCloudEvent(v as never)],
    ['fromMessageAttributes', (v: unknown) => fromMessageAttributes(v as never)],
    ['fromPubSubAttributes', (v: unknown) => fromPubSubAttributes(v as never)],
    ['fromAzureTraceContext', (v: unknown) => fromAzureTraceContext(v as never)],
    ['fromServiceBusProperties', (v: unknown) => fromServiceBusProperties(v as never)],
  ] as const)('%s', (_name, read) => {
    fc.assert(fc.property(anyValue, (v) => {
      const ctx = read(v)
      if (ctx !== undefined && typeof ctx === 'object') expect(parseTraceparent(ctx.traceparent)).toBeDefined()
    }))
  })

  it('parseTraceparent on near-miss strings: a valid value with one character changed is valid only if it still follows the rules', () => {
    fc.assert(
      fc.property(context, fc.nat(54), fc.string({ minLength: 1, maxLength: 1 }), (ctx, at, c) => {
        const value = formatTraceparent(ctx)
        const changed = value.slice(0, at) + c + value.slice(at + 1)
        const parsed = parseTraceparent(changed)
        if (parsed) expect(changed).toMatch(/^[0-9a-e][0-9a-f]-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$|^f[0-9a-e]-/)
      }),
    )
  })
})

describe('HTTP headers', () => {
  it('reads a lower-case record, a web Headers, and a record of other case', () => {
    expect(fromHeaders({ traceparent: TP, tracestate: 'a=1' })).toMatchObject({ traceId: TRACE, tracestate: 'a=1' })
    expect(fromHeaders(new Headers({ TraceParent: TP, TraceState: 'a=1' }))).toMatchObject({ traceId: TRACE, tracestate: 'a=1' })
    expect(fromHeaders({ Traceparent: TP, Tracestate: 'a=1' })).toMatchObject({ traceId: TRACE, tracestate: 'a=1' })
  })

  it('takes a one-line array, refuses several traceparent lines, joins tracestate lines', () => {
    expect(fromHeaders({ traceparent: [TP] })?.traceId).toBe(TRACE)
    expect(fromHeaders({ traceparent: [TP, TP] })).toBeUndefined()
    expect(fromHeaders({ traceparent: TP, tracestate: ['a=1', 'b=2'] })?.tracestate).toBe('a=1,b=2')
  })

  it('is undefined without a traceparent', () => {
    expect(fromHeaders({ 'content-type': 'application/json' })).toBeUndefined()
    expect(fromHeaders(new Headers())).toBeUndefined()
    expect(fromHeaders(undefined)).toBeUndefined()
  })
})

describe('CloudEvents', () => {
  const event = { specversion: '1.0', id: '1', source: '/s', type: 't', traceparent: TP, tracestate: 'a=1', data: { x: 1 } }

  it('reads the distributed-tracing extension attributes', () => {
    expect(fromCloudEvent(event)).toMatchObject({ traceId: TRACE, spanId: SPAN, tracestate: 'a=1' })
    expect(fromCloudEvent({ ...event, traceparent: undefined })).toBeUndefined()
  })

  it('reads a structured-mode body, as text or parsed; only a CloudEvent', () => {
    expect(fromStructuredCloudEvent(JSON.stringify(event))).toMatchObject({ traceId: TRACE, tracestate: 'a=1' })
    expect(fromStructuredCloudEvent(`  ${JSON.stringify(event)}`)?.traceId).toBe(TRACE)
    expect(fromStructuredCloudEvent(event)?.traceId).toBe(TRACE)
    expect(fromStructuredCloudEvent(JSON.stringify({ traceparent: TP }))).toBeUndefined()
    expect(fromStructuredCloudEvent(`[${JSON.stringify(event)}]`)).toBeUndefined()
    expect(fromStructuredCloudEvent('{"traceparent": ')).toBeUndefined()
    expect(fromStructuredCloudEvent('plain text')).toBeUndefined()
  })
})

describe('AWS', () => {
  const XRAY = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1'

  it('converts an X-Ray header to W3C', () => {
    expect(fromXRayHeader(XRAY)).toEqual({
      traceId: '5759e988bd862e3fe1be46a994272793',
      spanId: '53995c3f42cd8ad8',
      sampled: true,
      traceparent: '00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01',
    })
  })

  it('takes fields in any order, with others beside them and spaces; Sampled 0, ? or none is not sampled', () => {
    expect(fromXRayHeader('Sampled=1; Lineage=a87bd80c:1|68fd508a:5; Parent=53995c3f42cd8ad8 ;Root=1-5759e988-bd862e3fe1be46a994272793')).toMatchObject({ sampled: true, spanId: '53995c3f42cd8ad8' })
    expect(fromXRayHeader('Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=?')?.sampled).toBe(false)
    expect(fromXRayHeader('Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8')?.sampled).toBe(false)
    expect(fromXRayHeader('Root=1-5759E988-BD862E3FE1BE46A994272793;Parent=53995C3F42CD8AD8;Sampled=0')?.traceId).toBe('5759e988bd862e3fe1be46a994272793')
  })

  it.each([
    ['no Parent', 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1'],
    ['no Root', 'Parent=53995c3f42cd8ad8;Sampled=1'],
    ['another Root version', 'Root=2-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8'],
    ['a short Parent', 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad'],
    ['a zero Parent', 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=0000000000000000'],
  ])('is undefined with %s', (_name, value) => {
    expect(fromXRayHeader(value)).toBeUndefined()
  })

  it('X-Ray and W3C conversions keep the trace id, span id and sampling (property)', () => {
    fc.assert(
      fc.property(context, (ctx) => {
        const back = fromXRayHeader(toXRayHeader(ctx))
        expect(back).toEqual(traceContext(ctx))
      }),
    )
    expect(toXRayHeader(fromXRayHeader(XRAY)!)).toBe(XRAY)
  })

  it('reads traceparent message attributes of an SQS record (Lambda event and API shapes) and an SNS record', () => {
    expect(fromMessageAttributes({ traceparent: { stringValue: TP, dataType: 'String' }, tracestate: { stringValue: 'a=1', dataType: 'String' } } as never)).toMatchObject({ traceId: TRACE, tracestate: 'a=1' })
    expect(fromMessageAttributes({ traceparent: { StringValue: TP, DataType: 'String' } } as never)?.traceId).toBe(TRACE)
    expect(fromMessageAttributes({ traceparent: { Type: 'String', Value: TP } } as never)?.traceId).toBe(TRACE)
    expect(fromMessageAttributes({ traceparent: { binaryValue: 'AAAA', dataType: 'Binary' } } as never)).toBeUndefined()
    expect(fromMessageAttributes({})).toBeUndefined()
  })

  it('an SQS record: attributes first, then AWSTraceHeader', () => {
    const record = { messageAttributes: {}, attributes: { AWSTraceHeader: XRAY } }
    expect(fromMessageAttributes(record.messageAttributes) ?? fromXRayHeader(record.attributes.AWSTraceHeader)).toMatchObject({ spanId: '53995c3f42cd8ad8' })
  })
})

describe('Google Cloud', () => {
  it('converts X-Cloud-Trace-Context, the decimal span id to hex', () => {
    expect(fromCloudTraceContext('105445aa7843bc8bf206b12000100000/1;o=1')).toEqual({
      traceId: '105445aa7843bc8bf206b12000100000',
      spanId: '0000000000000001',
      sampled: true,
      traceparent: '00-105445aa7843bc8bf206b12000100000-0000000000000001-01',
    })
    expect(fromCloudTraceContext('105445aa7843bc8bf206b12000100000/18446744073709551615;o=0')).toMatchObject({ spanId: 'ffffffffffffffff', sampled: false })
    expect(fromCloudTraceContext('105445aa7843bc8bf206b12000100000/123')?.sampled).toBe(false)
  })

  it.each([
    ['no span id', '105445aa7843bc8bf206b12000100000;o=1'],
    ['a zero span id', '105445aa7843bc8bf206b12000100000/0;o=1'],
    ['a span id over 64 bits', '105445aa7843bc8bf206b12000100000/18446744073709551616;o=1'],
    ['a hex span id', '105445aa7843bc8bf206b12000100000/00f067aa0ba902b7;o=1'],
    ['a short trace id', '105445aa7843bc8bf206b1200010000/1;o=1'],
    ['a zero trace id', `${'0'.repeat(32)}/1;o=1`],
  ])('is undefined with %s', (_name, value) => {
    expect(fromCloudTraceContext(value)).toBeUndefined()
  })

  it('round-trips through toCloudTraceContext (property)', () => {
    fc.assert(fc.property(context, (ctx) => { expect(fromCloudTraceContext(toCloudTraceContext(ctx))).toEqual(traceContext(ctx)) }))
  })

  it('reads Pub/Sub attributes: googclient_traceparent first, then traceparent', () => {
    const other = `00-${'1'.repeat(32)}-${SPAN}-00`
    expect(fromPubSubAttributes({ googclient_traceparent: TP, googclient_tracestate: 'g=1', traceparent: other })).toMatchObject({ traceId: TRACE, tracestate: 'g=1' })
    expect(fromPubSubAttributes({ traceparent: other, tracestate: 'a=1' })).toMatchObject({ traceId: '1'.repeat(32), tracestate: 'a=1' })
    expect(fromPubSubAttributes({ googclient_traceparent: 'bad', traceparent: other })?.traceId).toBe('1'.repeat(32))
    expect(fromPubSubAttributes({})).toBeUndefined()
  })
})

describe('Azure', () => {
  it('reads InvocationContext.traceContext (traceParent, traceState)', () => {
    expect(fromAzureTraceContext({ traceParent: TP, traceState: 'a=1' })).toMatchObject({ traceId: TRACE, tracestate: 'a=1' })
    expect(fromAzureTraceContext({ traceParent: TP, traceState: '' })).not.toHaveProperty('tracestate')
    expect(fromAzureTraceContext({ traceParent: null, traceState: null })).toBeUndefined()
    // The W3C spelling is not Azure's.
    expect(fromAzureTraceContext({ traceparent: TP } as never)).toBeUndefined()
  })

  it('reads a Service Bus Diagnostic-Id holding a traceparent, not the hierarchical form', () => {
    expect(fromServiceBusProperties({ 'Diagnostic-Id': TP })?.traceId).toBe(TRACE)
    expect(fromServiceBusProperties({ 'Diagnostic-Id': '|4bf92f3577b34da6.1.' })).toBeUndefined()
    expect(fromServiceBusProperties({ traceparent: TP, tracestate: 'a=1' })).toMatchObject({ traceId: TRACE, tracestate: 'a=1' })
  })
})

describe('inject', () => {
  const ctx = parseTraceparent(TP, 'a=1')!

  it('writes traceparent and tracestate into a header record and into a CloudEvent init, returning it', () => {
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    expect(inject(headers, ctx)).toBe(headers)
    expect(headers).toEqual({ 'content-type': 'application/json', traceparent: TP, tracestate: 'a=1' })
    const init = { id: '1', source: '/s', type: 't' }
    expect(inject(init, ctx)).toEqual({ id: '1', source: '/s', type: 't', traceparent: TP, tracestate: 'a=1' })
    expect(fromCloudEvent(init)).toEqual(ctx)
  })

  it('writes into a web Headers', () => {
    const headers = inject(new Headers(), ctx)
    expect(headers.get('traceparent')).toBe(TP)
    expect(fromHeaders(headers)).toEqual(ctx)
  })

  it('writes the context span id as it is, and removes a stale tracestate', () => {
    const noState = parseTraceparent(TP)!
    const headers = inject({ tracestate: 'old=1' } as Record<string, string>, noState)
    expect(headers).toEqual({ traceparent: TP })
    expect(inject(new Headers({ tracestate: 'old=1' }), noState).has('tracestate')).toBe(false)
  })
})
