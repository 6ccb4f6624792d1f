/**
 * AWS Signature Version 4 for one JSON-protocol request (`POST`, a body,
 * `content-type` and `x-amz-target` headers), written from AWS's published
 * algorithm ("Create a signed AWS API request"): canonical request, string
 * to sign, a signing key derived by HMAC from the secret, date, region and
 * service. For the Node transport, which must not touch `Headers` or
 * `Request` (on Node 20 the first use of either loads undici: about 14 ms of
 * cold start). Hashes and HMACs come from Node's crypto where
 * `process.getBuiltinModule` reaches it (synchronous; Web Crypto's first use
 * costs about 3 ms of cold start, and a thread-pool hop each call), else
 * from Web Crypto.
 *
 * Checked against aws4fetch (the fetch transport's signer) header for
 * header in test/idempotency/stores/dynamodb.test.ts.
 */

import { utf8 } from '../../hash.js'
import { builtinSync } from './builtin.js'

export interface SigningCredentials {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly sessionToken?: string | undefined
}

export interface SignInput {
  readonly url: URL
  /** Lower-case names; `host` and `x-amz-date` (and the session token) are added. */
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
  readonly service: string
  readonly region: string
  readonly credentials: SigningCredentials
  /** @defaultValue now */
  readonly date?: Date
}


function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

/** The two primitives SigV4 needs. */
interface Primitives {
  sha256Hex(text: string): string | Promise<string>
  hmac(key: Uint8Array, text: string): Uint8Array | Promise<Uint8Array>
}

interface NodeCrypto {
  createHash(algorithm: 'sha256'): { update(data: string): { digest(encoding: 'hex'): string } }
  createHmac(algorithm: 'sha256', key: Uint8Array): { update(data: string): { digest(): Uint8Array } }
}

const webPrimitives: Primitives = {
  async sha256Hex(text) {
    return hex(new Uint8Array(await crypto.subtle.digest('SHA-256', utf8(text))))
  },
  async hmac(key, text) {
    const cryptoKey = await crypto.subtle.importKey('raw', key as Uint8Array<ArrayBuffer>, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
    return new Uint8Array(await crypto.subtle.sign('HMAC', cryptoKey, utf8(text)))
  },
}

function primitives(): Primitives {
  const node = builtinSync<NodeCrypto>('node:crypto')
  if (!node) return webPrimitives
  return {
    sha256Hex: (text) => node.createHash('sha256').update(text).digest('hex'),
    hmac: (key, text) => node.createHmac('sha256', key).update(text).digest(),
  }
}

/** RFC 3986 encoding of one path segment, as SigV4's canonical URI wants it. */
function encodeSegment(segment: string): string {
  return encodeURIComponent(decodeURIComponent(segment)).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

/**
 * A signer that keeps the day's signing key (derived once per date, region
 * and service, not per request). `'web'` forces Web Crypto (for tests).
 */
export function createSigner(which: 'auto' | 'web' = 'auto'): (input: SignInput) => Promise<Record<string, string>> {
  let cached: { scope: string; secret: string; key: Uint8Array } | undefined
  let use: Primitives | undefined

  return async ({ url, headers, body, service, region, credentials, date = new Date() }) => {
    const { sha256Hex, hmac } = (use ??= which === 'web' ? webPrimitives : primitives())
    const amzDate = date.toISOString().replace(/[:-]|\.\d{3}/g, '')
    const day = amzDate.slice(0, 8)
    const all: Record<string, string> = { ...headers, host: url.host, 'x-amz-date': amzDate }
    if (credentials.sessionToken) all['x-amz-security-token'] = credentials.sessionToken
    const names = Object.keys(all).sort()
    const signedHeaders = names.join(';')
    const canonicalHeaders = names.map((name) => `${name}:${all[name]!.trim().replace(/\s+/g, ' ')}\n`).join('')
    const canonicalUri = url.pathname.split('/').map(encodeSegment).join('/') || '/'
    const canonicalRequest = ['POST', canonicalUri, '', canonicalHeaders, signedHeaders, await sha256Hex(body)].join('\n')
    const scope = `${day}/${region}/${service}/aws4_request`
    const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, await sha256Hex(canonicalRequest)].join('\n')
    if (cached?.scope !== scope || cached.secret !== credentials.secretAccessKey) {
      let key = await hmac(utf8(`AWS4${credentials.secretAccessKey}`), day)
      for (const part of [region, service, 'aws4_request']) key = await hmac(key, part)
      cached = { scope, secret: credentials.secretAccessKey, key }
    }
    const signature = hex(await hmac(cached.key, stringToSign))
    return {
      ...all,
      authorization: `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
    }
  }
}
