// Answers AWS Secrets Manager's JSON 1.1 protocol the way the service does:
// POST / with X-Amz-Target, a SigV4 Authorization header, and errors as
// HTTP 400 (500 for InternalServiceError) with {"__type","message"} bodies
// and the x-amzn-ErrorType header. The signature is verified, not just its
// format (sigv4.ts): a request signed with a secret key other than the one
// the fake knows for its access key id is refused with
// InvalidSignatureException, as the service refuses it.
//
// Why a fake and not an emulator: the project depends on no Secrets Manager
// emulator (LocalStack and moto are Python or Docker programs, neither in
// package.json), so a suite that needed one would skip wherever it is
// missing (moto's moto_server, installed with pip, does emulate Secrets
// Manager, but nothing here installs it). And the failures these tests
// need (one secret throttled, a 500, access denied) are set per test here,
// in the test's own process, with every request recorded.
import type { Recorded, Reply } from './server.js'
import { verifySigV4, type SigV4Key } from './sigv4.js'

/** The credentials the fake knows, as the tests sign with them. */
export const TEST_KEY: SigV4Key = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret-test-key' }

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

export function secretsManager(store: Map<string, Stored>, keys: readonly SigV4Key[] = [TEST_KEY]) {
  return (req: Recorded): Reply => {
    const target = req.headers['x-amz-target']
    if (req.method !== 'POST' || req.url.pathname !== '/' || req.headers['content-type'] !== JSON_11) {
      return awsError('ValidationException', 'bad request shape')
    }
    const refused = verifySigV4(req, { keys, region: 'us-east-1', service: 'secretsmanager' })
    if (refused) return awsError(refused.code, refused.message)
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
