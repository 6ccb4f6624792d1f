/**
 * README.md and docs/*.md stay readable and connected: every relative link
 * points to a file of the repository (and, with `#anchor`, to a heading of
 * it), no link leaves the repository by a relative path, and no README
 * paragraph (or list item) runs over 800 characters.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, normalize } from 'node:path'
import { describe, expect, it } from 'vitest'

const files = ['README.md', 'CHANGELOG.md', ...readdirSync('docs').filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)].filter((f) => existsSync(f))

/** Markdown without its fenced code blocks (their text is not prose or links). */
function prose(markdown: string): string {
  return markdown.replace(/^(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '')
}

/** GitHub's anchor for a heading. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-')
}

function anchors(file: string): Set<string> {
  const seen = new Map<string, number>()
  const result = new Set<string>()
  for (const [, heading] of prose(readFileSync(file, 'utf8')).matchAll(/^#{1,6} (.+)$/gm)) {
    const base = slug(heading!)
    const n = seen.get(base) ?? 0
    seen.set(base, n + 1)
    result.add(n === 0 ? base : `${base}-${n}`)
  }
  return result
}

describe('links in README.md and docs/', () => {
  for (const file of files) {
    it(`${file}: every relative link resolves`, () => {
      const broken: string[] = []
      for (const [, target] of prose(readFileSync(file, 'utf8')).matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/i.test(target!)) continue // https:, mailto:
        const [path, anchor] = target!.split('#') as [string, string | undefined]
        const resolved = path === '' ? file : normalize(join(dirname(file), path))
        if (resolved.startsWith('..')) broken.push(`${target}: outside the repository`)
        else if (!existsSync(resolved)) broken.push(`${target}: no such file`)
        else if (anchor !== undefined && resolved.endsWith('.md') && !anchors(resolved).has(anchor)) broken.push(`${target}: no such heading`)
      }
      expect(broken).toEqual([])
    })
  }

  it('README.md: no paragraph over 800 characters', () => {
    const long = prose(readFileSync('README.md', 'utf8'))
      .split(/\n\s*\n/)
      // A list counts item by item, a table not at all.
      .flatMap((p) => p.split(/\n(?=(?:[-*]|\d+\.) )/))
      .filter((p) => !p.trimStart().startsWith('|') && p.length > 800)
      .map((p) => `${p.length} characters: ${p.slice(0, 60)}…`)
    expect(long).toEqual([])
  })
})

describe('slug', () => {
  it('is GitHub’s', () => {
    expect(slug('Writing an adapter: `faasade/adapter`')).toBe('writing-an-adapter-faasadeadapter')
    expect(slug("The repository's tests")).toBe('the-repositorys-tests')
  })
})
