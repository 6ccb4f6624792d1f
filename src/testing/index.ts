/**
 * `faasade/testing`: run a handler, a service or an app's event handlers in a
 * test, with a synthetic context and the logs captured, no provider needed.
 *
 * @example
 * ```ts
 * import { invoke } from 'faasade/testing'
 * const run = await invoke(orderPlaced, { type: 'com.example.order.placed', data: { orderId: 'A1', amount: 5 } })
 * expect(run.ok && run.result).toEqual({ charged: true })
 * ```
 */
export { cloudEvent } from './cloud-event.js'
export { invoke, type InvokeOptions, type InvokeResult } from './invoke.js'
