// The forms a secret takes on its way into a log line besides its own text:
// a number in a JSON secret, a value shorter than 4 characters, its
// URL-encoded form, base64 and base64url of it (alone, or inside a larger
// base64 text such as a Basic auth header), and its JSON-escaped copy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addRedaction, createContext, createEvent, createLogger, defineHandler, redact, removeRedaction } from 'faasade'
import { fromEnv, secrets } from 'faasade/secrets'

const saved = { ...process.env }
afterAll(() => {
  process.env = saved
})

/** Logs through a handler that holds `env` as a JSON secret; returns the lines. */
async function logWith(env: string, value: unknown, write: (secret: Record<string, unknown>, log: ReturnType<typeof createLogger>) => void): Promise<string> {
  process.env[env] = typeof value === 'string' ? value : JSON.stringify(value)
  const lines: string[] = []
  const log = createLogger({ level: 'debug', sink: (line) => lines.push(line) })
  const handler = defineHandler({
    use: [secrets({ s: fromEnv(env, { json: typeof value !== 'string' }) })],
    handle: (_e, ctx) => write(ctx.secrets.s.value as unknown as Record<string, unknown>, ctx.log),
  })
  await handler.run(createEvent({ id: '1', source: '/s', type: 't' }), createContext({ provider: { name: 'test', raw: {} }, log }))
  return lines.join('\n')
}

/**
 * Every text the base64 and base64url runs of `text` decode to, from each of
 * the four character offsets: what a reader of the log could recover.
 */
function decodedRuns(text: string): string[] {
  const out: string[] = []
  for (const run of text.match(/[A-Za-z0-9+/_-]{4,}/g) ?? []) {
    const std = run.replace(/-/g, '+').replace(/_/g, '/')
    for (let at = 0; at < 4; at++) {
      const part = std.slice(at, at + Math.floor((std.length - at) / 4) * 4)
      if (part.length >= 4) out.push(Buffer.from(part, 'base64').toString('latin1'))
    }
  }
  return out
}

describe('secret redaction: forms other than the text itself', () => {
  it('scrubs a number held by a JSON secret, as a value and inside text', async () => {
    const logged = await logWith('FORMS_PIN', { pin: 48151623, user: 'svc-forms' }, (s, log) => {
      log.info('pin', { pin: s.pin, copy: Number(s.pin), text: `the pin is ${s.pin as number}` })
    })
    expect(logged).not.toContain('48151623')
    expect(logged).toContain('"pin":"[redacted]"')
  })

  it('scrubs a value shorter than 4 characters where a whole logged value equals it, and leaves other text alone', async () => {
    const logged = await logWith('FORMS_SHORT', { code: 'x9Q', note: 'ok-long-enough' }, (s, log) => {
      log.info('short', { code: s.code, key: { [s.code as string]: 1 }, other: 'x9Qz and more' })
    })
    const line = JSON.parse(logged) as Record<string, unknown>
    expect(line.code).toBe('[redacted]')
    expect(line.key).toEqual({ '[redacted]': 1 })
    // Inside longer text it is left alone: scrubbing every "x9Q" would mangle lines.
    expect(line.other).toBe('x9Qz and more')
  })

  it('leaves numbers of 1 to 3 digits in a JSON secret unregistered: they would scrub every 0 or 443 in the logs', async () => {
    const logged = await logWith('FORMS_PORT', { port: 443, db: 0, password: 'Forms-Port-pw1' }, (_s, log) => {
      log.info('counts', { attempts: 0, status: 443 })
    })
    expect(JSON.parse(logged)).toMatchObject({ attempts: 0, status: 443 })
  })

  it('scrubs the URL-encoded form of a value', async () => {
    const url = 'postgres://app:Pa55 w/rd@db.internal:5432/app?ssl=true'
    const logged = await logWith('FORMS_URL', url, (_s, log) => {
      log.info('encoded', { query: `dsn=${encodeURIComponent(url)}`, form: new URLSearchParams({ dsn: url }).toString() })
    })
    expect(logged).not.toContain(encodeURIComponent(url))
    expect(logged).not.toContain('Pa55')
  })

  it('scrubs base64 and base64url of a value', async () => {
    const key = 'sk_live_forms~base64?0003>>'
    const logged = await logWith('FORMS_B64', key, (_s, log) => {
      const bytes = Buffer.from(key)
      log.info('b64', { std: bytes.toString('base64'), url: bytes.toString('base64url'), inText: `token=${bytes.toString('base64')};` })
    })
    for (const decoded of decodedRuns(logged)) expect(decoded).not.toContain('forms~base64')
    expect(logged).not.toContain(Buffer.from(key).toString('base64').replace(/=+$/, ''))
  })

  it('scrubs a password inside a Basic auth header, at any alignment', async () => {
    for (const user of ['u', 'us', 'usr']) {
      const password = `Basic-Forms-pw-${user}`
      const logged = await logWith(`FORMS_BASIC_${user}`, { username: user, password }, (s, log) => {
        const header = `Basic ${Buffer.from(`${s.username as string}:${s.password as string}`).toString('base64')}`
        log.info('request', { headers: { authorization: header } })
      })
      expect(logged).toContain('[redacted]')
      for (const decoded of decodedRuns(logged)) expect(decoded, `alignment of "${user}:"`).not.toContain('Forms-pw')
    }
  })

  it('scrubs the JSON-escaped copy of a value holding a quote or a backslash', async () => {
    const password = 'pa"ss\\word-forms'
    const logged = await logWith('FORMS_ESCAPED', { user: 'forms-user', password }, (s, log) => {
      log.info('request', { body: JSON.stringify({ password: s.password }) })
    })
    const body = (JSON.parse(logged) as { body: string }).body
    expect(body).toBe('{"password":"[redacted]"}')
    expect(logged).not.toContain('ss\\\\\\\\word')
    expect(logged).not.toContain('word-forms')
  })
})

describe('addRedaction and removeRedaction', () => {
  const value = 'Forms-remove-value-0004'
  beforeAll(() => addRedaction(value))

  it('registers the derived forms with the value and forgets them with it', () => {
    const b64 = Buffer.from(value).toString('base64')
    expect(redact(`a ${b64} b`)).not.toContain(b64.slice(0, -2))
    expect(redact(encodeURIComponent(`x ${value}`))).not.toContain('remove-value')
    removeRedaction(value)
    expect(redact(`a ${b64} b`)).toBe(`a ${b64} b`)
    expect(redact(value)).toBe(value)
  })

  it('forgets a short value too', () => {
    addRedaction('q7')
    expect(redact('q7')).toBe('[redacted]')
    removeRedaction('q7')
    expect(redact('q7')).toBe('q7')
  })
})
