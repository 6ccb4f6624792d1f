/**
 * `fromJsonFormat`, the core's one reader of the JSON event format: the same
 * function reads a structured-mode body, each member of a batch, and (in the
 * Workers adapter) a queue message that is a structured CloudEvent.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createEvent, decodeCloudEvents, fromJsonFormat, InvalidEventError, toJsonFormat } from 'faasade'

const overHttp = (value: unknown) =>
  decodeCloudEvents({ method: 'POST', headers: { 'content-type': 'application/cloudevents+json' }, body: JSON.stringify(value) })[0]

const thrown = (read: () => unknown): InvalidEventError => {
  try {
    read()
  } catch (error) {
    if (error instanceof InvalidEventError) return error
    throw error
  }
  throw new Error('did not throw')
}

describe('fromJsonFormat', () => {
  it('reads the JSON format: null attributes absent, a null data kept, data_base64 as bytes', () => {
    expect(fromJsonFormat({ specversion: '1.0', id: '1', source: '/s', type: 't', subject: null, data: null })).toEqual({
      specversion: '1.0',
      id: '1',
      source: '/s',
      type: 't',
      data: null,
    })
    const bytes = fromJsonFormat({ specversion: '1.0', id: '1', source: '/s', type: 't', data: null, data_base64: 'AAEC/w==' })
    expect(bytes.data).toEqual(new Uint8Array([0, 1, 2, 255]))
    expect('data_base64' in bytes).toBe(false)
    expect(Object.isFrozen(bytes)).toBe(true)
  })

  it('is what a structured-mode request decodes to (property)', () => {
    // As JSON carries it: -0 comes back as 0.
    const jsonData = fc.jsonValue().map((value) => JSON.parse(JSON.stringify(value)) as unknown)
    const event = fc
      .record({ id: fc.string({ minLength: 1 }), source: fc.string({ minLength: 1 }), type: fc.string({ minLength: 1 }), data: fc.oneof(jsonData, fc.uint8Array({ maxLength: 8 })) })
      .filter(({ id, source, type }) => [id, source, type].every((v) => !/[\ud800-\udfff]/u.test(v)))
      .map((init) => createEvent(init))
    fc.assert(
      fc.property(event, (e) => {
        const json = JSON.parse(JSON.stringify(toJsonFormat(e))) as unknown
        expect(fromJsonFormat(json)).toEqual(e)
        expect(fromJsonFormat(json)).toEqual(overHttp(json))
      }),
    )
  })

  it('names each bad attribute, under the path it is given', () => {
    const error = thrown(() => fromJsonFormat({ specversion: '1.0', id: '', source: '/s', type: 't', data: 1, data_base64: 'AA==' }, [3]))
    expect(error.issues).toEqual([{ message: 'must not appear together with data', path: [3, 'data_base64'] }])
    expect(error.message).toBe('Invalid CloudEvent: 3.data_base64 must not appear together with data')
    expect(thrown(() => fromJsonFormat({ specversion: '1.0', source: '/s', type: 't' }, ['items', 0])).issues).toEqual([
      { message: 'is required', path: ['items', 0, 'id'] },
    ])
  })

  it('refuses what is not one JSON object, naming the body', () => {
    for (const value of [null, [], 'event', 7]) {
      const error = thrown(() => fromJsonFormat(value))
      expect(error.message).toBe('Invalid CloudEvent: body must be a JSON object (one event)')
      expect(error.issues).toEqual([{ message: 'must be a JSON object (one event)', path: [] }])
    }
  })
})
