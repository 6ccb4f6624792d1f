// Checks an AWS Signature Version 4 the way the service does: it rebuilds the
// canonical request from what arrived (method, path, query, the headers the
// signature names, the body's SHA-256), derives the signing key from the
// secret key it knows for the access key id, and compares signatures. So a
// request signed with another secret key, or changed after it was signed, is
// refused, not only one whose Authorization header looks wrong.
// Written from the SigV4 documentation, with node:crypto only.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import type { Recorded } from './server.js'

export interface SigV4Key {
  readonly accessKeyId: string
  readonly secretAccessKey: string
}

export interface SigV4Expectation {
  /** The keys the service knows, by access key id. */
  readonly keys: readonly SigV4Key[]
  readonly region: string
  readonly service: string
  /** How far the request's X-Amz-Date may be from this machine's clock, ms (AWS: 5 minutes). */
  readonly maxSkewMs?: number
  /** The time to check X-Amz-Date against. @defaultValue Date.now */
  readonly now?: () => number
}

/** Why a request was refused, as the AWS error code and message the service would send. */
export interface SigV4Refusal {
  readonly code: 'MissingAuthenticationTokenException' | 'IncompleteSignatureException' | 'UnrecognizedClientException' | 'InvalidSignatureException'
  readonly message: string
}

const ALGORITHM = 'AWS4-HMAC-SHA256'
const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/

const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex')
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest()

/** RFC 3986 percent-encoding, every character but the unreserved ones. */
function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

/** The path as sent, each segment encoded once more (every service but S3). */
function canonicalPath(rawPath: string): string {
  return rawPath.split('/').map(uriEncode).join('/') || '/'
}

function canonicalQuery(url: URL): string {
  return [...url.searchParams]
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&')
}

function headerValue(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined
  const joined = Array.isArray(value) ? value.join(',') : value
  return joined.trim().replace(/\s+/g, ' ')
}

/** The signing key: HMAC-SHA256 chained over the date, region, service and "aws4_request". */
export function signingKey(secretAccessKey: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), region), service), 'aws4_request')
}

/** The string a SigV4 signature signs, for a request as the server received it. */
export function stringToSign(req: Recorded, signedHeaders: readonly string[], amzDate: string, scope: string): string {
  const rawPath = req.url.pathname
  const canonicalHeaders = signedHeaders.map((name) => `${name}:${headerValue(req.headers[name]) ?? ''}\n`).join('')
  const canonicalRequest = [req.method, canonicalPath(rawPath), canonicalQuery(req.url), canonicalHeaders, signedHeaders.join(';'), sha256Hex(Buffer.from(req.body, 'utf8'))].join('\n')
  return [ALGORITHM, amzDate, scope, sha256Hex(canonicalRequest)].join('\n')
}

/** Verifies the request's SigV4 signature; undefined when it holds, else why not. */
export function verifySigV4(req: Recorded, expect: SigV4Expectation): SigV4Refusal | undefined {
  const authorization = headerValue(req.headers.authorization)
  if (!authorization) return { code: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' }
  const parts = AUTHORIZATION.exec(authorization)
  if (!parts) return { code: 'IncompleteSignatureException', message: `Authorization header requires Credential, SignedHeaders and Signature (${ALGORITHM})` }
  const [, accessKeyId, date, region, service, signed, signature] = parts as unknown as [string, string, string, string, string, string, string]

  const key = expect.keys.find((k) => k.accessKeyId === accessKeyId)
  if (!key) return { code: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' }
  if (region !== expect.region || service !== expect.service) {
    return { code: 'InvalidSignatureException', message: `Credential should be scoped to a valid region and service: ${expect.region}/${expect.service}, not ${region}/${service}.` }
  }

  const signedHeaders = signed.split(';')
  const sorted = [...signedHeaders].sort()
  if (signedHeaders.some((h, i) => h !== sorted[i] || h === signedHeaders[i - 1])) {
    return { code: 'InvalidSignatureException', message: 'SignedHeaders must be sorted and unique.' }
  }
  // The headers that must be signed when sent: host, the date, and every x-amz-* header.
  const mustSign = ['host', 'x-amz-date', ...Object.keys(req.headers).filter((h) => h.startsWith('x-amz-'))]
  const unsigned = mustSign.filter((h) => !signedHeaders.includes(h))
  if (unsigned.length > 0) return { code: 'InvalidSignatureException', message: `Signed headers must include ${unsigned.join(', ')}.` }
  const missing = signedHeaders.filter((h) => req.headers[h] === undefined)
  if (missing.length > 0) return { code: 'InvalidSignatureException', message: `Signed header(s) not in the request: ${missing.join(', ')}.` }

  const amzDate = headerValue(req.headers['x-amz-date'])!
  const when = AMZ_DATE.exec(amzDate)
  if (!when) return { code: 'IncompleteSignatureException', message: `X-Amz-Date ${amzDate} is not of the form YYYYMMDDTHHMMSSZ.` }
  if (amzDate.slice(0, 8) !== date) return { code: 'InvalidSignatureException', message: `Date in Credential scope (${date}) does not match X-Amz-Date (${amzDate}).` }
  const [, y, mo, d, h, mi, s] = when.map(Number) as [number, number, number, number, number, number, number]
  const at = Date.UTC(y, mo - 1, d, h, mi, s)
  const now = (expect.now ?? Date.now)()
  if (Math.abs(now - at) > (expect.maxSkewMs ?? 5 * 60_000)) {
    return { code: 'InvalidSignatureException', message: `Signature expired: ${amzDate} is too far from the server's time.` }
  }
  const hashHeader = headerValue(req.headers['x-amz-content-sha256'])
  if (hashHeader !== undefined && hashHeader !== sha256Hex(Buffer.from(req.body, 'utf8'))) {
    return { code: 'InvalidSignatureException', message: 'The provided x-amz-content-sha256 header does not match what was computed.' }
  }

  const scope = `${date}/${region}/${service}/aws4_request`
  const expected = createHmac('sha256', signingKey(key.secretAccessKey, date, region, service)).update(stringToSign(req, signedHeaders, amzDate, scope), 'utf8').digest()
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) {
    return {
      code: 'InvalidSignatureException',
      message: 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
    }
  }
  return undefined
}
