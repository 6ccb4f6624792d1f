/**
 * Finds the module specifiers a TypeScript/JavaScript source imports, with
 * regular expressions over the code once comments are blanked out. TSDoc
 * `@example` blocks are full of `import ... from 'faasade'` lines, and error
 * messages may quote an import, so the regexes must never see comments and
 * a match that starts inside a string literal is discarded.
 *
 * The test next to this file checks these results against TypeScript's own
 * parser on every source file, so a regex that drifts cannot pass silently.
 */

/**
 * How a module is imported, which decides whether it is loaded at run time:
 * - `static`: `import x from`, `import 'x'`, `export ... from`; also
 *   `import { type A } from`, which `verbatimModuleSyntax` keeps as the
 *   side-effect import `import {} from`.
 * - `type`: `import type`, `export type`, `typeof import('x')` and
 *   `import('x').Name` in a type position; erased at compile time.
 * - `dynamic`: `import('x')`, loaded only when that line runs.
 * - `require`: `require('x')` and `import x = require('x')`.
 */
export type ImportKind = 'static' | 'type' | 'dynamic' | 'require'

export interface ImportRef {
  readonly specifier: string
  readonly kind: ImportKind
  /** 1-based line of the `import`/`export`/`require` keyword. */
  readonly line: number
}

interface Masked {
  /** The source with every comment replaced by spaces (newlines kept, so offsets and lines hold). */
  readonly code: string
  /** 1 where the character is inside a string, template or regex literal. */
  readonly inLiteral: Uint8Array
}

// After one of these, a `/` starts a regex literal rather than a division.
const REGEX_AFTER_CHAR = new Set([...'(,=:[!&|?{};+-*%<>~^'])
const REGEX_AFTER_WORD = /(?:^|[^\w$])(?:return|typeof|case|do|else|in|of|new|delete|void|throw|yield|await)$/

/** Blanks comments out and marks literal contents; a small lexer, not a parser. */
export function maskSource(source: string): Masked {
  const out = source.split('')
  const inLiteral = new Uint8Array(source.length)
  // Brace depth inside each open `${ ... }` of a template literal, innermost last.
  const templates: number[] = []
  let last = '' // last significant code character, for the regex-or-division guess
  let i = 0
  const blank = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (out[k] !== '\n') out[k] = ' '
  }
  const mark = (from: number, to: number) => inLiteral.fill(1, from, to)

  // Reads a template body from `i` (just after "`" or "}"); stops after "`" or "${".
  const template = () => {
    const start = i
    while (i < source.length) {
      const c = source[i]
      if (c === '\\') i += 2
      else if (c === '`') { mark(start, i); i++; return }
      else if (c === '$' && source[i + 1] === '{') { mark(start, i); i += 2; templates.push(0); last = '{'; return }
      else i++
    }
    mark(start, source.length)
  }

  while (i < source.length) {
    const c = source[i]!
    const n = source[i + 1]
    if (c === '/' && n === '/') {
      const end = source.indexOf('\n', i)
      const stop = end === -1 ? source.length : end
      blank(i, stop)
      i = stop
    } else if (c === '/' && n === '*') {
      const end = source.indexOf('*/', i + 2)
      const stop = end === -1 ? source.length : end + 2
      blank(i, stop)
      i = stop
    } else if (c === '"' || c === "'") {
      const start = ++i
      // A plain string cannot span lines: stopping at a newline bounds the damage of a bad guess.
      while (i < source.length && source[i] !== c && source[i] !== '\n') i += source[i] === '\\' ? 2 : 1
      mark(start, i)
      i++
      last = c
    } else if (c === '`') {
      i++
      template()
      last = '`'
    } else if (c === '/' && (last === '' || REGEX_AFTER_CHAR.has(last) || REGEX_AFTER_WORD.test(source.slice(Math.max(0, i - 12), i).trimEnd()))) {
      const start = ++i
      let inClass = false
      while (i < source.length && source[i] !== '\n') {
        const r = source[i]
        if (r === '\\') { i += 2; continue }
        if (r === '[') inClass = true
        else if (r === ']') inClass = false
        else if (r === '/' && !inClass) break
        i++
      }
      mark(start, i)
      i++
      last = '/'
    } else {
      if (templates.length > 0 && c === '{') templates[templates.length - 1]!++
      if (templates.length > 0 && c === '}') {
        if (templates[templates.length - 1] === 0) {
          templates.pop()
          i++
          template()
          last = '`'
          continue
        }
        templates[templates.length - 1]!--
      }
      if (!/\s/.test(c)) last = c
      i++
    }
  }
  return { code: out.join(''), inLiteral }
}

// `import x from 'm'`, `import type { A } from 'm'`, `export * as ns from 'm'`, ...
// The clause may hold only identifiers, braces, commas, `*` and spaces, so a
// match cannot run from `export type T = ...` on to a later import.
const FROM = /\b(import|export)(\s+type\b)?\s*([\w$\s{},*]*?)\s*\bfrom\s*(['"])([^'"\n]+)\4/g
const BARE = /\bimport\s*(['"])([^'"\n]+)\1/g
const DYNAMIC = /(\btypeof\s+)?\bimport\s*\(\s*(['"`])([^'"`\n]+)\2\s*[,)]/g
const REQUIRE = /\brequire\s*\(\s*(['"`])([^'"`\n]+)\1\s*\)/g
const PROMISE_MEMBER = /^\s*\.\s*(then|catch|finally)\b/
const MEMBER = /^\s*\.\s*[A-Za-z_$]/

/** Every import with a literal specifier, in source order. Computed `import(x)` is not reported. */
export function parseImports(source: string): ImportRef[] {
  const { code, inLiteral } = maskSource(source)
  const lineAt = (offset: number) => {
    let line = 1
    for (let k = 0; k < offset; k++) if (code.charCodeAt(k) === 10) line++
    return line
  }
  const found: (ImportRef & { offset: number })[] = []
  const add = (offset: number, specifier: string, kind: ImportKind) => {
    if (inLiteral[offset] === 1) return
    if (offset > 0 && code[offset - 1] === '.') return // `x.import(...)`, `module.require(...)`
    found.push({ specifier, kind, line: lineAt(offset), offset })
  }
  for (const m of code.matchAll(FROM)) {
    const typeOnly = m[2] !== undefined
    add(m.index, m[5]!, typeOnly ? 'type' : 'static')
  }
  for (const m of code.matchAll(BARE)) add(m.index, m[2]!, 'static')
  for (const m of code.matchAll(DYNAMIC)) {
    const after = code.slice(m.index + m[0].length)
    // `import('m').Name` outside a `.then` is a type position (an import type), erased at compile time.
    const typePosition = m[1] !== undefined || (m[0].endsWith(')') && MEMBER.test(after) && !PROMISE_MEMBER.test(after))
    add(m.index + (m[1]?.length ?? 0), m[3]!, typePosition ? 'type' : 'dynamic')
  }
  for (const m of code.matchAll(REQUIRE)) add(m.index, m[2]!, 'require')
  return found.sort((a, b) => a.offset - b.offset).map(({ specifier, kind, line }) => ({ specifier, kind, line }))
}
