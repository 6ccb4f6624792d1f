/**
 * CloudEvents as Google Eventarc and Azure Event Grid really send them
 * (test/fixtures/http/README.md). They pass through unchanged, where the
 * binding allows it; where a provider breaks a MUST, the test says which.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { decodeCloudEvents } from 'faasade'
import { JSON_BATCH, JSON_EVENT, pathsOf, post, problemOf, recorder, serve } from './helpers.js'

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/http/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>
const binaryDelivery = (name: string) => {
  const { headers, body } = fixture(name) as { headers: Record<string, string>; body: unknown }
  return post(headers, new TextEncoder().encode(JSON.stringify(body)))
}

describe('Google Eventarc, binary mode', () => {
  it('Pub/Sub: attributes from the ce-* headers, the JSON body as data', async () => {
    const { handler, seen } = recorder()
    const { reply } = await serve(handler, binaryDelivery('eventarc--pubsub-binary-http.json'))
    expect(reply.status).toBe(204)
    expect(seen[0]).toEqual({
      specversion: '1.0',
      id: '1413058901901494',
      source: '//pubsub.googleapis.com/projects/MY-PROJECT/topics/MY-TOPIC',
      type: 'com.google.cloud.pubsub.topic.publish',
      time: '2020-12-08T20:03:19.162Z',
      datacontenttype: 'application/json',
      data: (fixture('eventarc--pubsub-binary-http.json') as { body: unknown }).body,
    })
  })

  it('Audit Logs: a dataschema without a scheme is taken as sent; a literal %2F in the id is decoded, as 3.1.3.2 says', () => {
    const [event] = decodeCloudEvents(binaryDelivery('eventarc--auditlog-binary-http.json'))
    expect(event!.dataschema).toBe('type.googleapis.com/google.logging.v2.LogEntry')
    expect(event!.subject).toBe('storage.googleapis.com/projects/_/buckets/my-bucket')
    expect(event!.time).toBe('2020-08-08T00:11:44.895529672Z')
    expect(event!.id).toBe('projects/my-project/logs/cloudaudit.googleapis.com/activity-h6wqfbe7zeke1596845504895522')
    expect(event!.datacontenttype).toBe('application/json; charset=utf-8')
  })
})

describe('Google CloudEvents, structured mode', () => {
  for (const name of ['pubsub--message-published.json', 'storage--object-finalized.json']) {
    it(`${name}: the same event, extension attributes included`, () => {
      const sent = fixture(name)
      expect(decodeCloudEvents(post({ 'content-type': JSON_EVENT }, JSON.stringify(sent)))).toEqual([sent])
    })
  }

  it('audit log: its camelCase extension names break the naming rule, so it is a 400 naming each', async () => {
    const { reply } = await serve(recorder().handler, post({ 'content-type': JSON_EVENT }, JSON.stringify(fixture('auditlog--bigquery-job-completed.json'))))
    expect(pathsOf(problemOf(reply, 400)).sort()).toEqual(['methodName', 'recordedTime', 'resourceName', 'serviceName'])
  })
})

describe('Azure Event Grid, CloudEvents schema', () => {
  it('a custom event with an empty subject is taken as sent (the spec asks for non-empty; Event Grid sends "")', () => {
    const sent = fixture('eventgrid--custom-event-cloudevents-schema.json')
    expect(decodeCloudEvents(post({ 'content-type': 'application/cloudevents+json; charset=utf-8' }, JSON.stringify(sent)))).toEqual([sent])
  })

  it('the BlobCreated batch, each event its own', async () => {
    const { handler, seen } = recorder()
    const sent = fixture('eventgrid--blob-created-cloudevents-schema.json')
    const { reply } = await serve(handler, post({ 'content-type': JSON_BATCH }, JSON.stringify(sent)))
    expect(reply.status).toBe(200)
    expect(seen).toEqual(sent)
  })
})
