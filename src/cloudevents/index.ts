/**
 * `faasade/cloudevents`: interop with the `cloudevents` SDK for code that
 * wants its `CloudEvent` class. Kept off the core path: the SDK is 22 KB
 * gzipped and needs Node's `events` module (docs/architecture.md), so only this door
 * imports it, and `cloudevents` is an optional peer dependency.
 *
 * @example
 * ```ts
 * import { toSdkEvent } from 'faasade/cloudevents'
 * const sdkEvent = toSdkEvent(event)   // an instance of the SDK's CloudEvent
 * sdkEvent.validate()
 * ```
 */
import { CloudEvent as SdkCloudEvent } from 'cloudevents'
import { createEvent, type CloudEvent } from '../event.js'

/** Our event as an SDK `CloudEvent` (strict validation on). */
export function toSdkEvent<T>(event: CloudEvent<T>): SdkCloudEvent<T> {
  return new SdkCloudEvent<T>({ ...(event as Record<string, unknown>) } as never, true)
}

/** An SDK `CloudEvent` as ours: a plain frozen object, validated. */
export function fromSdkEvent<T>(event: SdkCloudEvent<T>): CloudEvent<T> {
  const { data_base64: _ignored, ...attributes } = event.toJSON() as Record<string, unknown>
  return createEvent<T>({ ...attributes, data: event.data } as never)
}
