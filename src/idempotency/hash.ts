/**
 * SHA-256 for keys and payload hashes, from the platform: Node's `crypto`
 * (synchronous) where `process.getBuiltinModule` reaches it without an import
 * that would break a Workers bundle, else Web Crypto's `crypto.subtle`
 * (Workers, browsers, older Node 20). Web Crypto's digest is a thread-pool
 * hop on Node (about 18 µs a call), which is why it is only the fallback
 * there. On Node, the one-shot `crypto.hash` (Node 20.12+) where it exists:
 * 0.3 µs for a short text against 0.7 µs for `createHash().update().digest()`,
 * which also leaves a native-backed object a call for the collector.
 */
import { toBase64 } from '../http/message.js'
import { builtinSync } from './stores/internal/builtin.js'

interface NodeCrypto {
  createHash(algorithm: 'sha256'): { update(data: string | Uint8Array): { digest(encoding: 'base64url'): string } }
  hash?(algorithm: 'sha256', data: string | Uint8Array, encoding: 'base64url'): string
}

/** Synchronous SHA-256 as base64url, of a text (UTF-8) or bytes. */
type SyncSha256 = (data: string | Uint8Array) => string

let nodeSha256: SyncSha256 | null | undefined

function node(): SyncSha256 | null {
  if (nodeSha256 === undefined) {
    const crypto = builtinSync<NodeCrypto>('node:crypto')
    if (crypto === undefined) nodeSha256 = null
    else if (typeof crypto.hash === 'function') {
      const hash = crypto.hash
      nodeSha256 = (data) => hash('sha256', data, 'base64url')
    } else nodeSha256 = (data) => crypto.createHash('sha256').update(data).digest('base64url')
  }
  return nodeSha256
}

let encoder: TextEncoder | undefined

/** UTF-8 bytes of a text. */
export function utf8(text: string): Uint8Array<ArrayBuffer> {
  return (encoder ??= new TextEncoder()).encode(text)
}

/**
 * SHA-256 of a text (UTF-8), as base64url without padding: 43 characters. A
 * plain string where the platform hashes synchronously (Node), a promise
 * where it does not.
 */
export function sha256(text: string): string | Promise<string> {
  const hash = node()
  return hash ? hash(text) : webSha256(utf8(text))
}

/** SHA-256 of bytes, as base64url without padding. */
export function sha256Bytes(bytes: Uint8Array): string | Promise<string> {
  const hash = node()
  return hash ? hash(bytes) : webSha256(bytes)
}

/** The Web Crypto path, on its own so that Node tests can check it too. */
export function webSha256(bytes: Uint8Array): Promise<string> {
  return crypto.subtle
    .digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)
    .then((digest) => toBase64(new Uint8Array(digest)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''))
}

/** The hash stored with a record: of the canonical JSON of what the payload option picks. */
export function payloadHash(canonical: string): string | Promise<string> {
  return sha256(canonical)
}

/** UTF-8 length of a text without encoding it. */
export function utf8Length(text: string): number {
  let bytes = 0
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x80) bytes += 1
    else if (code < 0x800) bytes += 2
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      bytes += 4
      i++
    } else bytes += 3
  }
  return bytes
}
