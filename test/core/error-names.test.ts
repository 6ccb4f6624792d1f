/**
 * Error names survive minification: the README's esbuild recipe minifies
 * without `--keep-names`, which renames every class, so a name taken from
 * the constructor logged `"errorName":"M"`. Each test bundles a tiny entry
 * that makes one of every error of the library, with esbuild as the recipe
 * does, runs it, and reads the names.
 */
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))

// Every error class of the library, by the name it must carry, made the way
// its code makes it.
const entry = `
import { ConfigurationError, describeError, InvalidEventError, NoHandlerError, PayloadTooLargeError, PermanentError, RetryableError, TimeoutError, toFaasadeError, UnexpectedError, ValidationError } from './src/errors.js'
import { IdempotencyInProgressError, IdempotencyKeyMissingError, IdempotencyKeyReusedError, IdempotencyResultError, IdempotencyStoreError } from './src/idempotency/errors.js'
import { SecretAccessDeniedError, SecretInvalidError, SecretNotFoundError, SecretUnavailableError } from './src/secrets/errors.js'
import { runBatch } from './src/batch.js'
import { decodeCloudEvents } from './src/http/decode.js'

const info = { provider: 'env', secretName: 'stripe' }
class MyError extends PermanentError {}
class NamedError extends PermanentError { name = 'NamedError' }
const anonymous = [class extends PermanentError {}][0]

export async function make() {
  const skipped = (await runBatch([1, 2], () => { throw new RetryableError('x') }, { ordered: true }))[1].error
  let unsupported
  try { decodeCloudEvents({ method: 'POST', headers: { 'content-type': 'application/cloudevents+avro' }, body: '' }) } catch (error) { unsupported = error }
  return {
    ours: {
      ValidationError: new ValidationError('m'),
      InvalidEventError: new InvalidEventError('m'),
      PermanentError: new PermanentError('m'),
      NoHandlerError: new NoHandlerError('m'),
      PayloadTooLargeError: new PayloadTooLargeError('m'),
      RetryableError: new RetryableError('m'),
      TimeoutError: new TimeoutError('m'),
      UnexpectedError: new UnexpectedError('m'),
      IdempotencyInProgressError: new IdempotencyInProgressError('k', 2, 1),
      IdempotencyKeyReusedError: new IdempotencyKeyReusedError('k'),
      IdempotencyStoreError: new IdempotencyStoreError('redis', 'claim', 'k'),
      IdempotencyKeyMissingError: new IdempotencyKeyMissingError('m'),
      IdempotencyResultError: new IdempotencyResultError('k', 'too-large', 'm'),
      SecretNotFoundError: new SecretNotFoundError(info, 'm'),
      SecretAccessDeniedError: new SecretAccessDeniedError(info, 'm'),
      SecretInvalidError: new SecretInvalidError(info, 'm'),
      SecretUnavailableError: new SecretUnavailableError(info, 'm'),
      SkippedError: skipped,
      UnsupportedFormatError: unsupported,
    },
    configuration: new ConfigurationError('m'),
    wrapped: toFaasadeError(new Error('m')),
    mine: new MyError('m'),
    named: new NamedError('m'),
    anonymous: new anonymous('m'),
    constructors: { ValidationError, PermanentError, MyError },
    describeError,
  }
}
`

interface Made {
  ours: Record<string, Error>
  configuration: Error
  wrapped: Error
  mine: Error
  named: Error
  anonymous: Error
  constructors: Record<string, { name: string }>
  describeError: (error: unknown) => Record<string, unknown>
}

async function bundle(minify: boolean): Promise<Made> {
  const result = await build({
    stdin: { contents: entry, loader: 'ts', resolveDir: root, sourcefile: 'entry.ts' },
    bundle: true,
    minify,
    write: false,
    format: 'iife',
    globalName: 'entry',
    platform: 'neutral',
    target: 'node20',
    logLevel: 'silent',
  })
  const code = result.outputFiles[0]!.text
  const exports = new Function(`${code}\nreturn entry`)() as { make: () => Promise<Made> }
  return exports.make()
}

describe.each([true, false])('error names, minified: %s', (minify) => {
  it('every error of the library carries its own class name, and logs it', async () => {
    const made = await bundle(minify)
    // The premise: a minified bundle renames the classes themselves.
    if (minify) expect(made.constructors.ValidationError!.name).not.toBe('ValidationError')
    expect(Object.keys(made.ours)).toHaveLength(19)
    for (const [name, error] of Object.entries(made.ours)) {
      expect(error.name, name).toBe(name)
      expect(String(error.stack).startsWith(`${name}: `), name).toBe(true)
      // An unexpected error is logged as the error it wraps.
      if (name !== 'UnexpectedError') expect(made.describeError(error).errorName, name).toBe(name)
    }
    expect(made.configuration.name).toBe('ConfigurationError')
    expect(made.wrapped.name).toBe('UnexpectedError')
  })

  it("names a user's subclass after its constructor, as far as the bundle keeps that name", async () => {
    const made = await bundle(minify)
    // Minified, a user's class has the name the minifier gave it: theirs to keep (--keep-names, or a name field).
    expect(made.mine.name).toBe(made.constructors.MyError!.name)
    if (!minify) expect(made.mine.name).toBe('MyError')
    expect(made.mine.name).not.toBe('PermanentError')
    expect(made.named.name).toBe('NamedError')
    expect(made.describeError(made.named).errorName).toBe('NamedError')
    // A class without a name takes the nearest of ours.
    expect(made.anonymous.name).toBe('PermanentError')
  })
})
