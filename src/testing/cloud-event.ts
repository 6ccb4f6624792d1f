import { createEvent, type CloudEvent, type CloudEventInit } from '../event.js'

let counter = 0

/**
 * A valid CloudEvent from a partial one: `id`, `source`, `type` and `time`
 * are filled in when missing.
 *
 * @example
 * ```ts
 * const event = cloudEvent({ type: 'com.example.order.placed', data: { orderId: 'A1' } })
 * ```
 */
export function cloudEvent<T = unknown>(partial: Partial<CloudEventInit<T>> = {}): CloudEvent<T> {
  counter += 1
  return createEvent<T>({
    id: `test-${counter}`,
    source: '/faasade/testing',
    type: 'com.example.test',
    time: new Date(),
    ...partial,
  } as CloudEventInit<T>)
}
