/**
 * Which events a handler accepts, by `type` and `source`: an exact string, a
 * string with `*` wildcards (`com.example.order.*`), or a RegExp.
 */
export type EventFilter = string | RegExp

export type Matcher = (value: string) => boolean

/** Compiles a filter once, at definition time. */
export function compileFilter(filter: EventFilter | undefined): Matcher {
  if (filter === undefined) return () => true
  // `*` matches any run of characters; everything else in the string is literal.
  const pattern = filter instanceof RegExp ? filter : filter.includes('*') ? new RegExp(`^${filter.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`) : undefined
  return pattern ? (value) => pattern.test(value) : (value) => value === filter
}
