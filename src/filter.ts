import { ConfigurationError } from './errors.js'

/**
 * Which events a handler accepts, by `type` and `source`: an exact string, a
 * string with `*` wildcards (`com.example.order.*`), or a RegExp.
 *
 * A `*` matches any run of characters, including none and including dots;
 * every other character of the string is literal.
 */
export type EventFilter = string | RegExp

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
 */
export function compileFilter(filter: EventFilter | undefined): Matcher {
  if (filter === undefined) return () => true
  if (filter instanceof RegExp) {
    // A private copy: the caller's object may have (or later get) a lastIndex.
    const pattern = new RegExp(filter.source, filter.flags.replace(/[gy]/g, ''))
    return (value) => pattern.test(value)
  }
  if (typeof filter !== 'string') {
    throw new ConfigurationError(`a type or source filter is a string or a RegExp, not ${filter === null ? 'null' : typeof filter}`)
  }
  if (!filter.includes('*')) return (value) => value === filter
  return globMatcher(filter.split('*'))
}

/**
 * `parts` are the literals between the stars (at least two). The first must
 * start the value and the last must end it; each middle part is found with
 * `indexOf` after the previous one. Taking the leftmost occurrence is always
 * right when the only wildcard is `*`: it leaves the most room for what
 * follows, so if any placement matches, the leftmost one does.
 */
function globMatcher(parts: readonly string[]): Matcher {
  const head = parts[0] ?? ''
  const tail = parts[parts.length - 1] ?? ''
  const middle = parts.slice(1, -1).filter((part) => part !== '')
  const least = head.length + tail.length + middle.reduce((sum, part) => sum + part.length, 0)
  return (value) => {
    if (value.length < least || !value.startsWith(head) || !value.endsWith(tail)) return false
    const end = value.length - tail.length
    let at = head.length
    for (const part of middle) {
      const found = value.indexOf(part, at)
      if (found === -1 || found + part.length > end) return false
      at = found + part.length
    }
    return true
  }
}
