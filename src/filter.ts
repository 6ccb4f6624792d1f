/**
 * Which events a handler accepts, by `type` and `source`: an exact string, a
 * string with `*` wildcards (`com.example.order.*`), or a RegExp.
 */
export type EventFilter = string | RegExp

export type Matcher = (value: string) => boolean

/** Compiles a filter once, at definition time. */
export function compileFilter(filter: EventFilter | undefined): Matcher {
  if (filter === undefined) return () => true
  if (filter instanceof RegExp) return (value) => filter.test(value)
  if (!filter.includes('*')) return (value) => value === filter
  const pattern = new RegExp(`^${filter.split('*').map(escapeRegExp).join('.*')}$`)
  return (value) => pattern.test(value)
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
