import { ConfigurationError } from './errors.js'

/**
 * Which events a handler accepts, by `type` and `source`: an exact string, a
 * string with `*` wildcards (`com.example.order.*`), or a RegExp.
 *
 * A `*` matches any run of characters, including none and including dots;
 * every other character of the string is literal.
 */
export type EventFilter = string | RegExp

/**
 * A compiled {@link EventFilter}: true when a `type` or `source` value
 * passes it. {@link compileFilter} makes one per filter, once, so that
 * routing an event costs no parsing.
 */
export type Matcher = (value: string) => boolean

/**
 * Compiles a filter once, at definition time, into a test on one value.
 *
 * A `*` glob is matched in time linear in the value (no regex, no
 * backtracking), so a hostile `ce-type` cannot stall the event loop. A RegExp
 * is copied without its `g` and `y` flags: those make `test` remember
 * `lastIndex`, and the same event would be accepted, then refused.
 *
 * @example
 * ```ts
 * import { compileFilter } from 'faasade'
 * const orders = compileFilter('com.example.order.*')
 * orders('com.example.order.placed') // true
 * orders('com.example.orders')       // false
 * compileFilter(/\.placed$/g)('com.example.order.placed') // true, on every call
 * ```
 *
 * @param what - How a {@link ConfigurationError} for a filter that is neither
 * a string nor a RegExp names it.
 */
export function compileFilter(filter: EventFilter | undefined, what = 'A filter'): Matcher {
  if (filter === undefined) return () => true
  if (filter instanceof RegExp) {
    // A private copy: the caller's object may have (or later get) a lastIndex.
    const pattern = new RegExp(filter.source, filter.flags.replace(/[gy]/g, ''))
    return (value) => pattern.test(value)
  }
  if (typeof filter !== 'string') throw new ConfigurationError(`${what} must be a string (* for any run of characters) or a RegExp`)
  if (!filter.includes('*')) return (value) => value === filter
  // The literals between the stars: the first must start the value and the
  // last end it; each other is found with indexOf after the one before.
  // Taking the leftmost place is always right when `*` is the only wildcard:
  // it leaves the most room for what follows, so if any placement matches,
  // it does. Linear in the value; no regex, so no backtracking.
  const [head = '', ...parts] = filter.split('*')
  const tail = parts.pop()!
  return (value) => {
    const end = value.length - tail.length
    let at = head.length
    if (end < at || !value.startsWith(head) || !value.endsWith(tail)) return false
    for (const part of parts) {
      const found = value.indexOf(part, at)
      if (found < 0 || found + part.length > end) return false
      at = found + part.length
    }
    return true
  }
}
