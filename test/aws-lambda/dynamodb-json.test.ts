/**
 * DynamoDB JSON as plain values: the unmarshaller on its own (a property:
 * any plain value marshalled the way DynamoDB writes it reads back the same;
 * numbers exact or kept as their decimal string), and the DynamoDB Streams
 * mapper's `unmarshall` option on a real stream payload.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { defineHandler, type CloudEvent } from 'faasade'
import { dynamodbStreamMapper, toLambda, unmarshall, unmarshallValue, type AttributeValue, type DynamoDbChange, type DynamoDbValue } from 'faasade/aws-lambda'
import { captureLog, fixture, lambdaContext } from './helpers.js'

/** A plain value in DynamoDB JSON, as DynamoDB writes it (lists, not sets, for arrays). */
function marshall(value: DynamoDbValue): AttributeValue {
  if (value === null) return { NULL: true }
  if (typeof value === 'string') return { S: value }
  if (typeof value === 'number') return { N: String(value) }
  if (typeof value === 'boolean') return { BOOL: value }
  if (value instanceof Uint8Array) return { B: btoa(String.fromCharCode(...value)) }
  if (Array.isArray(value)) return { L: value.map(marshall) }
  return { M: Object.fromEntries(Object.entries(value).map(([k, v]) => [k, marshall(v)])) }
}

const plain: fc.Arbitrary<DynamoDbValue> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string(),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (Object.is(n, -0) ? 0 : n)),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.uint8Array({ maxLength: 20 }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 8 }), tie('value'), { maxKeys: 4 }),
  ),
})).value as fc.Arbitrary<DynamoDbValue>

describe('unmarshall', () => {
  it('reads back any plain value marshalled as DynamoDB writes it (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 8 }), plain, { maxKeys: 6 }), (item) => {
        const image = Object.fromEntries(Object.entries(item).map(([k, v]) => [k, marshall(v)]))
        expect(unmarshall(image)).toEqual(item)
      }),
      { numRuns: 300 },
    )
  })

  it('gives a number only when it is the same decimal, else keeps the string (property over decimal strings)', () => {
    const decimalText = fc
      .tuple(fc.constantFrom('', '-'), fc.stringMatching(/^[0-9]{1,40}$/), fc.option(fc.stringMatching(/^[0-9]{1,40}$/), { nil: undefined }), fc.option(fc.integer({ min: -130, max: 125 }), { nil: undefined }))
      .map(([sign, int, fraction, exponent]) => `${sign}${int}${fraction === undefined ? '' : `.${fraction}`}${exponent === undefined ? '' : `E${exponent}`}`)
    fc.assert(
      fc.property(decimalText, (text) => {
        const value = unmarshallValue({ N: text })
        if (typeof value === 'number') expect(Number(text)).toBe(value)
        else expect(value).toBe(text)
      }),
      { numRuns: 500 },
    )
  })

  it('numbers at the edges: exact ones as numbers, 38-digit ones as their strings', () => {
    const n = (text: string) => unmarshallValue({ N: text })
    expect([n('42'), n('-0.001'), n('1.50'), n('1E+2'), n('9007199254740991')]).toEqual([42, -0.001, 1.5, 100, 9007199254740991])
    expect([n('9007199254740993'), n('12345678901234567890123456789012345678'), n('0.1000000000000000000001'), n('1E+400')]).toEqual([
      '9007199254740993',
      '12345678901234567890123456789012345678',
      '0.1000000000000000000001',
      '1E+400',
    ])
  })

  it('sets as arrays, binary as bytes, an attribute named __proto__ as data', () => {
    const item = unmarshall({ tags: { SS: ['a', 'b'] }, scores: { NS: ['1', '2.5'] }, blobs: { BS: ['AAE='] }, b: { B: 'aGk=' }, ['__proto__']: { S: 'x' } })
    expect(item).toEqual({ tags: ['a', 'b'], scores: [1, 2.5], blobs: [new Uint8Array([0, 1])], b: new Uint8Array([104, 105]), ['__proto__']: 'x' })
    expect(Object.getPrototypeOf(item)).toBe(Object.prototype)
  })

  it('refuses what is not DynamoDB JSON, naming where', () => {
    expect(() => unmarshall({ a: { M: { b: { N: 'ten' } } } })).toThrow('Not DynamoDB JSON: a.b is not a number')
    expect(() => unmarshall({ a: { S: 'x', N: '1' } })).toThrow('a must have exactly one type key, has 2')
    expect(() => unmarshall({ a: { X: 1 } })).toThrow('a has an unknown type "X"')
    expect(() => unmarshall({ a: { NULL: false } })).toThrow('a is not a valid NULL value')
    expect(() => unmarshall([])).toThrow('the item is not a map of attributes')
  })
})

describe("the DynamoDB Streams mapper's unmarshall option", () => {
  it('gives the handler plain Keys, NewImage and OldImage, on a real stream payload', async () => {
    const seen: CloudEvent[] = []
    const handler = defineHandler({ type: 'com.amazonaws.dynamodb.*', handle: (event) => void seen.push(event) })
    const reply = await toLambda(handler, { log: captureLog().log, mappers: [dynamodbStreamMapper({ unmarshall: true })] })(fixture('dynamodb--base'), lambdaContext())
    expect(reply).toEqual({ batchItemFailures: [] })
    const [insert, modify] = seen.map((e) => e.data as DynamoDbChange)
    expect(insert).toMatchObject({ Keys: { Id: 101 }, NewImage: { Message: 'New item!', Id: 101 }, SequenceNumber: '111', StreamViewType: 'NEW_IMAGE' })
    expect(modify).toMatchObject({ OldImage: { Message: 'New item!', Id: 101 }, NewImage: { Message: 'This item has changed', Id: 101 } })
  })

  it('without it, the images stay DynamoDB JSON (the built-in mapper)', async () => {
    const seen: unknown[] = []
    const handler = defineHandler({ type: 'com.amazonaws.dynamodb.*', handle: (event) => void seen.push(event.data) })
    await toLambda(handler, { log: captureLog().log, mappers: [dynamodbStreamMapper()] })(fixture('dynamodb--base'), lambdaContext())
    expect(seen[0]).toMatchObject({ NewImage: { Message: { S: 'New item!' }, Id: { N: '101' } } })
  })

  it('drops a record whose image is not DynamoDB JSON, reporting it failed for the dead-letter path', async () => {
    const event = fixture('dynamodb--base')
    event.Records[0].dynamodb.NewImage.Id = { N: 'many' }
    const { log, lines } = captureLog()
    const handler = defineHandler({ type: 'com.amazonaws.dynamodb.*', handle: () => {} })
    const reply = await toLambda(handler, { log, mappers: [dynamodbStreamMapper({ unmarshall: true })] })(event, lambdaContext())
    expect(reply).toEqual({ batchItemFailures: [{ itemIdentifier: '111' }, { itemIdentifier: '222' }] })
    expect(lines).toContainEqual(expect.objectContaining({ errorName: 'InvalidEventError', deliveryId: '111' }))
  })
})
