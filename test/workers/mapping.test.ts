/**
 * The Workers mapping table as properties (Node, on the sources), and
 * `toWorker`'s options. The runtime itself is exercised in workerd by the
 * other files of this folder; the one test here that calls `queue()` on
 * plain objects says so.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ConfigurationError, createEvent, createLogger, decodeCloudEvents, defineHandler, InvalidEventError, PermanentError, RetryableError, toJsonFormat, type Outcome } from 'faasade'
import {
  controllerToEvent,
  delaySeconds,
  MAX_DELAY_SECONDS,
  messageToEvent,
  QUEUE_MESSAGE_TYPE,
  queueSettlement,
  queueSource,
  SCHEDULED_SOURCE,
  SCHEDULED_TYPE,
  scheduledSettlement,
  toWorker,
  workerEnv,
  type QueueMessage,
  type WorkerOptions,
} from 'faasade/cloudflare-workers'

const message = (body: unknown, extra: Partial<QueueMessage> = {}): QueueMessage => ({
  id: 'm-1',
  timestamp: new Date('2026-11-24T08:00:00.000Z'),
  body,
  attempts: 1,
  ack() {},
  retry() {},
  ...extra,
})

const queueName = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,62}$/)
const messageId = fc.string({ minLength: 1, maxLength: 40 })
const timestamp = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
// Any JSON body that is not a CloudEvent itself (no `specversion` member).
const plainBody = fc.jsonValue().filter((v) => !(typeof v === 'object' && v !== null && !Array.isArray(v) && Object.hasOwn(v, 'specversion')))

describe('a queue message that is not a CloudEvent', () => {
  it('maps id, source, type, time, datacontenttype and data from the message (property)', () => {
    fc.assert(
      fc.property(messageId, queueName, timestamp, plainBody, (id, queue, at, body) => {
        const event = messageToEvent(message(body, { id, timestamp: at }), queue)
        expect(event.id).toBe(id)
        expect(event.source).toBe(`//queue.cloudflare.com/${queue}`)
        expect(event.type).toBe(QUEUE_MESSAGE_TYPE)
        expect(event.time).toBe(at.toISOString())
        expect(event.datacontenttype).toBe(typeof body === 'string' ? 'text/plain' : 'application/json')
        expect(event.data).toBe(body)
      }),
    )
  })

  it('takes its type from the queue.type option, a string or a function of the message and queue', () => {
    expect(messageToEvent(message({}), 'q', 'com.example.thing').type).toBe('com.example.thing')
    expect(messageToEvent(message({}, { id: 'x' }), 'emails', (m, q) => `com.example.${q}.${m.id}`).type).toBe('com.example.emails.x')
  })

  it('gives bytes (ArrayBuffer, any typed array or DataView) to the handler as a Uint8Array', () => {
    const bytes = new Uint8Array([0, 1, 2, 250, 255])
    for (const body of [bytes.buffer.slice(0), new Uint8Array(bytes), new DataView(bytes.buffer.slice(0)), new Uint16Array(bytes.buffer.slice(0, 4))]) {
      const event = messageToEvent(message(body), 'q')
      expect(event.datacontenttype).toBe('application/octet-stream')
      expect(event.data).toBeInstanceOf(Uint8Array)
      expect([...(event.data as Uint8Array)]).toEqual([...new Uint8Array(body instanceof ArrayBuffer ? body : body.buffer, body instanceof ArrayBuffer ? 0 : body.byteOffset, body instanceof ArrayBuffer ? undefined : body.byteLength)])
    }
  })

  it('names no content type for a structured-clone value without a JSON form (the v8 content type)', () => {
    expect(messageToEvent(message(new Map([['a', 1]])), 'q').datacontenttype).toBeUndefined()
    expect(messageToEvent(message(new Date(0)), 'q').datacontenttype).toBeUndefined()
  })

  it('leaves time out when the timestamp is not a valid date; a null body is JSON null', () => {
    const event = messageToEvent(message(null, { timestamp: new Date(Number.NaN) }), 'q')
    expect(event.time).toBeUndefined()
    expect(event.data).toBeNull()
    expect(event.datacontenttype).toBe('application/json')
  })
})

const attributeName = fc.stringMatching(/^[a-z][a-z0-9]{0,10}$/).filter((n) => !['specversion', 'id', 'source', 'type', 'subject', 'time', 'datacontenttype', 'dataschema', 'data'].includes(n))
const cloudEvent = fc
  .record(
    {
      id: fc.string({ minLength: 1 }),
      source: fc.string({ minLength: 1 }),
      type: fc.string({ minLength: 1 }),
      subject: fc.string({ minLength: 1 }),
      time: timestamp.map((d) => d.toISOString()),
      extensions: fc.dictionary(attributeName, fc.oneof(fc.string(), fc.boolean(), fc.integer()), { maxKeys: 3 }),
      data: fc.oneof(fc.jsonValue(), fc.uint8Array({ maxLength: 20 })),
    },
    { requiredKeys: ['id', 'source', 'type'] },
  )
  .map(({ extensions, ...attributes }) => createEvent({ ...extensions, ...attributes }))

describe('a queue message whose body is a structured CloudEvent', () => {
  it('passes through unchanged, bytes included (data_base64), whatever the message id (property)', () => {
    fc.assert(
      fc.property(cloudEvent, messageId, queueName, (event, id, queue) => {
        expect(messageToEvent(message(toJsonFormat(event), { id }), queue, 'com.example.ignored')).toEqual(event)
      }),
    )
  })

  it('is read exactly as the core reads a structured CloudEvent over HTTP, null members and broken ones alike (property)', () => {
    const overHttp = (body: unknown) =>
      decodeCloudEvents({ method: 'POST', headers: { 'content-type': 'application/cloudevents+json' }, body: JSON.stringify(body) })[0]
    const outcome = (read: () => unknown) => {
      try {
        return { ok: read() }
      } catch (error) {
        return { error: (error as Error).constructor.name, issues: (error as InvalidEventError).issues }
      }
    }
    const member = fc.oneof(fc.constant(null), fc.string(), fc.integer(), fc.boolean(), fc.jsonValue())
    const names = fc.constantFrom('id', 'source', 'type', 'subject', 'time', 'datacontenttype', 'dataschema', 'data', 'data_base64', 'specversion', 'ext', 'Bad-Name')
    fc.assert(
      fc.property(cloudEvent, fc.dictionary(names, member, { maxKeys: 3 }), (event, changes) => {
        // As a queue delivers a body sent with the json content type.
        const body = JSON.parse(JSON.stringify({ ...toJsonFormat(event), ...changes })) as Record<string, unknown>
        if (!('specversion' in body)) return
        expect(outcome(() => messageToEvent(message(body), 'q'))).toEqual(outcome(() => overHttp(body)))
      }),
    )
  })

  it('is refused with an InvalidEventError naming each bad attribute: a drop, never a guess', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ specversion: '1.0', source: '/s', type: 't' }, 'id'],
      [{ specversion: '0.3', id: '1', source: '/s', type: 't' }, 'specversion'],
      [{ specversion: '1.0', id: '1', source: '/s', type: 't', time: 'yesterday' }, 'time'],
      [{ specversion: '1.0', id: '1', source: '/s', type: 't', data: 1, data_base64: 'AA==' }, 'data_base64'],
      [{ specversion: '1.0', id: '1', source: '/s', type: 't', data_base64: '***' }, 'data_base64'],
      [{ specversion: '1.0', id: '1', source: '/s', type: 't', data_base64: 7 }, 'data_base64'],
    ]
    for (const [body, attribute] of cases) {
      let thrown: unknown
      try {
        messageToEvent(message(body), 'q')
      } catch (error) {
        thrown = error
      }
      expect(thrown).toBeInstanceOf(InvalidEventError)
      expect((thrown as InvalidEventError).issues.map((i) => i.path?.[0])).toContain(attribute)
    }
  })
})

describe('a cron trigger', () => {
  it('maps to id <cron>@<scheduledTime>, the scheduled source and type, subject = cron (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), timestamp, (cron, at) => {
        const event = controllerToEvent({ cron, scheduledTime: at.getTime(), noRetry() {} })
        expect(event).toEqual({
          specversion: '1.0',
          id: `${cron}@${at.toISOString()}`,
          source: SCHEDULED_SOURCE,
          type: SCHEDULED_TYPE,
          subject: cron,
          time: at.toISOString(),
          datacontenttype: 'application/json',
          data: { cron, scheduledTime: at.toISOString() },
        })
      }),
    )
  })

  it('gives two firings of one cron different ids, and a retry of one firing the same id', () => {
    const at = Date.parse('2026-11-24T08:00:00Z')
    const fire = (time: number) => controllerToEvent({ cron: '0 * * * *', scheduledTime: time, noRetry() {} }).id
    expect(fire(at)).toBe(fire(at))
    expect(fire(at)).not.toBe(fire(at + 3_600_000))
  })

  it('takes its type from the scheduled.type option', () => {
    const event = controllerToEvent({ cron: '0 0 * * *', scheduledTime: 0, noRetry() {} }, (c) => (c.cron === '0 0 * * *' ? 'com.example.nightly' : 'x'))
    expect(event.type).toBe('com.example.nightly')
  })
})

const outcome = fc.oneof(
  fc.constant<Outcome>({ kind: 'ok', result: 1 }),
  fc.option(fc.double({ min: -1e6, max: 1e9, noNaN: true }), { nil: undefined }).map<Outcome>((retryAfterMs) => ({
    kind: 'retry',
    error: new RetryableError('later', { retryAfterMs }),
    retryAfterMs,
  })),
  fc.constant<Outcome>({ kind: 'drop', error: new PermanentError('never') }),
)

describe('outcomes as Workers settlements', () => {
  it("queue: ok acks, retry retries with ceil(retryAfterMs / 1000) seconds (0 to 12 h), drop acks or retries by onDrop (property)", () => {
    fc.assert(
      fc.property(outcome, fc.constantFrom('ack' as const, 'dead-letter' as const), (o, policy) => {
        const settlement = queueSettlement(o, policy)
        if (o.kind === 'ok') expect(settlement).toEqual({ action: 'ack' })
        if (o.kind === 'drop') expect(settlement).toEqual(policy === 'ack' ? { action: 'ack' } : { action: 'retry', delaySeconds: undefined })
        if (o.kind === 'retry') {
          expect(settlement.action).toBe('retry')
          const seconds = settlement.action === 'retry' ? settlement.delaySeconds : -1
          if (o.retryAfterMs === undefined) expect(seconds).toBeUndefined()
          else {
            expect(Number.isInteger(seconds)).toBe(true)
            expect(seconds).toBeGreaterThanOrEqual(0)
            expect(seconds).toBeLessThanOrEqual(MAX_DELAY_SECONDS)
            // Never sooner than asked, unless the ask is beyond Cloudflare's limit.
            if (o.retryAfterMs > 0 && o.retryAfterMs <= MAX_DELAY_SECONDS * 1000) {
              // The smallest whole number of seconds that is not sooner.
              expect(seconds! * 1000).toBeGreaterThanOrEqual(o.retryAfterMs)
              expect((seconds! - 1) * 1000).toBeLessThan(o.retryAfterMs)
            }
            if (o.retryAfterMs <= 0) expect(seconds).toBe(0)
          }
        }
      }),
    )
  })

  it('delaySeconds at the edges', () => {
    expect([0, 1, 999, 1000, 1001, -5, Number.NaN, Infinity].map(delaySeconds)).toEqual([0, 1, 1, 1, 2, 0, 0, MAX_DELAY_SECONDS])
  })

  it('cron: ok returns, retry throws, drop calls noRetry() (and throws)', () => {
    expect(scheduledSettlement({ kind: 'ok', result: 1 })).toBe('return')
    expect(scheduledSettlement({ kind: 'retry', error: new RetryableError('x'), retryAfterMs: undefined })).toBe('throw')
    expect(scheduledSettlement({ kind: 'drop', error: new PermanentError('x') })).toBe('noRetry')
  })

  it('queue(): every message is settled exactly once, as the table says (property; plain objects stand in for the runtime here, workerd is in queue.test.ts)', async () => {
    const behaviours = ['ok', 'retry', 'retry-at', 'permanent', 'throw'] as const
    const handler = defineHandler({
      type: 'com.example.b',
      handle(event) {
        const b = event.data as (typeof behaviours)[number]
        if (b === 'retry') throw new RetryableError('r')
        if (b === 'retry-at') throw new RetryableError('r', { retryAfterMs: 1_500 })
        if (b === 'permanent') throw new PermanentError('p')
        if (b === 'throw') throw new Error('bug')
        return b
      },
    })
    const quiet = createLogger({ sink: () => {} })
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...behaviours), { maxLength: 30 }), fc.constantFrom('ack' as const, 'dead-letter' as const), fc.integer({ min: 1, max: 8 }), async (items, onDrop, concurrency) => {
        const worker = toWorker(handler, { log: quiet, queue: { type: 'com.example.b' }, onDrop, concurrency })
        const calls: string[][] = items.map(() => [])
        const messages = items.map((b, i) => message(b, { id: `m${i}`, ack: () => calls[i]!.push('ack'), retry: (o) => calls[i]!.push(`retry:${o?.delaySeconds ?? '-'}`) }))
        await worker.queue({ queue: 'q', messages, ackAll() {}, retryAll() {} }, {}, { waitUntil() {} })
        const expected = items.map((b) => {
          if (b === 'ok') return 'ack'
          if (b === 'retry' || b === 'throw') return 'retry:-'
          if (b === 'retry-at') return 'retry:2'
          return onDrop === 'ack' ? 'ack' : 'retry:-'
        })
        expect(calls).toEqual(expected.map((e) => [e]))
      }),
      { numRuns: 50 },
    )
  })
})

describe('toWorker options', () => {
  it('rejects unknown and malformed options with a ConfigurationError that names them', () => {
    const bad: Array<[unknown, RegExp]> = [
      [{ queues: {} }, /unknown option "queues"; known: mappers, onDrop, concurrency, maxBodyBytes, timeoutMarginMs, log, queue, scheduled, timeoutMs/],
      [{ queue: { dropPermanent: 'ack' } }, /queue has an unknown member "dropPermanent"; known: type/],
      [{ onDrop: 'dlq' } , /onDrop must be 'dead-letter' or 'ack'/],
      [{ concurrency: 0 }, /concurrency must be an integer of at least 1/],
      [{ queue: { type: '' } }, /queue type must be a non-empty string or a function/],
      [{ scheduled: { type: 7 } }, /scheduled.type/],
      [{ scheduled: 'hourly' }, /scheduled must be an object/],
      [{ timeoutMs: '5s' }, /timeoutMs must be a number/],
    ]
    for (const [options, message] of bad) {
      expect(() => toWorker(handlerForOptions, options as WorkerOptions)).toThrow(ConfigurationError)
      expect(() => toWorker(handlerForOptions, options as WorkerOptions)).toThrow(message)
    }
  })

  it('rejects a target that is neither a handler, a service nor an app', () => {
    expect(() => toWorker({} as never)).toThrow(ConfigurationError)
  })

  it('returns fetch, queue and scheduled', () => {
    const worker = toWorker(handlerForOptions)
    expect(Object.keys(worker).sort()).toEqual(['fetch', 'queue', 'scheduled'])
  })
})

describe('workerEnv', () => {
  it("returns the bindings of a Workers invocation (ctx.provider.raw.env, the contract faasade/secrets' fromEnv reads)", () => {
    const env = { GREETING: 'hi' }
    expect(workerEnv<typeof env>({ provider: { name: 'cloudflare-workers', raw: { env } } }).GREETING).toBe('hi')
  })

  it('throws a ConfigurationError for an event from elsewhere', () => {
    expect(() => workerEnv({ provider: { name: 'aws-lambda', raw: {} } })).toThrow(/came from "aws-lambda"/)
    expect(() => workerEnv({ provider: { name: 'cloudflare-workers', raw: null } })).toThrow(ConfigurationError)
  })
})

describe('queueSource', () => {
  it('escapes what a URI reference cannot hold', () => {
    expect(queueSource('orders')).toBe('//queue.cloudflare.com/orders')
    expect(queueSource('a b/c')).toBe('//queue.cloudflare.com/a%20b%2Fc')
  })
})

const handlerForOptions = defineHandler({ type: 'com.example.options', handle: () => undefined })
