// Answers SSM Parameter Store's JSON 1.1 protocol as the service documents
// it: POST / with X-Amz-Target AmazonSSM.GetParameter, .GetParameters (at
// most 10 names; unknown ones listed in InvalidParameters, not an error) and
// .GetParametersByPath (Path, Recursive, MaxResults at most 10, NextToken),
// a SigV4 signature verified for the service name "ssm" (sigv4.ts), and
// errors as HTTP 400 (500 for InternalServerError) with a {"__type",
// "message"} body and no x-amzn-ErrorType header, so the client must read
// the code from the body. A SecureString read without WithDecryption comes
// back as ciphertext, as it does from the service.
//
// Why a fake and not an emulator: the project depends on no Parameter Store
// emulator (LocalStack and moto are Python or Docker programs, and CI here
// installs neither), and the failures these tests need (one parameter
// throttled, a 500, denied, a KMS key refused) are set per test, in the
// test's own process, with every request recorded.
import type { Recorded, Reply } from './server.js'
import { verifySigV4, type SigV4Key } from './sigv4.js'

export type StoredParameter =
  | { type: 'String' | 'StringList' | 'SecureString'; value: string }
  | { error: string; status?: number; message?: string }

const JSON_11 = 'application/x-amz-json-1.1'

export function ssmError(type: string, message: string, status = 400): Reply {
  return { status, headers: { 'content-type': JSON_11, 'x-amzn-requestid': 'req-ssm' }, body: { __type: type, message } }
}

/** What the fake saw: the decoded input of each call, by operation. */
export interface SsmLog {
  readonly calls: Array<{ op: string; input: Record<string, unknown> }>
}

export function parameterStore(store: Map<string, StoredParameter>, keys: readonly SigV4Key[], log: SsmLog = { calls: [] }) {
  const render = (name: string, item: Extract<StoredParameter, { type: string }>, decrypt: boolean) => ({
    Name: name,
    Type: item.type,
    Value: item.type === 'SecureString' && !decrypt ? `AQICAHh${Buffer.from(item.value).toString('base64').split('').reverse().join('')}` : item.value,
    Version: 1,
    ARN: `arn:aws:ssm:us-east-1:123456789012:parameter${name.startsWith('/') ? '' : '/'}${name}`,
    DataType: 'text',
  })
  return (req: Recorded): Reply => {
    if (req.method !== 'POST' || req.url.pathname !== '/' || req.headers['content-type'] !== JSON_11) return ssmError('ValidationException', 'bad request shape')
    const refused = verifySigV4(req, { keys, region: 'us-east-1', service: 'ssm' })
    if (refused) return ssmError(refused.code, refused.message)
    const target = String(req.headers['x-amz-target'])
    const input = JSON.parse(req.body) as Record<string, unknown>
    log.calls.push({ op: target.replace('AmazonSSM.', ''), input })
    const decrypt = input.WithDecryption === true
    const ok = (body: object): Reply => ({ headers: { 'content-type': JSON_11 }, body })

    if (target === 'AmazonSSM.GetParameter') {
      const name = String(input.Name)
      const item = store.get(name)
      if (!item) return ssmError('ParameterNotFound', '')
      if ('error' in item) return ssmError(item.error, item.message ?? 'failed', item.status ?? 400)
      return ok({ Parameter: render(name, item, decrypt) })
    }
    if (target === 'AmazonSSM.GetParameters') {
      const names = input.Names as string[]
      if (!Array.isArray(names) || names.length === 0 || names.length > 10) return ssmError('ValidationException', 'Names must hold 1 to 10 names')
      const parameters: object[] = []
      const invalid: string[] = []
      for (const name of names) {
        const item = store.get(name)
        if (!item) invalid.push(name)
        else if ('error' in item) return ssmError(item.error, item.message ?? 'failed', item.status ?? 400)
        else parameters.push(render(name, item, decrypt))
      }
      return ok({ Parameters: parameters, InvalidParameters: invalid })
    }
    if (target === 'AmazonSSM.GetParametersByPath') {
      const path = String(input.Path)
      const max = (input.MaxResults as number | undefined) ?? 10
      if (!path.startsWith('/') || max < 1 || max > 10) return ssmError('ValidationException', 'bad Path or MaxResults')
      const prefix = path.endsWith('/') ? path : `${path}/`
      const names = [...store.keys()]
        .filter((n) => n.startsWith(prefix) && (input.Recursive === true || !n.slice(prefix.length).includes('/')))
        .sort()
      for (const name of names) {
        const item = store.get(name)!
        if ('error' in item) return ssmError(item.error, item.message ?? 'failed', item.status ?? 400)
      }
      const start = typeof input.NextToken === 'string' ? Number(Buffer.from(input.NextToken, 'base64').toString()) : 0
      const page = names.slice(start, start + max)
      const next = start + max < names.length ? Buffer.from(String(start + max)).toString('base64') : undefined
      return ok({ Parameters: page.map((n) => render(n, store.get(n) as Extract<StoredParameter, { type: string }>, decrypt)), ...(next && { NextToken: next }) })
    }
    return ssmError('UnknownOperationException', 'unknown operation')
  }
}
