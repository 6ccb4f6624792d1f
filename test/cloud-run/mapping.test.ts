/**
 * Google's triggers, as each reaches a Cloud Run service over HTTP, sent to
 * a real server on 127.0.0.1 in the exact shape Google sends them: a
 * Pub/Sub push envelope, an Eventarc Pub/Sub event (binary and structured
 * mode), a Cloud Scheduler run and a Cloud Tasks task; what the handler
 * gets, and the status each outcome gets back.
 */
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { createEvent, defineHandler, defineService, encodeBinary, NoHandlerError, PermanentError, RetryableError, type CloudEvent, type Context } from 'faasade'
import {
  BUILT_IN_MAPPERS,
  cloudSchedulerMapper,
  cloudTasksMapper,
  defineMapper,
  LEGACY_PUBSUB_TYPE,
  PUBSUB_TYPE,
  pubSubPushMapper,
  SCHEDULER_TYPE,
  TASKS_TYPE,
  type CloudRunRequest,
} from 'faasade/cloud-run'
import { startServer } from './support.js'

const seen: Array<{ event: CloudEvent; ctx: Context }> = []
const last = () => seen[seen.length - 1]!

/** Fails as the event's `behave` extension says. */
function behave(event: CloudEvent, ctx: Context) {
  seen.push({ event, ctx })
  if (event.behave === 'retry') throw new RetryableError('Dependency down')
  if (event.behave === 'later') throw new RetryableError('Rate limited', { retryAfterMs: 2_200 })
  if (event.behave === 'permanent') throw new PermanentError('Bad order')
  return { handled: event.id }
}

const service = defineService({
  events: [
    defineHandler({ type: PUBSUB_TYPE, handle: behave }),
    defineHandler({ type: LEGACY_PUBSUB_TYPE, handle: behave }),
    defineHandler({ type: SCHEDULER_TYPE, handle: behave }),
    defineHandler({ type: TASKS_TYPE, handle: behave }),
    defineHandler({ type: 'com.example.order.placed', handle: behave }),
  ],
})

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64')

/** A push envelope as Pub/Sub sends it (both spellings of the message's id and time, as it does). */
function envelope(data: string | undefined, more: { attributes?: Record<string, string>; deliveryAttempt?: number; orderingKey?: string } = {}) {
  return {
    message: {
      attributes: more.attributes ?? { region: 'eu' },
      ...(data === undefined ? {} : { data }),
      messageId: '5529061238194430',
      message_id: '5529061238194430',
      ...(more.orderingKey ? { orderingKey: more.orderingKey } : {}),
      publishTime: '2026-11-30T09:41:07.118Z',
      publish_time: '2026-11-30T09:41:07.118Z',
    },
    subscription: 'projects/shop-prod/subscriptions/orders-push',
    ...(more.deliveryAttempt === undefined ? {} : { deliveryAttempt: more.deliveryAttempt }),
  }
}

/** Pub/Sub's push request: JSON, its own user agent, no ce-* headers. */
const push = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'APIs-Google; (+https://developers.google.com/webmasters/APIs-Google.html)' }, body: JSON.stringify(body) })

describe('Pub/Sub push', () => {
  it('one CloudEvent a message: text data as bytes, attributes and message fields as extensions, 204', async () => {
    const { url } = await startServer(service)
    const response = await push(url, envelope(b64('plain words'), { orderingKey: 'customer-7', attributes: { region: 'eu', 'Content-Type': 'text/plain', id: 'clash', x_y: 'z' } }))
    expect(response.status).toBe(204)
    const { event, ctx } = last()
    expect(event).toMatchObject({
      id: '5529061238194430',
      source: '//pubsub.googleapis.com/projects/shop-prod/subscriptions/orders-push',
      type: PUBSUB_TYPE,
      time: '2026-11-30T09:41:07.118Z',
      datacontenttype: 'application/octet-stream',
      messageid: '5529061238194430',
      publishtime: '2026-11-30T09:41:07.118Z',
      orderingkey: 'customer-7',
      subscription: 'projects/shop-prod/subscriptions/orders-push',
      region: 'eu',
      contenttype: 'text/plain',
      xy: 'z',
    })
    expect(new TextDecoder().decode(event.data as Uint8Array)).toBe('plain words')
    // An attribute that would take a CloudEvents attribute's name is not copied.
    expect(event.id).toBe('5529061238194430')
    expect(ctx.attempt).toBeUndefined()
    expect(ctx.provider.name).toBe('cloud-run')
  })

  it('JSON data is parsed; deliveryAttempt is ctx.attempt', async () => {
    const { url } = await startServer(service)
    expect((await push(url, envelope(b64('{"orderId":"A1","amount":5}'), { deliveryAttempt: 3 }))).status).toBe(204)
    expect(last().event.data).toEqual({ orderId: 'A1', amount: 5 })
    expect(last().event.datacontenttype).toBe('application/json')
    expect(last().ctx.attempt).toBe(3)
  })

  it('a message whose data is a structured CloudEvent is that event, unwrapped', async () => {
    const { url } = await startServer(service)
    const inner = { specversion: '1.0', id: 'order-9', source: '//shop.example.com', type: 'com.example.order.placed', datacontenttype: 'application/json', data: { orderId: 'A9' } }
    expect((await push(url, envelope(b64(JSON.stringify(inner)), { deliveryAttempt: 2 }))).status).toBe(204)
    expect(last().event).toEqual(inner)
    expect(last().ctx.attempt).toBe(2)
  })

  it("the emulator's envelope (no publishTime, no ordering key)", async () => {
    const { url } = await startServer(service)
    const body = { subscription: 'projects/local-dev/subscriptions/orders', message: { data: b64('hello from the emulator'), messageId: '7', attributes: { attr1: 'v1' } } }
    expect((await push(url, body)).status).toBe(204)
    expect(last().event).toMatchObject({ id: '7', attr1: 'v1', source: '//pubsub.googleapis.com/projects/local-dev/subscriptions/orders' })
    expect(last().event.time).toBeUndefined()
  })

  it('a message with attributes and no data has no data', async () => {
    const { url } = await startServer(service)
    expect((await push(url, envelope(undefined, { attributes: { kind: 'ping' } }))).status).toBe(204)
    expect(last().event.data).toBeUndefined()
    expect(last().event.kind).toBe('ping')
  })

  it('retry is 503; retryAfterMs is 429 + Retry-After', async () => {
    const { url } = await startServer(service)
    expect((await push(url, envelope(b64('x'), { attributes: { behave: 'retry' } }))).status).toBe(503)
    const later = await push(url, envelope(b64('x'), { attributes: { behave: 'later' } }))
    expect(later.status).toBe(429)
    expect(later.headers.get('retry-after')).toBe('3')
  })

  it('drop is a 4xx problem by default (redelivered until the dead-letter topic), logged', async () => {
    const { url, logs } = await startServer(service)
    const response = await push(url, envelope(b64('x'), { attributes: { behave: 'permanent' } }))
    expect(response.status).toBe(422)
    expect(response.headers.get('content-type')).toBe('application/problem+json')
    expect(logs.some((l) => l.severity === 'ERROR' && l.message === 'event failed permanently, reported failed for the dead-letter path' && l.deliveryId === '5529061238194430')).toBe(true)
  })

  it("with onDrop: 'ack', a drop is logged and acknowledged with a 204", async () => {
    const { url, logs } = await startServer(service, { onDrop: 'ack' })
    expect((await push(url, envelope(b64('x'), { attributes: { behave: 'permanent' } }))).status).toBe(204)
    expect(logs.some((l) => l.severity === 'WARNING' && l.message === 'event dropped, will not be retried')).toBe(true)
  })

  it("data that is not base64 is a 400; a message no handler takes gets NoHandlerError's status", async () => {
    const { url } = await startServer(service)
    expect((await push(url, envelope('not base64!'))).status).toBe(400)
    const handlersElsewhere = await startServer(defineService({ events: [defineHandler({ type: 'com.example.other', handle: () => {} })] }))
    // The core decides what a missing handler means (a drop's 4xx, or a retry's 503 while the deploy is fixed).
    expect((await push(handlersElsewhere.url, envelope(b64('x')))).status).toBe(new NoHandlerError('none').status)
  })
})

describe('Eventarc, Pub/Sub source', () => {
  // Eventarc's binary-mode request to a Cloud Run service (older triggers name the type com.google.cloud.pubsub.topic.publish).
  const eventarcHeaders = (type: string) => ({
    'content-type': 'application/json',
    accept: 'application/json',
    from: 'noreply@google.com',
    'user-agent': 'APIs-Google; (+https://developers.google.com/webmasters/APIs-Google.html)',
    'x-cloud-trace-context': '4bf92f3577b34da6a3ce929d0e0e4736/2241171532402397211;o=1',
    'x-forwarded-proto': 'https',
    'ce-id': '2208839193650025',
    'ce-source': '//pubsub.googleapis.com/projects/shop-prod/topics/orders',
    'ce-specversion': '1.0',
    'ce-type': type,
    'ce-time': '2026-11-30T10:02:44.517Z',
  })
  const body = (data: string) => JSON.stringify({ message: { data, messageId: '2208839193650025', publishTime: '2026-11-30T10:02:44.517Z', attributes: { region: 'us' } }, subscription: 'projects/shop-prod/subscriptions/eventarc-us-central1-orders-sub-341' })

  it('binary mode: the message data decoded into data, the rest of the event as sent', async () => {
    const { url } = await startServer(service)
    const response = await fetch(url, { method: 'POST', headers: eventarcHeaders(LEGACY_PUBSUB_TYPE), body: body(b64('Good day')) })
    expect(response.status).toBe(204)
    const { event } = last()
    expect(event).toMatchObject({
      id: '2208839193650025',
      source: '//pubsub.googleapis.com/projects/shop-prod/topics/orders',
      type: LEGACY_PUBSUB_TYPE,
      time: '2026-11-30T10:02:44.517Z',
      datacontenttype: 'application/octet-stream',
      messageid: '2208839193650025',
      subscription: 'projects/shop-prod/subscriptions/eventarc-us-central1-orders-sub-341',
      region: 'us',
    })
    expect(new TextDecoder().decode(event.data as Uint8Array)).toBe('Good day')
  })

  it('binary mode, messagePublished, JSON data; a retry is 503', async () => {
    const { url } = await startServer(service)
    expect((await fetch(url, { method: 'POST', headers: eventarcHeaders(PUBSUB_TYPE), body: body(b64('{"orderId":"E1"}')) })).status).toBe(204)
    expect(last().event.data).toEqual({ orderId: 'E1' })
    const failing = JSON.stringify({ message: { data: b64('{}'), messageId: '1', attributes: { behave: 'retry' } }, subscription: 's' })
    expect((await fetch(url, { method: 'POST', headers: eventarcHeaders(PUBSUB_TYPE), body: failing })).status).toBe(503)
  })

  it('structured mode', async () => {
    const { url } = await startServer(service)
    const event = {
      specversion: '1.0',
      id: '3103425958877813',
      source: '//pubsub.googleapis.com/projects/shop-prod/topics/orders',
      type: PUBSUB_TYPE,
      time: '2026-11-30T10:05:00.001Z',
      datacontenttype: 'application/json',
      data: { subscription: 'projects/shop-prod/subscriptions/s1', message: { attributes: { attr1: 'one' }, data: b64('third message'), messageId: 'm-3', publishTime: '2026-11-30T10:05:00.001Z', orderingKey: 'k-1' } },
    }
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/cloudevents+json' }, body: JSON.stringify(event) })
    expect(response.status).toBe(204)
    expect(last().event).toMatchObject({ id: '3103425958877813', attr1: 'one', orderingkey: 'k-1', messageid: 'm-3', subscription: 'projects/shop-prod/subscriptions/s1' })
    expect(new TextDecoder().decode(last().event.data as Uint8Array)).toBe('third message')
  })

  it('an event whose data is no Pub/Sub envelope is a 400', async () => {
    const { url } = await startServer(service)
    expect((await fetch(url, { method: 'POST', headers: eventarcHeaders(PUBSUB_TYPE), body: '{"nothing":"here"}' })).status).toBe(400)
  })
})

describe('Cloud Scheduler', () => {
  const scheduler = (job: string, body: string, type = 'application/json') => ({
    method: 'POST',
    headers: {
      'content-type': type,
      'user-agent': 'Google-Cloud-Scheduler',
      'x-cloudscheduler': 'true',
      'x-cloudscheduler-jobname': job,
      'x-cloudscheduler-scheduletime': '2026-12-01T03:00:00.000Z',
    },
    body,
  })

  it('one tick event a run: the job in source and subject, the schedule time, the body as data', async () => {
    const { url } = await startServer(service)
    expect((await fetch(`${url}/sweep`, scheduler('nightly-sweep', '{"olderThanDays":3}'))).status).toBe(204)
    expect(last().event).toMatchObject({
      id: 'nightly-sweep@2026-12-01T03:00:00.000Z',
      source: '//cloudscheduler.googleapis.com/jobs/nightly-sweep',
      type: SCHEDULER_TYPE,
      subject: 'nightly-sweep',
      time: '2026-12-01T03:00:00.000Z',
      datacontenttype: 'application/json',
      data: { olderThanDays: 3 },
    })
  })

  it('a run with no body has no data; a failing run is a 503, a JSON body that is not JSON a 400', async () => {
    const { url } = await startServer(service)
    expect((await fetch(url, { ...scheduler('hourly', ''), method: 'GET', body: undefined })).status).toBe(204)
    expect(last().event.data).toBeUndefined()
    const failingService = defineService({ events: [defineHandler({ type: SCHEDULER_TYPE, handle: () => Promise.reject(new Error('db down')) })] })
    const failing = await startServer(failingService)
    expect((await fetch(failing.url, scheduler('hourly', '{}'))).status).toBe(503)
    expect((await fetch(url, scheduler('hourly', '{oops'))).status).toBe(400)
  })
})

describe('Cloud Tasks', () => {
  const task = (headers: Record<string, string>, body: string) => ({
    method: 'POST',
    headers: {
      'user-agent': 'Google-Cloud-Tasks',
      'x-cloudtasks-queuename': 'image-jobs',
      'x-cloudtasks-taskname': '07158203648920361781',
      'x-cloudtasks-taskretrycount': '2',
      'x-cloudtasks-taskexecutioncount': '2',
      'x-cloudtasks-tasketa': '1764579600.25',
      ...headers,
    },
    body,
  })

  it('one event a task: the task name as id, the queue in source, the path as subject, retry count + 1 as attempt', async () => {
    const { url } = await startServer(service)
    expect((await fetch(`${url}/tasks/resize?size=2`, task({ 'content-type': 'text/plain; charset=utf-8' }, 'photo-77.png'))).status).toBe(204)
    const { event, ctx } = last()
    expect(event).toMatchObject({
      id: '07158203648920361781',
      source: '//cloudtasks.googleapis.com/queues/image-jobs',
      type: TASKS_TYPE,
      subject: '/tasks/resize',
      time: '2025-12-01T09:00:00.250Z',
      data: 'photo-77.png',
    })
    expect(ctx.attempt).toBe(3)
  })

  it('a task whose body is a CloudEvent is that event, with the attempt', async () => {
    const { url } = await startServer(service)
    const { headers, body } = encodeBinary(createEvent({ id: 'order-5', source: '//shop.example.com', type: 'com.example.order.placed', datacontenttype: 'application/json', data: { orderId: 'T5' } }))
    expect((await fetch(url, task(headers, body as string))).status).toBe(204)
    expect(last().event).toMatchObject({ id: 'order-5', data: { orderId: 'T5' } })
    expect(last().ctx.attempt).toBe(3)
  })

  it('429 + Retry-After for a handler that says when; 422 for a permanent failure', async () => {
    const { url } = await startServer(service)
    const { headers: later } = encodeBinary(createEvent({ id: 'l', source: '/s', type: 'com.example.order.placed', behave: 'later' }))
    const response = await fetch(url, task(later, ''))
    expect(response.status).toBe(429)
    expect(response.headers.get('retry-after')).toBe('3')
    const { headers: permanent } = encodeBinary(createEvent({ id: 'p', source: '/s', type: 'com.example.order.placed', behave: 'permanent' }))
    expect((await fetch(url, task(permanent, ''))).status).toBe(422)
  })
})

describe('which requests become events', () => {
  it("a user's mapper is tried before the built-in ones", async () => {
    const mine = defineMapper({
      kind: 'events',
      name: 'my-push',
      match: (request): request is CloudRunRequest => request.url === '/mine',
      toEvents: (request) => [{ event: createEvent({ id: 'mine-1', source: '/mine', type: 'com.example.order.placed', data: request.headers['x-note'] }) }],
      reply: (outcomes) => ({ status: outcomes[0]!.kind === 'ok' ? 200 : 500, headers: { 'content-type': 'text/plain' }, body: 'mine' }),
    })
    const { url } = await startServer(service, { mappers: [mine] })
    const response = await fetch(`${url}/mine`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-note': 'hi' }, body: JSON.stringify(envelope(b64('x'))) })
    expect(response.status).toBe(200)
    expect(await response.text()).toBe('mine')
    expect(last().event).toMatchObject({ id: 'mine-1', data: 'hi' })
  })

  it('a service that is only an app gets Pub/Sub, Scheduler and Tasks requests as they came', async () => {
    const app = new Hono().post('/push', async (c) => c.json({ got: ((await c.req.json()) as { subscription: string }).subscription, job: c.req.header('x-cloudscheduler-jobname') ?? null }))
    const { url } = await startServer(app)
    const response = await push(`${url}/push`, envelope(b64('x')))
    expect(await response.json()).toEqual({ got: 'projects/shop-prod/subscriptions/orders-push', job: null })
  })

  it('each mapper factory names the type of its events: one for all, or per delivery', async () => {
    const { url } = await startServer(service, {
      mappers: [
        pubSubPushMapper({ type: (message, subscription) => (message.attributes?.kind === 'order' && subscription.endsWith('/orders-push') ? 'com.example.order.placed' : PUBSUB_TYPE) }),
        cloudTasksMapper({ type: (queue, request) => `com.example.${queue}.${request.url.split('/').pop()}` }),
        cloudSchedulerMapper({ type: 'com.example.order.placed' }),
      ],
    })
    expect((await push(url, envelope(b64('{"orderId":"P1"}'), { attributes: { kind: 'order' } }))).status).toBe(204)
    expect(last().event).toMatchObject({ type: 'com.example.order.placed', data: { orderId: 'P1' }, kind: 'order' })
    const tasked = await startServer(defineService({ events: [defineHandler({ type: 'com.example.image-jobs.resize', handle: behave })] }), { mappers: [cloudTasksMapper({ type: (queue, request) => `com.example.${queue}.${request.url.split('/').pop()}` })] })
    const task = await fetch(`${tasked.url}/tasks/resize`, { method: 'POST', headers: { 'x-cloudtasks-queuename': 'image-jobs', 'x-cloudtasks-taskname': 't-1', 'x-cloudtasks-taskretrycount': '0' } })
    expect(task.status).toBe(204)
    expect(last().event).toMatchObject({ id: 't-1', type: 'com.example.image-jobs.resize' })
    expect(last().ctx.attempt).toBe(1)
    const tick = await fetch(url, { method: 'POST', headers: { 'x-cloudscheduler': 'true', 'x-cloudscheduler-jobname': 'j' } })
    expect(tick.status).toBe(204)
    expect(last().event.type).toBe('com.example.order.placed')
  })

  it('triggers: [] serves every request as the kit does', async () => {
    const { url } = await startServer(service, { triggers: [] })
    // A push envelope is no CloudEvent, and this service has no app.
    expect((await push(url, envelope(b64('x')))).status).toBe(400)
  })

  it('each trigger shape is matched by exactly one built-in mapper, and a plain request by none', () => {
    const request = (headers: Record<string, string>, body = ''): CloudRunRequest => ({ method: 'POST', url: '/', headers, body: new TextEncoder().encode(body) })
    const shapes: Record<string, CloudRunRequest> = {
      'pubsub-push': request({ 'content-type': 'application/json' }, JSON.stringify(envelope(b64('x')))),
      'eventarc-pubsub': request({ 'content-type': 'application/json', 'ce-specversion': '1.0', 'ce-type': PUBSUB_TYPE, 'ce-id': '1', 'ce-source': '/s' }, JSON.stringify(envelope(b64('x')))),
      'cloud-scheduler': request({ 'x-cloudscheduler': 'true', 'x-cloudscheduler-jobname': 'j' }),
      'cloud-tasks': request({ 'x-cloudtasks-queuename': 'q', 'x-cloudtasks-taskname': 't' }),
    }
    for (const [name, shape] of Object.entries(shapes)) expect(BUILT_IN_MAPPERS.filter((m) => m.match(shape)).map((m) => m.name)).toEqual([name])
    const plain = [
      request({ 'content-type': 'application/json' }, '{"message":"hi"}'),
      request({ 'ce-specversion': '1.0', 'ce-type': 'com.example.x', 'ce-id': '1', 'ce-source': '/s' }, '{}'),
      request({ 'content-type': 'application/json' }, '[1,2]'),
      request({}, 'not json'),
    ]
    for (const shape of plain) expect(BUILT_IN_MAPPERS.filter((m) => m.match(shape))).toEqual([])
  })
})
