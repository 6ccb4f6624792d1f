/**
 * The conformance table: what every adapter must do with the same handler
 * (`handler.ts`). Each adapter adds a runner that delivers these cases in its
 * provider's native shape on its real local runtime and checks its native
 * reply against the neutral outcome; `testing.test.ts` runs them through
 * `faasade/testing` and `createFetchHandler`.
 *
 * A case lists the events it delivers; one entry in `expect.outcomes` per
 * event, in order. `observed` is the CloudEvent the handler must see, for
 * the events that reach it and succeed.
 */
import type { CloudEventInit, Outcome } from 'faasade'
import { CONFORMANCE_TYPE } from './handler.js'

export type Delivery =
  /** One event, in whatever native shape the provider gives a single event. */
  | 'event'
  /** CloudEvents over HTTP, in each mode of the HTTP binding. */
  | 'http-binary'
  | 'http-structured'
  | 'http-batch'
  /** A native batch (a queue's messages), each item on its own. */
  | 'batch'
  /** The same, from an ordered source: after a retry, the rest are not run. */
  | 'ordered-batch'

export interface ConformanceCase {
  readonly name: string
  readonly delivery: Delivery
  readonly events: readonly CloudEventInit[]
  /** Deliver with a deadline that has already passed. */
  readonly deadlinePassed?: boolean
  readonly expect: {
    readonly outcomes: readonly Outcome['kind'][]
    /** The error class name behind each non-ok outcome, `undefined` for ok ones. */
    readonly errors?: readonly (string | undefined)[]
    /** For ok outcomes: attributes the handler must have observed (a subset check). */
    readonly observed?: readonly (Record<string, unknown> | undefined)[]
    /** Whether the handler ran at all. @defaultValue true */
    readonly handlerRan?: boolean
  }
}

const base = {
  source: '//conformance.faasade.dev/suite',
  type: CONFORMANCE_TYPE,
  datacontenttype: 'application/json',
} as const

const event = (id: string, behaviour: string, n: number, extra: Partial<CloudEventInit> = {}): CloudEventInit => ({
  ...base,
  id,
  time: '2026-11-24T08:00:00.000Z',
  data: { behaviour, n },
  ...extra,
})

const seen = (id: string, n: number, extra: Record<string, unknown> = {}) => ({
  specversion: '1.0',
  id,
  source: base.source,
  type: base.type,
  data: { behaviour: 'ok', n },
  ...extra,
})

export const cases: readonly ConformanceCase[] = [
  {
    name: 'a plain event reaches the handler unchanged',
    delivery: 'event',
    events: [event('plain-1', 'ok', 1, { subject: 'orders/1' })],
    expect: { outcomes: ['ok'], observed: [seen('plain-1', 1, { subject: 'orders/1', time: '2026-11-24T08:00:00.000Z' })] },
  },
  {
    name: 'extension attributes travel with the event',
    delivery: 'event',
    events: [event('ext-1', 'ok', 2, { tenant: 'acme', priority: 3 })],
    expect: { outcomes: ['ok'], observed: [seen('ext-1', 2, { tenant: 'acme' })] },
  },
  {
    name: 'a CloudEvent over HTTP in binary mode',
    delivery: 'http-binary',
    events: [event('bin-1', 'ok', 3, { subject: 'caf\u00e9 "quoted" 100%' })],
    expect: { outcomes: ['ok'], observed: [seen('bin-1', 3, { subject: 'caf\u00e9 "quoted" 100%' })] },
  },
  {
    name: 'a CloudEvent over HTTP in structured mode',
    delivery: 'http-structured',
    events: [event('str-1', 'ok', 4)],
    expect: { outcomes: ['ok'], observed: [seen('str-1', 4)] },
  },
  {
    name: 'CloudEvents over HTTP in batch mode',
    delivery: 'http-batch',
    events: [event('bat-1', 'ok', 5), event('bat-2', 'ok', 6)],
    expect: { outcomes: ['ok', 'ok'], observed: [seen('bat-1', 5), seen('bat-2', 6)] },
  },
  {
    name: 'data that fails the schema is dropped, never retried',
    delivery: 'event',
    events: [{ ...event('schema-1', 'ok', 0), data: { behaviour: 'ok', n: 'seven' } }],
    expect: { outcomes: ['drop'], errors: ['ValidationError'], handlerRan: false },
  },
  {
    name: 'a PermanentError is dropped',
    delivery: 'event',
    events: [event('perm-1', 'permanent', 7)],
    expect: { outcomes: ['drop'], errors: ['PermanentError'] },
  },
  {
    name: 'a RetryableError is retried, with its delay',
    delivery: 'event',
    events: [event('retry-1', 'retry', 8)],
    expect: { outcomes: ['retry'], errors: ['RetryableError'] },
  },
  {
    name: 'an unknown error is retried',
    delivery: 'event',
    events: [event('throw-1', 'throw', 9)],
    expect: { outcomes: ['retry'], errors: ['UnexpectedError'] },
  },
  {
    name: 'a batch with one bad item fails exactly that item',
    delivery: 'batch',
    events: [event('b-1', 'ok', 10), event('b-2', 'retry', 11), event('b-3', 'ok', 12), event('b-4', 'permanent', 13)],
    expect: {
      outcomes: ['ok', 'retry', 'ok', 'drop'],
      errors: [undefined, 'RetryableError', undefined, 'PermanentError'],
      observed: [seen('b-1', 10), undefined, seen('b-3', 12), undefined],
    },
  },
  {
    name: 'an ordered batch stops at the first retry and holds back the rest',
    delivery: 'ordered-batch',
    events: [event('o-1', 'ok', 14), event('o-2', 'throw', 15), event('o-3', 'ok', 16)],
    expect: { outcomes: ['ok', 'retry', 'retry'], errors: [undefined, 'UnexpectedError', 'SkippedError'] },
  },
  {
    name: 'a deadline that has passed: the handler does not run, the event is retried',
    delivery: 'event',
    deadlinePassed: true,
    events: [event('late-1', 'ok', 17)],
    expect: { outcomes: ['retry'], errors: ['TimeoutError'], handlerRan: false },
  },
]

/**
 * What a CloudEvent over HTTP must answer for each neutral outcome (the
 * outcome table, docs/architecture.md): the status for a single event's error, by error class.
 */
export const httpStatusFor: Record<string, number> = {
  ValidationError: 400,
  PermanentError: 422,
  RetryableError: 429, // the conformance handler's RetryableError carries retryAfterMs
  UnexpectedError: 503,
  TimeoutError: 503,
}
