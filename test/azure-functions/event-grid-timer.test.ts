/**
 * Event Grid (both schemas) and timer triggers through the library's own
 * ProgrammingModel, with the event and the timer as the host sends them
 * (JSON; the timer in the host's PascalCase, which the library camelCases).
 */
import './support/host.js'
import { app } from '@azure/functions'
import { beforeAll, describe, expect, it } from 'vitest'
import { createLogger, defineHandler, PermanentError, RetryableError } from 'faasade'
import { TIMER_TYPE, timerSource, toAzureFunctions } from 'faasade/azure-functions'
import { recordingHandler, userLines } from './helpers.js'
import { bindingsOf, invoke } from './support/host.js'

const recorder = recordingHandler()
const azure = toAzureFunctions(recorder.handler, { onDrop: 'ack' })
const deadLetter = toAzureFunctions(recorder.handler, { onDrop: 'dead-letter', log: createLogger({ sink: () => {} }) })
const typedTimer = toAzureFunctions(recorder.handler, { timer: { type: (_timer, name) => `com.example.${name}` } })
let timerFails: 'retry' | 'permanent' = 'retry'
const failingTimer = toAzureFunctions(
  defineHandler({
    handle() {
      throw timerFails === 'retry' ? new RetryableError('store down') : new PermanentError('report disabled')
    },
  }),
  // dead-letter has no path for a tick: it must not turn a drop into a failure.
  { onDrop: 'dead-letter' },
)

beforeAll(() => {
  app.eventGrid('blobs', { handler: azure.eventGrid })
  app.eventGrid('blobs-dlq', { handler: deadLetter.eventGrid })
  app.timer('nightly', { schedule: '0 */5 * * * *', handler: azure.timer })
  app.timer('typed-timer', { schedule: '0 0 * * * *', handler: typedTimer.timer })
  app.timer('failing-timer', { schedule: '0 0 * * * *', handler: failingTimer.timer })
})

const TOPIC = '/subscriptions/5b4b650e-28b9-4790-b3ab-ddbd88d727c4/resourceGroups/shop/providers/Microsoft.Storage/storageAccounts/shopfiles'
const blobData = {
  api: 'PutBlob',
  clientRequestId: 'a5f3b2c1-0d9e-4f8a-b7c6-d5e4f3a2b1c0',
  requestId: 'c7e1d2f3-a01e-0042-1f2e-3d4c5b000000',
  eTag: '"0x8DC16A2B3C4D5E6"',
  contentType: 'image/png',
  contentLength: 48213,
  blobType: 'BlockBlob',
  url: 'https://shopfiles.blob.core.windows.net/uploads/receipt-1042.png',
  sequencer: '0000000000000000000000000001a2b30000000000000c4d',
  storageDiagnostics: { batchId: 'e2d3c4b5-a6f7-4e8d-9c0b-1a2b3c4d5e6f' },
}

// The Event Grid schema, as Event Grid delivers a blob's creation.
const eventGridSchema = {
  topic: TOPIC,
  subject: '/blobServices/default/containers/uploads/blobs/receipt-1042.png',
  eventType: 'Microsoft.Storage.BlobCreated',
  eventTime: '2026-12-07T09:12:44.1234567Z',
  id: 'c7e1d2f3-a01e-0042-1f2e-3d4c5b06a8b9',
  data: blobData,
  dataVersion: '',
  metadataVersion: '1',
}
// The same event in the CloudEvents schema.
const cloudEventsSchema = {
  source: TOPIC,
  subject: '/blobServices/default/containers/uploads/blobs/receipt-1042.png',
  type: 'Microsoft.Storage.BlobCreated',
  time: '2026-12-07T09:12:44.1234567Z',
  id: 'c7e1d2f3-a01e-0042-1f2e-3d4c5b06a8b9',
  data: blobData,
  specversion: '1.0',
}
// A custom topic's event, Event Grid schema: an empty subject, a dataVersion.
const customEvent = {
  id: '9d8c7b6a-5f4e-11ef-a3d2-0242ac120002',
  subject: '',
  data: { orderId: 'A1' },
  eventType: 'Shop.Orders.Placed',
  dataVersion: '2.0',
  metadataVersion: '1',
  eventTime: '2026-12-07T09:15:00.5Z',
  topic: '/subscriptions/5b4b650e-28b9-4790-b3ab-ddbd88d727c4/resourceGroups/shop/providers/Microsoft.EventGrid/topics/orders',
}

const sendEvent = (fn: string, event: unknown) => invoke(fn, { input: { json: JSON.stringify(event) }, triggerMetadata: {} })

describe('Event Grid', () => {
  it('registers as an eventGridTrigger binding', () => {
    expect(Object.values(bindingsOf('blobs'))).toContainEqual(expect.objectContaining({ type: 'eventGridTrigger', direction: 'in' }))
  })

  it('the Event Grid schema: id, topic as source, eventType as type, subject, eventTime as time, data', async () => {
    recorder.seen.length = 0
    expect((await sendEvent('blobs', eventGridSchema)).ok).toBe(true)
    expect({ ...recorder.seen[0]!.event }).toEqual({
      specversion: '1.0',
      id: 'c7e1d2f3-a01e-0042-1f2e-3d4c5b06a8b9',
      source: TOPIC,
      type: 'Microsoft.Storage.BlobCreated',
      subject: '/blobServices/default/containers/uploads/blobs/receipt-1042.png',
      time: '2026-12-07T09:12:44.1234567Z',
      datacontenttype: 'application/json',
      data: blobData,
    })
    expect(recorder.seen[0]!.ctx.provider.raw).toMatchObject({ input: eventGridSchema, context: expect.objectContaining({ functionName: 'blobs' }) })
  })

  it('the CloudEvents schema, told apart by specversion, is read as it is: the same event', async () => {
    recorder.seen.length = 0
    await sendEvent('blobs', cloudEventsSchema)
    await sendEvent('blobs', eventGridSchema)
    const [fromCloudEvents, fromEventGrid] = recorder.seen.map((s) => ({ ...s.event }))
    expect(fromCloudEvents).toEqual(cloudEventsSchema)
    // The same attributes both ways; only the Event Grid schema says its data is JSON.
    const { datacontenttype, ...rest } = fromEventGrid!
    expect(datacontenttype).toBe('application/json')
    expect(fromCloudEvents).toEqual(rest)
  })

  it('a custom topic: an empty subject is absent, dataVersion is the dataversion extension', async () => {
    recorder.seen.length = 0
    await sendEvent('blobs', customEvent)
    const event = { ...recorder.seen[0]!.event }
    expect(event).toMatchObject({ id: customEvent.id, type: 'Shop.Orders.Placed', source: customEvent.topic, dataversion: '2.0', data: { orderId: 'A1' } })
    expect('subject' in event).toBe(false)
  })

  it("outcomes: retry fails the invocation (Event Grid redelivers); a drop completes it under onDrop 'ack', fails it under 'dead-letter'", async () => {
    expect((await sendEvent('blobs', { ...customEvent, data: { fail: 'retry' } })).ok).toBe(false)
    const dropped = await sendEvent('blobs', { ...customEvent, data: { fail: 'permanent' } })
    expect(dropped.ok).toBe(true)
    expect(userLines(dropped)).toContainEqual({ level: 'warning', line: expect.objectContaining({ msg: 'event dropped, will not be retried', deliveryId: customEvent.id }) })
    expect((await sendEvent('blobs-dlq', { ...customEvent, data: { fail: 'permanent' } })).ok).toBe(false)
  })

  it('an event with neither schema (no topic) is a drop', async () => {
    recorder.seen.length = 0
    const { topic: _, ...noTopic } = customEvent
    expect((await sendEvent('blobs', noTopic)).ok).toBe(true)
    expect((await sendEvent('blobs-dlq', noTopic)).ok).toBe(false)
    expect(recorder.seen).toHaveLength(0)
  })
})

describe('timer', () => {
  // The host's TimerInfo JSON, PascalCase.
  const tick = (status: { Last: string; Next: string; LastUpdated: string } | null, isPastDue = false) => ({
    json: JSON.stringify({ Schedule: { AdjustForDST: true }, ScheduleStatus: status, IsPastDue: isPastDue }),
  })
  const status = { Last: '2026-12-07T09:10:00+00:00', Next: '2026-12-07T09:15:00+00:00', LastUpdated: '2026-12-07T09:10:00.8+00:00' }

  it('registers as a timerTrigger binding', () => {
    expect(Object.values(bindingsOf('nightly'))).toContainEqual(expect.objectContaining({ type: 'timerTrigger', direction: 'in', schedule: '0 */5 * * * *' }))
  })

  it('one event a tick: id from the function and the occurrence being run, isPastDue and the schedule status as extensions', async () => {
    recorder.seen.length = 0
    expect((await invoke('nightly', { input: tick(status) })).ok).toBe(true)
    const [{ event, ctx }] = recorder.seen as [(typeof recorder.seen)[0]]
    expect({ ...event }).toEqual({
      specversion: '1.0',
      id: 'nightly@2026-12-07T09:15:00.000Z',
      source: timerSource('nightly'),
      type: TIMER_TYPE,
      time: '2026-12-07T09:15:00.000Z',
      datacontenttype: 'application/json',
      data: { schedule: { adjustForDST: true }, scheduleStatus: { last: status.Last, next: status.Next, lastUpdated: status.LastUpdated }, isPastDue: false },
      ispastdue: false,
      schedulelast: status.Last,
      schedulenext: status.Next,
      scheduleupdated: status.LastUpdated,
    })
    expect(event.source).toBe('//functions.azure.com/timer/nightly')
    expect(ctx.provider.raw).toMatchObject({ input: { isPastDue: false }, context: expect.objectContaining({ functionName: 'nightly' }) })
  })

  it('a past-due tick keeps the id of the occurrence it makes up for; a retry of the same tick has the same id, and its attempt from retryContext', async () => {
    recorder.seen.length = 0
    await invoke('nightly', { input: tick(status, true) })
    // A retry policy's second run: the host sends retryCount 1 (0 on the first run, sent only when a policy applies).
    await invoke('nightly', { input: tick(status, true), retryContext: { retryCount: 1, maxRetryCount: 3 } })
    expect(recorder.seen.map((s) => [s.event.id, s.event.ispastdue, s.ctx.attempt])).toEqual([
      ['nightly@2026-12-07T09:15:00.000Z', true, undefined],
      ['nightly@2026-12-07T09:15:00.000Z', true, 2],
    ])
  })

  it('without schedule monitoring (no status) the tick is named by the invocation start', async () => {
    recorder.seen.length = 0
    const before = Date.now()
    await invoke('nightly', { input: tick(null) })
    const event = recorder.seen[0]!.event
    const at = Date.parse(event.time!)
    expect(at).toBeGreaterThanOrEqual(before)
    expect(event.id).toBe(`nightly@${new Date(at).toISOString()}`)
    expect(event).not.toHaveProperty('schedulenext')
  })

  it('the timer.type option; a failed tick fails the invocation, a dropped one is logged and completes', async () => {
    recorder.seen.length = 0
    await invoke('typed-timer', { input: tick(status) })
    expect(recorder.seen[0]!.event.type).toBe('com.example.typed-timer')
    timerFails = 'retry'
    const failed = await invoke('failing-timer', { input: tick(status) })
    expect(failed.ok).toBe(false)
    expect((failed as { error: Error }).error.message).toBe('store down')
    timerFails = 'permanent'
    const dropped = await invoke('failing-timer', { input: tick(status) })
    expect(dropped.ok).toBe(true)
    expect(userLines(dropped)).toContainEqual({ level: 'warning', line: expect.objectContaining({ msg: 'event dropped, will not be retried', eventId: 'failing-timer@2026-12-07T09:15:00.000Z' }) })
  })
})
