/**
 * The small HTTP helpers under the binding: media types, bodies, base64.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isJsonMediaType, mediaType } from 'faasade'
import { bodyBytes, bodySize, bodyText, fromBase64, toBase64 } from '../../src/http/message.js'

describe('media types', () => {
  it('reads the media type lower-cased, without parameters', () => {
    expect(mediaType('Application/JSON; charset=UTF-8')).toBe('application/json')
    expect(mediaType('  text/plain ;format=flowed')).toBe('text/plain')
    expect(mediaType(undefined)).toBeUndefined()
    expect(mediaType('')).toBeUndefined()
    expect(mediaType('; charset=utf-8')).toBeUndefined()
  })

  it('calls JSON what json-format.md 3.1.1 calls JSON: */json and */*+json', () => {
    for (const type of ['application/json', 'application/json; charset=utf-8', 'text/json', 'APPLICATION/JSON', 'application/cloudevents+json', 'application/vnd.api+json', 'model/json']) {
      expect(isJsonMediaType(type), type).toBe(true)
    }
    for (const type of [undefined, '', 'text/plain', 'application/jsonl', 'application/json-seq', 'application/x-json-stream', 'application/octet-stream', 'json']) {
      expect(isJsonMediaType(type), String(type)).toBe(false)
    }
  })
})

describe('bodies', () => {
  it('reads text strictly as UTF-8', () => {
    expect(bodyText(new Uint8Array([0xe2, 0x82, 0xac]))).toBe('€')
    expect(bodyText('as is')).toBe('as is')
    expect(bodyText(undefined)).toBe('')
    expect(() => bodyText(new Uint8Array([0xe2, 0x82]))).toThrow(TypeError)
  })

  it('measures and converts bodies in UTF-8 bytes', () => {
    expect(bodySize('€')).toBe(3)
    expect(bodySize(new Uint8Array(5))).toBe(5)
    expect(bodySize(undefined)).toBe(0)
    expect(bodyBytes('€')).toEqual(new Uint8Array([0xe2, 0x82, 0xac]))
  })
})

describe('base64', () => {
  it('agrees with Node Buffer for any bytes, large ones included', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const encoded = toBase64(bytes)
        expect(encoded).toBe(Buffer.from(bytes).toString('base64'))
        expect(fromBase64(encoded)).toEqual(bytes)
      }),
    )
    const large = new Uint8Array(100_003).map((_, i) => (i * 31) % 256)
    expect(toBase64(large)).toBe(Buffer.from(large).toString('base64'))
    expect(fromBase64(toBase64(large))).toEqual(large)
  })

  it('refuses what is not base64', () => {
    for (const bad of ['!!!!', 'A', 'AAAAA', '-_-_', 'ü===']) expect(() => fromBase64(bad), bad).toThrow(TypeError)
  })
})
