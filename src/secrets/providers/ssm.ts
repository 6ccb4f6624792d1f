/**
 * `faasade/secrets/ssm`: AWS Systems Manager Parameter Store, over its JSON
 * 1.1 protocol (`POST /`, `X-Amz-Target: AmazonSSM.GetParameter`,
 * `…GetParameters`, `…GetParametersByPath`) with the same SigV4 fetch as
 * Secrets Manager (`aws-fetch.ts`): no SDK, credentials and region from
 * the environment Lambda sets, or from options.
 *
 * Its own door, not part of `faasade/secrets/aws`, so a function that uses
 * only Secrets Manager carries no Parameter Store code, and the reverse.
 *
 * Redaction: a `SecureString` is a secret, and its value is registered with
 * the log scrubber as every secret is. A `String` or `StringList` is
 * configuration (a table name, a URL, a flag) that logs should still show,
 * so it is not, unless `redact: true`. Either way the value reaches the
 * handler wrapped in a `Secret`, which prints `[redacted]`.
 *
 * @example
 * ```ts
 * import { secrets } from 'faasade/secrets'
 * import { fromSsmParameter, fromSsmParametersByPath } from 'faasade/secrets/ssm'
 * const config = secrets({
 *   table: fromSsmParameter('/orders/prod/table'),
 *   db: fromSsmParameter('/orders/prod/db', { json: true }),          // a SecureString, decrypted
 *   flags: fromSsmParametersByPath('/orders/prod/flags'),            // { 'beta': 'on', … }
 * })
 * ```
 */
import { ConfigurationError } from '../../errors.js'
import { checkOptions } from '../../middleware.js'
import type { SchemaOutput, StandardSchema } from '../../schema.js'
import { secretFailure, type SecretErrorInfo } from '../errors.js'
import { defineSecretProvider, VALUE_OPTIONS, type JsonValue, type RawSecret, type SecretProvider, type SecretValueOptions, type ValueOf } from '../provider.js'
import { AWS_FETCH_OPTIONS, awsFetch, awsJson11, checkRequestTimeout, type AwsFetchOptions } from './aws-fetch.js'

/** The provider kind of the Parameter Store providers. */
export const AWS_SSM = 'aws-ssm'

/** Options of {@link fromSsmParameter}. */
export interface SsmParameterOptions extends SecretValueOptions, AwsFetchOptions {
  /** Decrypt a `SecureString` (`WithDecryption`; the role needs `kms:Decrypt` on its key). No effect on other types. @defaultValue true */
  decrypt?: boolean
  /** Also register `String` and `StringList` values with the log scrubber (a `SecureString` always is). @defaultValue false */
  redact?: boolean
}

/** Options of {@link fromSsmParameters} and {@link fromSsmParametersByPath}. */
export interface SsmParametersOptions extends SsmParameterOptions {
  /** Parse each value as JSON. @defaultValue false */
  json?: boolean
}

/** Options of {@link fromSsmParametersByPath}. */
export interface SsmPathOptions extends SsmParametersOptions {
  /** Include parameters below the path's direct children. @defaultValue true */
  recursive?: boolean
}

/** The type of a group of parameters, by name: strings, JSON with `json: true`, or the schema's output (the schema checks the whole record). */
export type ParametersOf<O> = O extends { schema: infer S extends StandardSchema }
  ? SchemaOutput<S>
  : O extends { json: true }
    ? Record<string, JsonValue>
    : Record<string, string>

const SERVICE = { signingName: 'ssm', hostPrefix: 'ssm', endpointVariable: 'AWS_ENDPOINT_URL_SSM' }
const ONE = [...VALUE_OPTIONS, ...AWS_FETCH_OPTIONS, 'decrypt', 'redact']
const PATH = [...ONE, 'recursive']
/** `GetParameters` takes at most 10 names a call; `GetParametersByPath` returns at most 10 a page. */
const BATCH = 10
/** A path with more pages than this is a runaway pagination (a service bug, or a wrong path at the root), not configuration. */
const MAX_PAGES = 1_000

/** A parameter as the service returns it. */
interface Parameter {
  readonly Name: string
  readonly Type: string
  readonly Value: string
}

/**
 * One parameter from SSM Parameter Store, by name or ARN (a `name:version`
 * or `name:label` selector works as the service defines it). A
 * `SecureString` is decrypted unless `decrypt: false`.
 *
 * @example
 * ```ts
 * fromSsmParameter('/orders/prod/table')                          // string
 * fromSsmParameter('/orders/prod/db', { json: true, schema })     // a SecureString holding JSON, checked
 * fromSsmParameter('/orders/prod/key:3')                          // version 3
 * ```
 */
export function fromSsmParameter<const O extends SsmParameterOptions = {}>(name: string, options?: O): SecretProvider<ValueOf<O>> {
  const opts = check('fromSsmParameter', options, ONE)
  checkName('fromSsmParameter', name)
  const send = awsFetch(SERVICE, opts)
  const info: SecretErrorInfo = { provider: AWS_SSM, secretName: name }
  return defineSecretProvider<ValueOf<O>>(
    {
      kind: AWS_SSM,
      secretName: name,
      identity: ['one', ...identity(opts)],
      async fetch() {
        const out = await awsJson11(send, info, 'AmazonSSM.GetParameter', { Name: name, WithDecryption: opts.decrypt !== false })
        const parameter = asParameter(out.Parameter)
        if (!parameter) throw secretFailure('unavailable', info, 'the reply holds no parameter')
        return { text: parameter.Value, ...(isSecret(parameter, opts) ? {} : { secretTexts: [] }) }
      },
    },
    opts,
  )
}

/**
 * Several parameters by name, in one `GetParameters` call per ten, as a
 * record keyed by the names given. One that does not exist fails the load
 * with a `SecretNotFoundError` naming it.
 *
 * @example
 * ```ts
 * fromSsmParameters(['/orders/prod/table', '/orders/prod/queue'])
 * // ctx.secrets.x.value['/orders/prod/table']
 * ```
 */
export function fromSsmParameters<const O extends SsmParametersOptions = {}>(names: readonly string[], options?: O): SecretProvider<ParametersOf<O>> {
  const opts = check('fromSsmParameters', options, ONE)
  if (!Array.isArray(names) || names.length === 0) throw new ConfigurationError('fromSsmParameters: give a non-empty array of parameter names')
  for (const name of names) checkName('fromSsmParameters', name)
  const unique = [...new Set(names)]
  const label = unique.join(',')
  const send = awsFetch(SERVICE, opts)
  const info: SecretErrorInfo = { provider: AWS_SSM, secretName: label }
  return group<ParametersOf<O>>(label, ['many', ...identity(opts)], opts, info, async () => {
    const found: Parameter[] = []
    const missing: string[] = []
    for (let i = 0; i < unique.length; i += BATCH) {
      const out = await awsJson11(send, info, 'AmazonSSM.GetParameters', { Names: unique.slice(i, i + BATCH), WithDecryption: opts.decrypt !== false })
      for (const item of Array.isArray(out.Parameters) ? out.Parameters : []) {
        const parameter = asParameter(item)
        if (parameter) found.push(parameter)
      }
      if (Array.isArray(out.InvalidParameters)) missing.push(...out.InvalidParameters.filter((n): n is string => typeof n === 'string'))
    }
    if (missing.length > 0) throw secretFailure('not-found', info, `no such parameter(s): ${missing.join(', ')}`)
    // Keyed by the name as given: the reply names a selector (`name:3`) without it, and an ARN by its name.
    const byName = new Map(found.map((p) => [p.Name, p]))
    return unique.map((name) => {
      const bare = bareName(name)
      const parameter = byName.get(name) ?? byName.get(bare) ?? byName.get(bare.slice(1))
      if (!parameter) throw secretFailure('unavailable', info, `the reply lacks parameter ${name}`)
      return [name, parameter] as const
    })
  })
}

/**
 * Every parameter under a path (`GetParametersByPath`, all pages), as a
 * record keyed by the name relative to the path (`/orders/prod/db/url`
 * under `/orders/prod` is `db/url`). A path with no parameters fails the
 * load with a `SecretNotFoundError`: most likely a wrong path.
 *
 * @example
 * ```ts
 * fromSsmParametersByPath('/orders/prod', { recursive: false })   // direct children only
 * fromSsmParametersByPath('/orders/prod/flags', { json: true })    // each value parsed
 * ```
 */
export function fromSsmParametersByPath<const O extends SsmPathOptions = {}>(path: string, options?: O): SecretProvider<ParametersOf<O>> {
  const opts = check('fromSsmParametersByPath', options, PATH)
  if (typeof path !== 'string' || !path.startsWith('/')) throw new ConfigurationError('fromSsmParametersByPath: the path must start with "/"')
  if (opts.recursive !== undefined && typeof opts.recursive !== 'boolean') throw new ConfigurationError('fromSsmParametersByPath: `recursive` must be a boolean')
  const prefix = path.endsWith('/') ? path : `${path}/`
  const send = awsFetch(SERVICE, opts)
  const info: SecretErrorInfo = { provider: AWS_SSM, secretName: path }
  const recursive = opts.recursive !== false
  return group<ParametersOf<O>>(path, ['path', recursive, ...identity(opts)], opts, info, async () => {
    const found: Array<readonly [string, Parameter]> = []
    let token: string | undefined
    let pages = 0
    do {
      if (++pages > MAX_PAGES) throw secretFailure('unavailable', info, `more than ${MAX_PAGES} pages of parameters`)
      const input = { Path: path, Recursive: recursive, WithDecryption: opts.decrypt !== false, MaxResults: BATCH, ...(token !== undefined && { NextToken: token }) }
      const out = await awsJson11(send, info, 'AmazonSSM.GetParametersByPath', input)
      for (const item of Array.isArray(out.Parameters) ? out.Parameters : []) {
        const parameter = asParameter(item)
        if (parameter) found.push([parameter.Name.startsWith(prefix) ? parameter.Name.slice(prefix.length) : parameter.Name, parameter])
      }
      token = typeof out.NextToken === 'string' && out.NextToken !== '' ? out.NextToken : undefined
    } while (token !== undefined)
    if (found.length === 0) throw secretFailure('not-found', info, 'no parameters under this path')
    return found
  })
}

/** A provider of a record of parameters: values parsed here (each on its own), the record then checked by the schema. */
function group<T>(
  name: string,
  id: readonly unknown[],
  opts: SsmParametersOptions,
  info: SecretErrorInfo,
  read: () => Promise<ReadonlyArray<readonly [string, Parameter]>>,
): SecretProvider<T> {
  const json = opts.json === true
  return defineSecretProvider<T>(
    {
      kind: AWS_SSM,
      secretName: name,
      identity: [...id, json],
      async fetch(): Promise<RawSecret> {
        const entries = await read()
        const record: Record<string, unknown> = {}
        for (const [key, parameter] of entries) {
          if (!json) record[key] = parameter.Value
          else {
            try {
              record[key] = JSON.parse(parameter.Value)
            } catch {
              // No cause on purpose: V8's JSON.parse message quotes the text.
              throw secretFailure('invalid', info, `parameter ${parameter.Name} is not valid JSON (\`json: true\`)`)
            }
          }
        }
        const secretTexts = entries.filter(([, p]) => isSecret(p, opts)).map(([, p]) => p.Value)
        return { text: JSON.stringify(record), secretTexts }
      },
    },
    // The record travels as JSON text, so it is always parsed back; the user's `json` applied to each value above.
    { json: true, ...(opts.schema !== undefined && { schema: opts.schema }) },
  )
}

function check<O extends SsmPathOptions>(caller: string, options: O | undefined, known: readonly string[]): SsmPathOptions {
  checkOptions(caller, options, known)
  const opts: SsmPathOptions = options ?? {}
  checkRequestTimeout(caller, opts.requestTimeout)
  if (opts.decrypt !== undefined && typeof opts.decrypt !== 'boolean') throw new ConfigurationError(`${caller}: \`decrypt\` must be a boolean`)
  if (opts.redact !== undefined && typeof opts.redact !== 'boolean') throw new ConfigurationError(`${caller}: \`redact\` must be a boolean`)
  return opts
}

function checkName(caller: string, name: unknown): void {
  if (typeof name !== 'string' || name.length === 0) throw new ConfigurationError(`${caller}: a parameter name must be a non-empty string`)
}

function identity(opts: SsmParameterOptions): unknown[] {
  return [opts.region, opts.endpoint, opts.decrypt !== false, opts.redact === true]
}

function isSecret(parameter: Parameter, opts: SsmParameterOptions): boolean {
  return parameter.Type === 'SecureString' || opts.redact === true
}

function asParameter(value: unknown): Parameter | undefined {
  const p = value as Partial<Parameter> | null | undefined
  return typeof p?.Name === 'string' && typeof p.Value === 'string' ? { Name: p.Name, Type: typeof p.Type === 'string' ? p.Type : 'String', Value: p.Value } : undefined
}

/** `arn:aws:ssm:…:parameter/a/b:3` -> `/a/b`; `/a/b:label` -> `/a/b`. */
function bareName(name: string): string {
  const arn = /^arn:[^:]+:ssm:[^:]*:[^:]*:parameter(\/.*)$/.exec(name)
  const path = arn ? arn[1]! : name
  const colon = path.lastIndexOf(':')
  return colon > 0 ? path.slice(0, colon) : path
}

export type { AwsCredentials, AwsFetchOptions } from './aws-fetch.js'
