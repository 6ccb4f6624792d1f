/**
 * A queue message as handed to a handler, which notes whether the handler
 * settled it by hand (`ack()` or `retry()`): the adapter then leaves it as
 * the handler said, instead of settling it a second time by the outcome
 * (Workers keeps one settlement a message; which of two contradicting calls
 * wins is not a rule to lean on).
 */
import type { QueueMessage } from './workers-types.js'

/**
 * `message`, whose `ack` and `retry` set `byHand[index]` first. Its other
 * members are copied from the runtime's message (whose methods and getters
 * need their own receiver, hence no prototype trick).
 */
export function watched<Body>(message: QueueMessage<Body>, byHand: boolean[], index: number): QueueMessage<Body> {
  return {
    id: message.id,
    timestamp: message.timestamp,
    // Read already: the message became an event through it.
    body: message.body,
    attempts: message.attempts,
    ack: () => ((byHand[index] = true), message.ack()),
    retry: (options) => ((byHand[index] = true), message.retry(options)),
  }
}
