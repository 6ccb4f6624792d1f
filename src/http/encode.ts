/**
 * CloudEvents over HTTP out, in all three modes. The `cloudevents` SDK has no
 * batch encoder; this one has, and percent-encodes binary-mode headers.
 */
import { isExtensionName, type CloudEvent } from '../event.js'
import { encodeHeaderValue, headerValue } from './header-value.js'
import { isJsonMediaType, toBase64, type HttpReply } from './message.js'

/** An encoded CloudEvent: the headers and body of an HTTP message, to put on a request or a reply. */
export type Encoded = Pick<HttpReply, 'headers' | 'body'>

/**
 * Binary mode: attributes in `ce-*` headers, data as the body. Attribute
 * values are percent-encoded (HTTP binding 3.1.3.2), so a CR or LF in one
 * travels as `%0D%0A`; `datacontenttype` goes in Content-Type as it is, so
 * one that a header cannot hold throws a `TypeError`, as does an attribute
 * name that cannot follow `ce-` (the event may not have been checked).
 */
export function encodeBinary(event: CloudEvent): Encoded {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(event)) {
    if (name === 'data' || name === 'data_base64' || name === 'datacontenttype' || value === undefined) continue
    // Every attribute name, named or extension, is lower-case letters and digits.
    if (!isExtensionName(name)) throw new TypeError(`${JSON.stringify(name)} cannot be a header name`)
    headers[`ce-${name}`] = encodeHeaderValue(String(value))
  }
  const { data } = event
  const type = event.datacontenttype === undefined ? undefined : headerValue('datacontenttype', event.datacontenttype)
  if (data === undefined) {
    if (type) headers['content-type'] = type
    return { headers }
  }
  // Bytes, and text in a media type that is not JSON, go as they are; any other data as JSON.
  const bytes = data instanceof Uint8Array
  const asIs = bytes || (typeof data === 'string' && type !== undefined && !isJsonMediaType(type))
  headers['content-type'] = type ?? (bytes ? 'application/octet-stream' : 'application/json')
  return { headers, body: asIs ? (data as Uint8Array | string) : JSON.stringify(data) }
}

/** Structured mode: the whole event as one `application/cloudevents+json` body. */
export function encodeStructured(event: CloudEvent): Encoded {
  return { headers: { 'content-type': 'application/cloudevents+json; charset=utf-8' }, body: JSON.stringify(toJsonFormat(event)) }
}

/** Batch mode: a JSON array of events as one `application/cloudevents-batch+json` body. */
export function encodeBatch(events: readonly CloudEvent[]): Encoded {
  return { headers: { 'content-type': 'application/cloudevents-batch+json; charset=utf-8' }, body: JSON.stringify(events.map(toJsonFormat)) }
}

/** An event as a JSON-format object: bytes go to `data_base64`. */
export function toJsonFormat(event: CloudEvent): Record<string, unknown> {
  const { data, ...attributes } = event as Record<string, unknown>
  if (data === undefined) return attributes
  if (data instanceof Uint8Array) return { ...attributes, data_base64: toBase64(data) }
  return { ...attributes, data }
}
