/**
 * src/redact.ts on its own: the edges its mutants found unguarded (issue 17,
 * docs/testing.md "Mutation testing"). Each case names what a wrong line
 * there would let through: a secret that holds another one, a 4-character
 * value, the last partial character of a base64 text, a boxed or boolean
 * value, an object with one secret key among others, an array.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { addRedaction, REDACTED, redact, removeRedaction } from 'faasade'
import { scrubber } from '../../src/redact.js'

const added: string[] = []
function register(...values: string[]): void {
  for (const value of values) {
    addRedaction(value)
    added.push(value)
  }
}
afterEach(() => {
  for (const value of added.splice(0)) removeRedaction(value)
})

const b64 = (text: string) => Buffer.from(text).toString('base64')
const scrub = (value: unknown) => scrubber.scrub!(value)

describe('redact', () => {
  it('replaces a longer secret whole when a shorter one is inside it (longest first), whatever the order they came in', () => {
    register('pass', 'my-pass-word-9')
    expect(redact('x my-pass-word-9 y')).toBe(`x ${REDACTED} y`)
    removeRedaction('pass')
    register('pass')
    // Again after a removal, which sorts the forms anew.
    removeRedaction('zzzz-not-registered')
    expect(redact('x my-pass-word-9 y')).toBe(`x ${REDACTED} y`)
    removeRedaction('my-pass-word-9')
    register('my-pass-word-9', 'word')
    removeRedaction('word')
    expect(redact('x my-pass-word-9 y')).toBe(`x ${REDACTED} y`)
  })

  it('scrubs a value of exactly 4 characters inside longer text, and one of 3 only as a whole string', () => {
    register('k9#Z', 'q7!')
    expect(redact('key=k9#Z;')).toBe(`key=${REDACTED};`)
    expect(redact('k9#Z')).toBe(REDACTED)
    expect(redact('q7!')).toBe(REDACTED)
    expect(redact('q7!x')).toBe('q7!x')
  })

  it('leaves every text alone when the empty string is registered', () => {
    register('')
    expect(redact('')).toBe('')
    expect(redact('anything')).toBe('anything')
  })

  it.each(['abcd', 'abcde', 'abcdef', 'Zq9-pass', '~~~~'])('scrubs the whole base64 of %j, its last partial character too', (value) => {
    register(value)
    const encoded = b64(value)
    // Alone, padded or not, and in base64url: nothing of it is left.
    expect(redact(encoded)).toBe(encoded.endsWith('=') ? `${REDACTED}${encoded.match(/=+$/)![0]}` : REDACTED)
    expect(redact(encoded.replace(/=+$/, ''))).toBe(REDACTED)
    expect(redact(Buffer.from(value).toString('base64url'))).toBe(REDACTED)
  })

  it('scrubs a 4-character password inside a Basic auth header at each of the three alignments', () => {
    register('Pw4!')
    for (const user of ['u', 'us', 'usr']) {
      const header = b64(`${user}:Pw4!`)
      const scrubbed = redact(header)
      expect(scrubbed, user).toContain(REDACTED)
      // What is left decodes to no more than the user and the colon.
      for (const run of scrubbed.split(REDACTED).filter((part) => part.length >= 4)) {
        expect(Buffer.from(run.slice(0, run.length - (run.length % 4)), 'base64').toString('latin1')).not.toContain('Pw4')
      }
    }
  })

  it('scrubs the URL-encoded forms: spaces as %20 and as +, and the form-body escapes', () => {
    register('a b&c=d*')
    expect(redact(`q=${encodeURIComponent('a b&c=d*')}`)).toBe(`q=${REDACTED}`)
    expect(redact(`q=${encodeURIComponent('a b&c=d*').replace(/%20/g, '+')}`)).toBe(`q=${REDACTED}`)
    expect(redact(new URLSearchParams({ q: 'a b&c=d*' }).toString())).toBe(`q=${REDACTED}`)
  })

  it("scrubs the form-body encoding where it differs from encodeURIComponent (! ' ( ) ~ escaped)", () => {
    register("it's(pw)~!")
    const body = new URLSearchParams({ q: "it's(pw)~!" }).toString()
    expect(body).toBe('q=it%27s%28pw%29%7E%21')
    expect(redact(body)).toBe(`q=${REDACTED}`)
  })

  it('scrubs base64url of a value inside a longer base64url text, at each alignment', () => {
    // '~~~' and '???' encode to characters with + and /, which base64url writes as - and _.
    const value = 'q~~~>>>???~'
    register(value)
    for (const prefix of ['', 'x', 'xy']) {
      const text = Buffer.from(`${prefix}${value}tail`).toString('base64url')
      const left = redact(text).split(REDACTED)
      expect(left.length, prefix).toBe(2)
      for (const run of left) expect(Buffer.from(run, 'base64url').toString('latin1'), prefix).not.toContain('~~~')
    }
  })

  it('registers a value holding a lone surrogate (no URL-encoded form) without throwing, and scrubs it', () => {
    expect(() => register('ab\uD800cd')).not.toThrow()
    expect(redact('x ab\uD800cd y')).toBe(`x ${REDACTED} y`)
  })

  it('forgets a value on removal, and only that one', () => {
    register('first-secret', 'second-secret')
    removeRedaction('first-secret')
    expect(redact('first-secret second-secret')).toBe(`first-secret ${REDACTED}`)
  })
})

describe('the scrubber the logger calls', () => {
  it('is set once a value is registered', () => {
    register('scrubber-set-1')
    expect(scrubber.scrub).toBeTypeOf('function')
    expect(scrub('a scrubber-set-1')).toBe(`a ${REDACTED}`)
  })

  it('scrubs boxed strings, numbers and booleans by their value', () => {
    register('boxed-secret', '48151623', 'false')
    expect(scrub(new String('boxed-secret'))).toBe(REDACTED)
    expect(scrub(new Number(48151623))).toBe(REDACTED)
    expect(scrub(48151623)).toBe(REDACTED)
    expect(scrub(false)).toBe(REDACTED)
    expect(scrub(new Boolean(false))).toBe(REDACTED)
    // Values that hold no secret come back as they were, not as text.
    expect(scrub(42)).toBe(42)
    expect(scrub(true)).toBe(true)
  })

  it('renames every secret key of an object and keeps the others and their values', () => {
    register('key-secret')
    const value = { plain: 1, 'key-secret': 2, other: 'x' }
    expect(scrub(value)).toEqual({ plain: 1, [REDACTED]: 2, other: 'x' })
    const untouched = { plain: 1, other: 'x' }
    expect(scrub(untouched)).toBe(untouched)
  })

  it('leaves an array an array, even when an index equals a registered value', () => {
    register('1234')
    const list = Array.from({ length: 1236 }, (_, i) => i)
    expect(scrub(list)).toBe(list)
    expect(scrub(null)).toBe(null)
  })
})
