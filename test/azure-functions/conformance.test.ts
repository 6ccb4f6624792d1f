/**
 * The shared conformance table (test/conformance/cases.ts) through
 * `toAzureFunctions`, each case in its native Azure shape, invoked through
 * the library's ProgrammingModel; what the host is told is checked against
 * the neutral outcome:
 *
 * - `event`: one Storage queue message, and one Service Bus message, whose
 *   body is the structured CloudEvent (the shape that carries every
 *   attribute a case sets). The host learns ok / retry / drop from the
 *   invocation: completed for ok and (under onDrop 'ack') drop, failed for
 *   retry and (under 'dead-letter') drop.
 * - `batch`: Storage queue and Service Bus functions take one message an
 *   invocation, so each event is its own invocation, settled on its own.
 * - `ordered-batch`: one Event Hubs invocation (cardinality many) with no
 *   in-invocation retry (maxAttempts 1): the events given up, and why, are
 *   what onGiveUp receives.
 * - `http-*`: the HTTP trigger in each mode.
 * - `deadlinePassed`: a functionTimeoutMs shorter than the margin.
 *
 * The invocation says the same for ok and an acknowledged drop, so the
 * handler also records, per event id, what it returned or threw.
 */
import './support/host.js'
import { app } from '@azure/functions'
import { describe, expect, it } from 'vitest'
import { createEvent, createLogger, defineService, encodeBatch, encodeBinary, encodeStructured, toJsonFormat, type CloudEvent, type Outcome } from 'faasade'
import { toAzureFunctions, type AzureFunctionsOptions, type GivenUpEvent } from 'faasade/azure-functions'
import { cases, httpStatusFor, type ConformanceCase } from '../conformance/cases.js'
import { recordingHandler, type Recorded } from '../conformance/handler.js'
import { httpReply } from './helpers.js'
import { invoke, type RpcTypedData } from './support/host.js'

const quiet = createLogger({ sink: () => {} })
let registered = 0

/** Registers `kind` functions for a fresh recording service; returns their names and the record. */
function deploy(c: ConformanceCase, onDrop: 'ack' | 'dead-letter') {
  const record: Recorded = {}
  const givenUp: GivenUpEvent[][] = []
  const options: AzureFunctionsOptions = {
    onDrop,
    log: quiet,
    ...(c.deadlinePassed ? { functionTimeoutMs: 1, timeoutMarginMs: 1_000 } : {}),
    eventHubs: { maxAttempts: 1, onGiveUp: (events) => void givenUp.push([...events]) },
  }
  const azure = toAzureFunctions(defineService({ events: [recordingHandler(record)] }), options)
  const n = ++registered
  const names = { queue: `c-queue-${n}`, bus: `c-bus-${n}`, hub: `c-hub-${n}`, http: `c-http-${n}` }
  app.storageQueue(names.queue, { queueName: 'conformance', connection: 'AzureWebJobsStorage', handler: azure.storageQueue })
  app.serviceBusQueue(names.bus, { queueName: 'conformance', connection: 'ServiceBusConnection', handler: azure.serviceBus })
  app.eventHub(names.hub, { eventHubName: 'conformance', connection: 'EventHubConnection', cardinality: 'many', handler: azure.eventHubs })
  app.http(names.http, { methods: ['POST'], authLevel: 'anonymous', handler: azure.http })
  return { names, record, givenUp }
}

const json = (value: unknown): RpcTypedData => ({ json: JSON.stringify(value) })

/** Whether the host is told the invocation failed, for an outcome under a drop policy. */
const fails = (kind: Outcome['kind'], onDrop: 'ack' | 'dead-letter') => kind === 'retry' || (kind === 'drop' && onDrop === 'dead-letter')

function checkRecord(c: ConformanceCase, events: CloudEvent[], record: Recorded, ran: (i: number) => boolean = () => true) {
  events.forEach((event, i) => {
    const kind = c.expect.outcomes[i]
    const seen = record[event.id]
    if (c.expect.handlerRan === false || !ran(i)) return expect(seen?.result).toBeUndefined()
    if (kind === 'ok') {
      expect(seen?.result).toMatchObject({ n: (event.data as { n: number }).n, observed: { id: event.id, source: event.source, type: event.type, data: event.data } })
      const observed = c.expect.observed?.[i]
      if (observed) expect(seen!.result!.observed).toMatchObject(observed)
    } else if (c.expect.errors?.[i] !== 'ValidationError') {
      expect(seen?.error).toBe(c.expect.errors?.[i])
    }
  })
}

describe.each(['ack', 'dead-letter'] as const)("the conformance table, onDrop '%s'", (onDrop) => {
  const single = cases.filter((c) => c.delivery === 'event' || c.delivery === 'batch')
  it.each(single.map((c) => [c.name, c] as const))('%s (Storage queue and Service Bus, an invocation per event)', async (_name, c) => {
    for (const trigger of ['queue', 'bus'] as const) {
      const { names, record } = deploy(c, onDrop)
      const events = c.events.map((e) => createEvent(e))
      for (const [i, event] of events.entries()) {
        const body = json(toJsonFormat(event))
        const result =
          trigger === 'queue'
            ? await invoke(names.queue, { input: body, triggerMetadata: { Id: json(`q-${event.id}`), DequeueCount: json(1), InsertionTime: json('2026-11-24T08:00:01+00:00') } })
            : await invoke(names.bus, { input: body, triggerMetadata: { MessageId: json(`m-${event.id}`), DeliveryCount: json(1), EnqueuedTimeUtc: json('2026-11-24T08:00:01Z') } })
        expect(result.ok, `${trigger} ${event.id}`).toBe(!fails(c.expect.outcomes[i]!, onDrop))
      }
      checkRecord(c, events, record)
    }
  })

  const ordered = cases.filter((c) => c.delivery === 'ordered-batch')
  it.each(ordered.map((c) => [c.name, c] as const))('%s (Event Hubs, cardinality many)', async (_name, c) => {
    const { names, record, givenUp } = deploy(c, onDrop)
    const events = c.events.map((e) => createEvent(e))
    const metadata = {
      SequenceNumberArray: json(events.map((_, i) => i + 1)),
      OffsetArray: json(events.map((_, i) => String(i * 100))),
      EnqueuedTimeUtcArray: json(events.map(() => '2026-11-24T08:00:01Z')),
      PartitionContext: json({ PartitionId: '0', EventHubPath: 'conformance', ConsumerGroupName: '$Default' }),
    }
    const result = await invoke(names.hub, { input: json(events.map((e) => toJsonFormat(e))), triggerMetadata: metadata })
    expect(result.ok).toBe(true) // onGiveUp took what failed
    const reasonFor = (i: number) => {
      const kind = c.expect.outcomes[i]
      if (kind === 'retry') return c.expect.errors?.[i] === 'SkippedError' ? 'held-back' : 'retries-exhausted'
      return kind === 'drop' && onDrop === 'dead-letter' ? 'dropped' : undefined
    }
    const expected = events.map((e, i) => ({ id: e.id, reason: reasonFor(i) })).filter((e) => e.reason !== undefined)
    expect((givenUp[0] ?? []).map((g) => ({ id: g.event?.id, reason: g.reason }))).toEqual(expected)
    checkRecord(c, events, record, (i) => c.expect.errors?.[i] !== 'SkippedError')
  })

  const http = cases.filter((c) => c.delivery.startsWith('http-'))
  it.each(http.map((c) => [c.name, c] as const))('%s (HTTP trigger)', async (_name, c) => {
    const { names, record } = deploy(c, onDrop)
    const events = c.events.map((e) => createEvent(e))
    const encoded = c.delivery === 'http-binary' ? encodeBinary(events[0]!) : c.delivery === 'http-structured' ? encodeStructured(events[0]!) : encodeBatch(events)
    const body = encoded.body === undefined ? undefined : { bytes: typeof encoded.body === 'string' ? Buffer.from(encoded.body) : encoded.body }
    const reply = httpReply(await invoke(names.http, { input: { http: { method: 'POST', url: 'https://conformance.azurewebsites.net/api/events', headers: encoded.headers, ...(body ? { body } : {}) } } }))
    const [first] = c.expect.outcomes
    if (c.delivery !== 'http-batch') expect(Number(reply.statusCode)).toBe(first === 'ok' ? 200 : httpStatusFor[c.expect.errors![0]!])
    else expect(JSON.parse(reply.text).map((item: { outcome: string }) => item.outcome)).toEqual(c.expect.outcomes)
    checkRecord(c, events, record)
  })
})
