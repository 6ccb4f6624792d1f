/**
 * Which handler keeps its records under which name in which store, so that
 * two handlers never share records by accident. A handler's records are keyed
 * by its name, and a name the handler did not choose (its `type`, or
 * `'handler'` for a wildcard) is the same for every handler of that type: a
 * second one would be handed the first one's results and never run. That is
 * refused when the second handler is defined, with both named, rather than
 * found when an email is never sent.
 *
 * Known per store object and per process: handlers deployed apart cannot see
 * each other, which is why the TSDoc of `idempotent` asks for explicit names
 * there.
 */
import { ConfigurationError } from '../errors.js'
import type { HandlerInfo } from '../middleware.js'
import type { IdempotencyStore } from './store.js'

interface Holder {
  readonly handler: HandlerInfo
  /** The name was given on purpose (the handler's `name` or the middleware's), not defaulted. */
  readonly chosen: boolean
}

// Weak in the store: a store dropped (a test's, say) takes its names with it.
const holders = new WeakMap<StoreIdentity, Map<string, Holder>>()

/** A store, or what makes one per invocation: known by its object. */
type StoreIdentity = Pick<IdempotencyStore, 'name'>

/** How a message names a handler: its name, and its filters when the name is not its own. */
function describe(handler: HandlerInfo): string {
  const filters = [handler.type === undefined ? '' : `type "${String(handler.type)}"`, handler.source === undefined ? '' : `source "${String(handler.source)}"`].filter(Boolean)
  if (handler.named !== false) return `handler "${handler.name}"`
  return filters.length > 0 ? `an unnamed handler of ${filters.join(', ')}` : 'an unnamed handler with no type filter'
}

/**
 * Records that `handler` keeps its records under `namespace` in `store`, or
 * throws a `ConfigurationError` naming both handlers when another one does
 * already and either name is a default. Two chosen names that agree share
 * records on purpose (one handler defined twice, or the same
 * `idempotent({ name })`).
 */
export function holdNamespace(store: StoreIdentity, namespace: string, handler: HandlerInfo, chosen: boolean): void {
  let byName = holders.get(store)
  if (byName === undefined) holders.set(store, (byName = new Map()))
  const held = byName.get(namespace)
  if (held === undefined) {
    byName.set(namespace, { handler, chosen })
    return
  }
  if (held.handler === handler || (held.chosen && chosen)) return
  throw new ConfigurationError(
    `idempotent: ${describe(held.handler)} (defined first) and ${describe(handler)} (being defined) would keep their idempotency records under one name, "${namespace}", ` +
      `in one ${store.name} store: whichever ran second would be handed the other's result and never run. ` +
      `Give each handler its own name (defineHandler({ name: 'billing', ... })), or give both idempotent({ name: '...' }) to share records on purpose.`,
  )
}
