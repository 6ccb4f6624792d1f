/**
 * The Event Hubs trigger through the library's ProgrammingModel, one event
 * (cardinality one) and a batch (many), with the metadata the host sends.
 * Event Hubs does not redeliver what a function failed (the host
 * checkpoints past it either way), so failures are retried inside the
 * invocation, and what is given up is logged with its position and handed
 * to onGiveUp: no event is lost without a line saying so.
 */
import './support/host.js'
import { app } from '@azure/functions'
import { beforeAll, describe, expect, it } from 'vitest'
import { defineHandler, PermanentError, RetryableError } from 'faasade'
import { EVENT_HUBS_TYPE, eventHubsSource, toAzureFunctions, type AzureFunctionsOptions, type GivenUpEvent } from 'faasade/azure-functions'
import { userLines } from './helpers.js'
import { bindingsOf, invoke, type RpcTypedData } from './support/host.js'

const json = (value: unknown): RpcTypedData => ({ json: JSON.stringify(value) })
const partitionContext = json({
  CancellationToken: { IsCancellationRequested: false, CanBeCanceled: true },
  ConsumerGroupName: '$Default',
  EventHubPath: 'telemetry',
  PartitionId: '3',
  Owner: '4d6f1c2a-8b9e-4f0a-9c1d-2e3f4a5b6c7d',
  RuntimeInformation: { PartitionId: '3', LastSequenceNumber: 0, LastEnqueuedTimeUtc: '0001-01-01T00:00:00', LastEnqueuedOffset: null, RetrievalTime: '0001-01-01T00:00:00' },
})
const one = (sequenceNumber: number, offset: string): Record<string, RpcTypedData> => ({
  Offset: { string: offset },
  EnqueuedTimeUtc: json('2026-12-07T09:41:05.627Z'),
  SequenceNumber: json(sequenceNumber),
  Properties: json({}),
  SystemProperties: json({ 'x-opt-sequence-number': sequenceNumber, 'x-opt-offset': offset, 'x-opt-enqueued-time': '2026-12-07T09:41:05.627Z', PartitionKey: null }),
  PartitionContext: partitionContext,
})
const many = (count: number): Record<string, RpcTypedData> => ({
  SequenceNumberArray: json(Array.from({ length: count }, (_, i) => 100 + i)),
  OffsetArray: json(Array.from({ length: count }, (_, i) => String(8000 + 64 * i))),
  EnqueuedTimeUtcArray: json(Array.from({ length: count }, (_, i) => `2026-12-07T09:41:0${i}.000Z`)),
  PropertiesArray: json(Array.from({ length: count }, () => ({}))),
  SystemPropertiesArray: json(Array.from({ length: count }, () => ({}))),
  PartitionContext: partitionContext,
})

// Each event says how to behave: fail (retry) while ctx.attempt < failUntil, always, or drop.
const runs: string[] = []
const handler = defineHandler({
  handle(event, ctx) {
    const data = event.data as { n: number; failUntil?: number; always?: boolean; drop?: boolean }
    runs.push(`${data.n}@${ctx.attempt}`)
    if (data.drop) throw new PermanentError(`unreadable reading ${data.n}`)
    if (data.always || (data.failUntil !== undefined && (ctx.attempt ?? 1) < data.failUntil)) throw new RetryableError(`sink busy for ${data.n}`, { retryAfterMs: 5 })
  },
})

const handed: GivenUpEvent[][] = []
let hookFails = false
function register(name: string, cardinality: 'one' | 'many', options: AzureFunctionsOptions) {
  const azure = toAzureFunctions(handler, options)
  app.eventHub(name, { eventHubName: 'telemetry', connection: 'EventHubConnection', consumerGroup: '$Default', cardinality, handler: azure.eventHubs })
}
beforeAll(() => {
  register('hub-one', 'one', { onDrop: 'ack' })
  register('hub-many', 'many', { onDrop: 'ack', eventHubs: { maxAttempts: 3 } })
  register('hub-hooked', 'many', {
    onDrop: 'dead-letter',
    eventHubs: {
      maxAttempts: 2,
      onGiveUp(events) {
        if (hookFails) throw new Error('replay store down')
        handed.push([...events])
      },
    },
  })
})

const batch = (items: object[]) => ({ json: JSON.stringify(items) })

describe('events are CloudEvents', () => {
  it('registers as an eventHubTrigger binding', () => {
    expect(Object.values(bindingsOf('hub-many'))).toContainEqual(expect.objectContaining({ type: 'eventHubTrigger', eventHubName: 'telemetry', cardinality: 'many' }))
  })

  it('cardinality one: <partition>/<sequence number> as id, the hub as source, enqueuedTimeUtc as time', async () => {
    runs.length = 0
    const seen: unknown[] = []
    const probe = toAzureFunctions(defineHandler({ handle: (event, ctx) => void seen.push({ event: { ...event }, attempt: ctx.attempt }) }))
    app.eventHub('hub-probe', { eventHubName: 'telemetry', connection: 'EventHubConnection', handler: probe.eventHubs })
    expect((await invoke('hub-probe', { input: json({ n: 1, temp: 21.5 }), triggerMetadata: one(47, '3696') })).ok).toBe(true)
    expect(seen).toEqual([
      {
        event: { specversion: '1.0', id: '3/47', source: eventHubsSource('telemetry'), type: EVENT_HUBS_TYPE, time: '2026-12-07T09:41:05.627Z', datacontenttype: 'application/json', data: { n: 1, temp: 21.5 } },
        attempt: 1,
      },
    ])
  })

  it('cardinality many: one event each, in order, each with its own position', async () => {
    runs.length = 0
    expect((await invoke('hub-many', { input: batch([{ n: 1 }, { n: 2 }, { n: 3 }]), triggerMetadata: many(3) })).ok).toBe(true)
    expect(runs).toEqual(['1@1', '2@1', '3@1'])
  })
})

describe('failures are retried within the invocation, in order', () => {
  it('a failing event is run again, from it on: later events wait for it', async () => {
    runs.length = 0
    const result = await invoke('hub-many', { input: batch([{ n: 1 }, { n: 2, failUntil: 2 }, { n: 3 }]), triggerMetadata: many(3) })
    expect(result.ok).toBe(true)
    expect(runs).toEqual(['1@1', '2@1', '2@2', '3@2'])
  })

  it('still failing after maxAttempts, without onGiveUp: one error line each with partition, sequence number and offset, and the invocation fails', async () => {
    runs.length = 0
    const result = await invoke('hub-many', { input: batch([{ n: 1 }, { n: 2, always: true }, { n: 3 }]), triggerMetadata: many(3) })
    expect(result.ok).toBe(false)
    expect(runs).toEqual(['1@1', '2@1', '2@2', '2@3'])
    const givenUp = userLines(result).filter((l) => l.line.msg === 'Event Hubs event given up: Event Hubs will not redeliver it')
    expect(givenUp.map((l) => l.line)).toEqual([
      expect.objectContaining({ level: 'error', reason: 'retries-exhausted', eventHub: 'telemetry', partitionId: '3', sequenceNumber: 101, offset: '8064', eventId: '3/101', attempts: 3 }),
      expect.objectContaining({ reason: 'held-back', partitionId: '3', sequenceNumber: 102, offset: '8128', eventId: '3/102', attempts: 0 }),
    ])
  })

  it("a drop under onDrop 'ack' is logged and the rest go on", async () => {
    runs.length = 0
    const result = await invoke('hub-many', { input: batch([{ n: 1, drop: true }, { n: 2 }]), triggerMetadata: many(2) })
    expect(result.ok).toBe(true)
    expect(runs).toEqual(['1@1', '2@1'])
    expect(userLines(result)).toContainEqual({ level: 'warning', line: expect.objectContaining({ msg: 'event dropped, will not be retried', deliveryId: '3/100' }) })
  })
})

describe('onGiveUp', () => {
  it("takes the events given up (retries exhausted, and drops under onDrop 'dead-letter') and the invocation completes", async () => {
    runs.length = 0
    handed.length = 0
    hookFails = false
    const result = await invoke('hub-hooked', { input: batch([{ n: 1, drop: true }, { n: 2, always: true }, { n: 3 }]), triggerMetadata: many(3) })
    expect(result.ok).toBe(true)
    expect(runs).toEqual(['1@1', '2@1', '2@2'])
    expect(handed).toHaveLength(1)
    expect(handed[0]!.map(({ reason, partitionId, sequenceNumber, offset, body, attempts, event }) => ({ reason, partitionId, sequenceNumber, offset, body, attempts, id: event?.id }))).toEqual([
      { reason: 'dropped', partitionId: '3', sequenceNumber: 100, offset: '8000', body: { n: 1, drop: true }, attempts: 1, id: '3/100' },
      { reason: 'retries-exhausted', partitionId: '3', sequenceNumber: 101, offset: '8064', body: { n: 2, always: true }, attempts: 2, id: '3/101' },
      // Never ran: held back behind n: 2 each time, as its partition's order requires.
      { reason: 'held-back', partitionId: '3', sequenceNumber: 102, offset: '8128', body: { n: 3 }, attempts: 0, id: '3/102' },
    ])
    expect(handed[0]![1]!.error).toBeInstanceOf(RetryableError)
  })

  it('a hook that throws fails the invocation, after the lines', async () => {
    hookFails = true
    const result = await invoke('hub-hooked', { input: batch([{ n: 1, always: true }]), triggerMetadata: many(1) })
    hookFails = false
    expect(result.ok).toBe(false)
    expect(userLines(result).map((l) => l.line.msg)).toEqual(expect.arrayContaining(['Event Hubs event given up: Event Hubs will not redeliver it', 'eventHubs.onGiveUp failed: the invocation fails']))
  })
})

describe('options', () => {
  it('are checked when the app loads', () => {
    expect(() => toAzureFunctions(handler, { eventHubs: { maxAttempts: 0 } })).toThrow(/eventHubs maxAttempts must be an integer of at least 1/)
    expect(() => toAzureFunctions(handler, { eventHubs: { onGiveUp: 'x' as never } })).toThrow(/onGiveUp must be a function/)
    expect(() => toAzureFunctions(handler, { eventHubs: { retries: 2 } as never })).toThrow(/unknown member "retries"/)
    expect(() => toAzureFunctions(handler, { functionTimeoutMs: 0 })).toThrow(/functionTimeoutMs must be a number above 0/)
  })
})
