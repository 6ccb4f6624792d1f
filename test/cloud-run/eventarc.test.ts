/**
 * Eventarc's deliveries as Google sends them (the fixtures in
 * test/fixtures/gcp, their sources in its README), through both doors on
 * 127.0.0.1: the plain server and an HTTP function on the real functions
 * framework (`getTestServer`). One table: Pub/Sub events are decoded (the
 * message's data into `data`, its fields as extensions) in binary and
 * structured mode; Cloud Storage, audit-log and Firestore events reach
 * the handler unchanged, attributes and data as sent, protobuf data as
 * bytes; Pub/Sub push envelopes become one event each.
 */
import { readFileSync } from 'node:fs'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { http } from '@google-cloud/functions-framework'
import { getTestServer } from '@google-cloud/functions-framework/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defineHandler, defineService, type CloudEvent } from 'faasade'
import { createServer, toHttpFunction } from 'faasade/cloud-run'

const fixture = <T = Record<string, unknown>>(name: string): T => JSON.parse(readFileSync(new URL(`../fixtures/gcp/${name}.json`, import.meta.url), 'utf8')) as T

const seen: CloudEvent[] = []
const service = defineService({ events: [defineHandler({ type: '*', handle: (event) => void seen.push(event) })] })

let framework: Server
const urls: Record<string, string> = {}

let plain: Server

beforeAll(async () => {
  plain = createServer(service)
  await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve))
  urls['the plain server'] = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`
  http('eventarc', toHttpFunction(service))
  framework = getTestServer('eventarc')
  await new Promise<void>((resolve) => framework.listen(0, '127.0.0.1', resolve))
  urls['the functions framework'] = `http://127.0.0.1:${(framework.address() as AddressInfo).port}`
})

afterAll(async () => {
  for (const server of [plain, framework]) {
    server?.closeAllConnections()
    await new Promise((resolve) => server?.close(resolve))
  }
})

/**
 * A structured-mode CloudEvent as binary mode: each attribute a `ce-`
 * header, percent-encoded as the HTTP binding says (an audit log's id holds
 * a literal `%2F`), `data` the body.
 */
function binary(event: Record<string, unknown>, contentType = 'application/json'): { headers: Record<string, string>; body: string } {
  const headers: Record<string, string> = { 'content-type': contentType }
  const encode = (value: string) => value.replace(/[%" \u0080-\uffff]/g, (c) => encodeURIComponent(c))
  for (const [name, value] of Object.entries(event)) if (name !== 'data' && name !== 'datacontenttype') headers[`ce-${name}`] = encode(String(value))
  return { headers, body: JSON.stringify(event.data) }
}

/** What fetch may not send as given (it sets its own host and encoding). */
function sendable(headers: Record<string, string>): Record<string, string> {
  const { host: _host, 'accept-encoding': _encoding, ...rest } = headers
  return rest
}

interface Case {
  name: string
  request: () => { headers: Record<string, string>; body: string | Uint8Array<ArrayBuffer> }
  expect: (event: CloudEvent) => void
}

const text = (data: unknown) => new TextDecoder().decode(data as Uint8Array)

const storageFinalized = fixture('storage--object-finalized')
// No fixture of a deletion in this form: the same object, as Eventarc names the other event.
const storageDeleted = { ...storageFinalized, type: 'google.cloud.storage.object.v1.deleted' }
const auditLog = fixture('auditlog--bigquery-job-completed')
const firestoreData = fixture('firestore--document-written-data')
const firestore = {
  specversion: '1.0',
  id: '7b8f1804-d38b-4b68-b37d-e2fb5d12d5a0',
  source: '//firestore.googleapis.com/projects/project-id/databases/(default)',
  type: 'google.cloud.firestore.document.v1.written',
  subject: 'documents/gcf-test/2Vm2mI1d0wIaK2Waj5to',
  time: '2020-04-23T12:00:27.247187Z',
  data: firestoreData,
}
const eventarcPubSub = fixture<{ headers: Record<string, string>; body: unknown }>('eventarc--pubsub-binary-http')
const eventarcAudit = fixture<{ headers: Record<string, string>; body: unknown }>('eventarc--auditlog-binary-http')

/** The event as sent: every attribute, and data unchanged. */
const unchanged = (sent: Record<string, unknown>) => (event: CloudEvent) => {
  const { data, ...attributes } = sent
  expect(event).toMatchObject(attributes)
  expect(event.data).toEqual(data)
  expect(event.messageid).toBeUndefined()
}

const cases: Case[] = [
  {
    name: 'Eventarc, Pub/Sub, binary mode (the pre-GA type): the message data decoded, its fields as extensions',
    request: () => ({ headers: sendable(eventarcPubSub.headers), body: JSON.stringify(eventarcPubSub.body) }),
    expect: (event) => {
      expect(event).toMatchObject({ id: '1413058901901494', type: 'com.google.cloud.pubsub.topic.publish', source: '//pubsub.googleapis.com/projects/MY-PROJECT/topics/MY-TOPIC', messageid: '1408577928008405', subscription: 'projects/MY-PROJECT/subscriptions/MY-SUB' })
      expect(text(event.data)).toBe('Hello there')
    },
  },
  {
    name: 'Eventarc, Pub/Sub messagePublished, structured mode: attributes and ordering key as extensions',
    request: () => ({ headers: { 'content-type': 'application/cloudevents+json' }, body: JSON.stringify(fixture('pubsub--message-published')) }),
    expect: (event) => {
      expect(event).toMatchObject({ id: '3103425958877813', type: 'google.cloud.pubsub.topic.v1.messagePublished', attr1: 'attr1-value', orderingkey: 'ordering-key', messageid: 'message-id', subscription: 'projects/test-project/subscriptions/my-subscription' })
      expect(text(event.data)).toBe('test message 3')
    },
  },
  {
    name: 'Eventarc, Pub/Sub messagePublished, binary mode, Pub/Sub’s duplicated fields: bytes stay bytes',
    request: () => ({
      headers: { 'content-type': 'application/json', 'ce-specversion': '1.0', 'ce-id': 'dup-1', 'ce-source': '//pubsub.googleapis.com/projects/my-project/topics/t', 'ce-type': 'google.cloud.pubsub.topic.v1.messagePublished' },
      body: JSON.stringify(fixture('pubsub--message-published-data-duplicated-fields')),
    }),
    expect: (event) => {
      expect(event).toMatchObject({ id: 'dup-1', messageid: 'message-id', publishtime: '2021-02-05T04:06:14.109Z', datacontenttype: 'application/octet-stream' })
      expect([...(event.data as Uint8Array)]).toEqual([1, 2, 3, 4])
    },
  },
  { name: 'Cloud Storage object.v1.finalized, structured mode, unchanged (its extra `bucket` attribute too)', request: () => ({ headers: { 'content-type': 'application/cloudevents+json' }, body: JSON.stringify(storageFinalized) }), expect: unchanged(storageFinalized) },
  { name: 'Cloud Storage object.v1.finalized, binary mode (as Eventarc delivers it), unchanged', request: () => binary(storageFinalized), expect: unchanged({ ...storageFinalized, datacontenttype: 'application/json' }) },
  { name: 'Cloud Storage object.v1.deleted, binary mode, unchanged', request: () => binary(storageDeleted), expect: unchanged({ ...storageDeleted, datacontenttype: 'application/json' }) },
  {
    // Header names are case-blind: Google's camelCase extensions (methodName, …) arrive lower-cased, as CloudEvents names must be.
    name: 'Cloud Audit Logs audit.log.v1.written, binary mode (as Eventarc delivers it), unchanged',
    request: () => binary(auditLog, 'application/json; charset=utf-8'),
    expect: (event) => {
      const { data, methodName, recordedTime, resourceName, serviceName, ...attributes } = auditLog
      expect(event).toMatchObject({ ...attributes, methodname: methodName, recordedtime: recordedTime, resourcename: resourceName, servicename: serviceName })
      expect(event.data).toEqual(data)
    },
  },
  {
    name: 'Cloud Audit Logs, binary mode (the pre-GA type, Cloud Run’s own request), unchanged',
    request: () => ({ headers: sendable(eventarcAudit.headers), body: JSON.stringify(eventarcAudit.body) }),
    expect: (event) => {
      expect(event).toMatchObject({ type: 'com.google.cloud.auditlog.event', subject: 'storage.googleapis.com/projects/_/buckets/my-bucket', dataschema: 'type.googleapis.com/google.logging.v2.LogEntry', source: '//storage.googleapis.com/projects/my-project' })
      expect(event.data).toEqual(eventarcAudit.body)
    },
  },
  { name: 'Firestore document.v1.written, JSON data, binary mode, unchanged', request: () => binary(firestore), expect: unchanged({ ...firestore, datacontenttype: 'application/json' }) },
  {
    name: 'Firestore document.v1.written, protobuf data (Eventarc’s default), binary mode: the bytes as sent',
    request: () => ({ headers: binary(firestore, 'application/protobuf').headers, body: new Uint8Array([0x0a, 0x03, 0x66, 0x6f, 0x6f, 0x12, 0x00, 0xff]) }),
    expect: (event) => {
      expect(event).toMatchObject({ type: 'google.cloud.firestore.document.v1.written', subject: 'documents/gcf-test/2Vm2mI1d0wIaK2Waj5to', datacontenttype: 'application/protobuf' })
      expect([...(event.data as Uint8Array)]).toEqual([0x0a, 0x03, 0x66, 0x6f, 0x6f, 0x12, 0x00, 0xff])
    },
  },
  {
    name: 'a Pub/Sub push envelope (ordering key, duplicated fields)',
    request: () => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(fixture('pubsub-push--envelope')) }),
    expect: (event) => {
      expect(event).toMatchObject({ id: '4102184774039362', source: '//pubsub.googleapis.com/projects/sample-project/subscriptions/sample-subscription', orderingkey: 'orderxyz', attr1: 'value1', time: '2022-02-15T11:28:32.942Z' })
      expect(text(event.data)).toBe('Text message')
    },
  },
  {
    name: 'a Pub/Sub push envelope from the emulator (no publish time)',
    request: () => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(fixture('pubsub-push--emulator')) }),
    expect: (event) => {
      expect(event).toMatchObject({ id: '1', attr1: 'attr-value1' })
      expect(text(event.data)).toBe('Test message from emulator')
    },
  },
]

describe.each(['the plain server', 'the functions framework'])('an event CloudEvents cannot carry, through %s', (door) => {
  it('the audit-log example in structured mode, with camelCase extension names (methodName), is a 400 problem naming them', async () => {
    const response = await fetch(urls[door]!, { method: 'POST', headers: { 'content-type': 'application/cloudevents+json' }, body: JSON.stringify(auditLog) })
    expect(response.status).toBe(400)
    expect(response.headers.get('content-type')).toBe('application/problem+json')
    expect(((await response.json()) as { detail: string }).detail).toMatch(/methodName is not a valid extension attribute name/)
  })
})

describe.each(['the plain server', 'the functions framework'])('Eventarc and Pub/Sub through %s', (door) => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const { headers, body } = c.request()
    const before = seen.length
    const response = await fetch(urls[door]!, { method: 'POST', headers, body })
    expect(response.status, await response.clone().text()).toBe(204)
    expect(seen.length).toBe(before + 1)
    c.expect(seen.at(-1)!)
  })
})
