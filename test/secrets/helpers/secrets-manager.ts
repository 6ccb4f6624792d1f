// Answers AWS Secrets Manager's JSON 1.1 protocol the way the service does:
// POST / with X-Amz-Target, a SigV4 Authorization header, and errors as
// HTTP 400 (500 for InternalServiceError) with {"__type","message"} bodies
// and the x-amzn-ErrorType header.
import type { Recorded, Reply } from './server.js'

export type Stored =
  | { string: string; nextRotation?: number }
  | { binary: Uint8Array }
  | { error: string; status?: number; message?: string }

const JSON_11 = 'application/x-amz-json-1.1'

export function awsError(type: string, message: string, status = 400): Reply {
  return {
    status,
    headers: { 'content-type': JSON_11, 'x-amzn-requestid': 'req-1', 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazonaws.secretsmanager/` },
    body: { __type: type, message },
  }
}

export function secretsManager(store: Map<string, Stored>) {
  return (req: Recorded): Reply => {
    const target = req.headers['x-amz-target']
    const auth = String(req.headers.authorization ?? '')
    if (req.method !== 'POST' || req.url.pathname !== '/' || req.headers['content-type'] !== JSON_11) {
      return awsError('ValidationException', 'bad request shape')
    }
    if (!/^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/us-east-1\/secretsmanager\/aws4_request, SignedHeaders=[^,]+, Signature=[0-9a-f]{64}$/.test(auth)) {
      return awsError('IncompleteSignature', 'missing or malformed signature', 403)
    }
    const input = JSON.parse(req.body) as { SecretId: string }
    const item = store.get(input.SecretId)
    if (!item) return awsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.")
    if ('error' in item) return awsError(item.error, item.message ?? 'failed', item.status ?? 400)
    const base = { ARN: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${input.SecretId}-AbCdEf`, Name: input.SecretId }
    if (target === 'secretsmanager.DescribeSecret') {
      const rotation = 'nextRotation' in item && item.nextRotation !== undefined
      return { headers: { 'content-type': JSON_11 }, body: { ...base, RotationEnabled: rotation, ...(rotation && { NextRotationDate: item.nextRotation! / 1000 }) } }
    }
    if (target !== 'secretsmanager.GetSecretValue') return awsError('UnknownOperationException', 'unknown operation')
    const value = 'string' in item ? { SecretString: item.string } : { SecretBinary: Buffer.from(item.binary).toString('base64') }
    return {
      headers: { 'content-type': JSON_11, 'x-amzn-requestid': 'req-1' },
      body: { ...base, ...value, VersionId: 'EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE', VersionStages: ['AWSCURRENT'], CreatedDate: 1523477145.713 },
    }
  }
}
