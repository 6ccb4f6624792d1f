// fromAwsSecretsManager's fetch transport against a server that accepts the
// connection and never answers, while garbage is collected: aws4fetch
// dropped the AbortSignal.timeout() given to it when it rebuilt the request,
// so the signal (and its timer) could be collected and the call hung.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHungServer, underGc, type HungServer } from '../support/hung-server.js'
import { ConfigurationError } from 'faasade'
import { SecretUnavailableError } from 'faasade/secrets'
import { fromAwsSecretsManager } from 'faasade/secrets/aws'

let server: HungServer
let endpoint: string
const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret-test-key' }

beforeAll(async () => {
  server = await startHungServer()
  endpoint = `${server.origin}/`
})

afterAll(() => server.close())

describe('fromAwsSecretsManager (fetch transport) against a server that never answers', () => {
  it('fails with SecretUnavailableError caused by a timeout, within requestTimeout', async () => {
    const provider = fromAwsSecretsManager('prod/hung', { transport: 'fetch', endpoint, region: 'us-east-1', credentials, requestTimeout: 150 })
    const started = Date.now()
    const error = await underGc(provider.load({ provider: undefined }), 5_000)
    expect(error).toBeInstanceOf(SecretUnavailableError)
    expect(((error as Error).cause as Error).name).toBe('TimeoutError')
    // Generous: the bound is the timeout plus scheduling on a busy machine, not a hang.
    expect(Date.now() - started).toBeLessThan(4_000)
  })

  it('refuses requestTimeout where it would not apply, and a value that is not a duration', () => {
    expect(() => fromAwsSecretsManager('x', { transport: 'sdk', requestTimeout: 1_000 })).toThrow(ConfigurationError)
    expect(() => fromAwsSecretsManager('x', { requestTimeout: 0 })).toThrow(ConfigurationError)
    expect(() => fromAwsSecretsManager('x', { requestTimeout: Number.NaN })).toThrow(ConfigurationError)
  })
})
