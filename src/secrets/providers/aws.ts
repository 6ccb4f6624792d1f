/**
 * `faasade/secrets/aws`: AWS Secrets Manager, over one of two transports.
 *
 * - `'fetch'` (the default without a `client`): Secrets Manager's JSON
 *   protocol (`POST /`, `X-Amz-Target: secretsmanager.GetSecretValue`,
 *   `application/x-amz-json-1.1`) over `fetch`, SigV4-signed by `aws4fetch`
 *   (about 3 KB). Credentials and region come from the environment Lambda
 *   sets (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`,
 *   `AWS_REGION`), or from options. No SDK is loaded.
 * - `'sdk'` (the default with a `client`): `@aws-sdk/client-secrets-manager`.
 *   Your client if you pass one; else one is created on first use, by a
 *   dynamic import, once per instance and region/endpoint. The SDK is an
 *   optional peer dependency; on Lambda's Node runtime it is preinstalled.
 *
 * Why fetch is the default: measured cold (fresh Node 20 processes, local
 * endpoint, medians of 10; bench/secrets/RESULTS.md), the fetch transport
 * costs 40 ms from import to the first secret, the SDK transport 63 ms:
 * importing and constructing the SDK client alone is 41 ms, aws4fetch 2 ms.
 * About 20 ms of the fetch transport's figure is Node loading `fetch` itself
 * on first use, which a function that calls any API with `fetch` pays anyway.
 *
 * Neither transport retries: a throttled or failed fetch becomes a
 * `SecretUnavailableError` (retryable), and the cache keeps serving the last
 * good value meanwhile. Your injected client keeps its own retry settings.
 *
 * @example
 * ```ts
 * import { secrets } from 'faasade/secrets'
 * import { fromAwsSecretsManager } from 'faasade/secrets/aws'
 * import * as z from 'zod'
 * secrets({ stripe: fromAwsSecretsManager('prod/stripe', { json: true, schema: z.object({ apiKey: z.string() }), expireAtRotation: true }) })
 * ```
 */
import { ConfigurationError } from '../../errors.js'
import { checkOptions } from '../../middleware.js'
import { networkFailure, secretFailure, type SecretErrorInfo } from '../errors.js'
import { BINARY_VALUE_OPTIONS, defineSecretProvider, type BinaryValueOptions, type RawSecret, type SecretProvider, type ValueOf } from '../provider.js'
import { classifyAwsError } from './aws-errors.js'
import { awsEndpoint, awsFetch, awsJson11, awsRegion, checkRequestTimeout, type AwsCredentials } from './aws-fetch.js'
import { base64ToBytes } from './http.js'

/** The provider kind of {@link fromAwsSecretsManager}. */
export const AWS_SECRETS_MANAGER = 'aws-secrets-manager'

/** The transport that {@link fromAwsSecretsManager} uses when given no `client` (chosen by bench/secrets). */
export const DEFAULT_AWS_TRANSPORT: 'fetch' | 'sdk' = 'fetch'

export type { AwsCredentials } from './aws-fetch.js'

/**
 * The part of a `SecretsManagerClient` used here, so that faasade's types do
 * not depend on the SDK's. Any v3 `SecretsManagerClient` fits.
 */
export interface SecretsManagerClientLike {
  /** Sends a `GetSecretValueCommand` and resolves to its output. */
  send(command: never): Promise<unknown>
}

export interface AwsSecretsManagerOptions extends BinaryValueOptions {
  /** A version id; exclusive with `versionStage`. @defaultValue the `AWSCURRENT` version */
  versionId?: string
  /** A staging label (`AWSCURRENT`, `AWSPREVIOUS`, …). */
  versionStage?: string
  /** @defaultValue `AWS_REGION`, else `AWS_DEFAULT_REGION` */
  region?: string
  /**
   * The service endpoint, e.g. a LocalStack URL.
   * @defaultValue `AWS_ENDPOINT_URL_SECRETS_MANAGER`, else `AWS_ENDPOINT_URL`, else `https://secretsmanager.{region}.amazonaws.com`
   */
  endpoint?: string
  /** @defaultValue `'sdk'` when `client` is given, else {@link DEFAULT_AWS_TRANSPORT} */
  transport?: 'fetch' | 'sdk'
  /**
   * Your `SecretsManagerClient` (implies `transport: 'sdk'`), with its own
   * region, credentials and retry settings. The command classes are imported
   * from `@aws-sdk/client-secrets-manager` on first use.
   */
  client?: SecretsManagerClientLike
  /** For the fetch transport (the SDK transport takes them only through `client`). @defaultValue the `AWS_*` environment variables */
  credentials?: AwsCredentials
  /**
   * For the fetch transport: how long one request may take, ms, reply
   * included. A request that takes longer fails with a
   * `SecretUnavailableError` (retryable) whose cause is a `TimeoutError`.
   * Your SDK client keeps its own (its `requestHandler`'s `requestTimeout`).
   * @defaultValue 10000
   */
  requestTimeout?: number
  /**
   * Also expire the cached value at the secret's next rotation date, read
   * with `DescribeSecret` (`NextRotationDate`) alongside each fetch: one more
   * call per TTL window, and the `secretsmanager:DescribeSecret` permission.
   * @defaultValue false
   */
  expireAtRotation?: boolean
}

const KNOWN = [...BINARY_VALUE_OPTIONS, 'versionId', 'versionStage', 'region', 'endpoint', 'transport', 'client', 'credentials', 'requestTimeout', 'expireAtRotation']

/**
 * A secret from AWS Secrets Manager, by name or ARN.
 *
 * @example
 * ```ts
 * fromAwsSecretsManager('prod/db')                                  // string
 * fromAwsSecretsManager('prod/stripe', { json: true })              // JsonValue
 * fromAwsSecretsManager('prod/stripe', { json: true, schema })      // the schema's output
 * fromAwsSecretsManager('prod/cert', { binary: true })              // Uint8Array (SecretBinary)
 * fromAwsSecretsManager('prod/db', { client: new SecretsManagerClient({}) })   // your SDK client
 * ```
 */
export function fromAwsSecretsManager<const O extends AwsSecretsManagerOptions = {}>(secretId: string, options?: O): SecretProvider<ValueOf<O>> {
  if (typeof secretId !== 'string' || secretId.length === 0) throw new ConfigurationError('fromAwsSecretsManager: the secret id must be a non-empty string')
  checkOptions('fromAwsSecretsManager', options, KNOWN)
  const opts: AwsSecretsManagerOptions = options ?? {}
  if (opts.versionId !== undefined && opts.versionStage !== undefined) throw new ConfigurationError('fromAwsSecretsManager: `versionId` and `versionStage` exclude each other')
  if (opts.transport !== undefined && opts.transport !== 'fetch' && opts.transport !== 'sdk') throw new ConfigurationError("fromAwsSecretsManager: `transport` must be 'fetch' or 'sdk'")
  if (opts.client !== undefined && typeof opts.client?.send !== 'function') throw new ConfigurationError('fromAwsSecretsManager: `client` must be a SecretsManagerClient')
  if (opts.client !== undefined && opts.transport === 'fetch') throw new ConfigurationError("fromAwsSecretsManager: `client` needs `transport: 'sdk'`")
  const transport = opts.transport ?? (opts.client ? 'sdk' : DEFAULT_AWS_TRANSPORT)
  const { requestTimeout } = opts
  checkRequestTimeout('fromAwsSecretsManager', requestTimeout)
  if (requestTimeout !== undefined && transport !== 'fetch') {
    throw new ConfigurationError("fromAwsSecretsManager: `requestTimeout` is for the fetch transport; give your SDK client a requestHandler with requestTimeout instead")
  }
  const info: SecretErrorInfo = { provider: AWS_SECRETS_MANAGER, secretName: secretId }
  const input = { SecretId: secretId, ...(opts.versionId && { VersionId: opts.versionId }), ...(opts.versionStage && { VersionStage: opts.versionStage }) }
  const get = transport === 'fetch' ? fetchTransport(info, opts) : sdkTransport(info, opts)
  return defineSecretProvider<ValueOf<O>>(
    {
      kind: AWS_SECRETS_MANAGER,
      secretName: secretId,
      identity: [opts.region, opts.endpoint, opts.versionId, opts.versionStage, transport, opts.expireAtRotation === true],
      async fetch() {
        if (!opts.expireAtRotation) return get.value(input)
        const [raw, rotatesAt] = await Promise.all([get.value(input), get.nextRotation(secretId)])
        return rotatesAt === undefined ? raw : { ...raw, expiresAt: rotatesAt }
      },
    },
    opts,
  )
}

interface Transport {
  value(input: Record<string, string>): Promise<RawSecret>
  /** Epoch ms of the next rotation, if one is scheduled. */
  nextRotation(secretId: string): Promise<number | undefined>
}

const SERVICE = { signingName: 'secretsmanager', hostPrefix: 'secretsmanager', endpointVariable: 'AWS_ENDPOINT_URL_SECRETS_MANAGER' }

function regionOf(opts: AwsSecretsManagerOptions): string | undefined {
  return awsRegion(opts)
}

function endpointOf(opts: AwsSecretsManagerOptions): string | undefined {
  return awsEndpoint(opts, SERVICE.endpointVariable)
}

// ---- fetch transport ------------------------------------------------------

function fetchTransport(info: SecretErrorInfo, opts: AwsSecretsManagerOptions): Transport {
  const send = awsFetch(SERVICE, opts)
  const call = (target: string, body: object) => awsJson11(send, info, `secretsmanager.${target}`, body)
  return {
    async value(input) {
      const out = await call('GetSecretValue', input)
      if (typeof out.SecretString === 'string') return { text: out.SecretString }
      if (typeof out.SecretBinary === 'string') return { bytes: base64ToBytes(out.SecretBinary) }
      return {}
    },
    async nextRotation(secretId) {
      const out = await call('DescribeSecret', { SecretId: secretId })
      // The JSON protocol sends timestamps as epoch seconds.
      return typeof out.NextRotationDate === 'number' ? out.NextRotationDate * 1000 : undefined
    },
  }
}

// ---- SDK transport --------------------------------------------------------

/** The shapes used from `@aws-sdk/client-secrets-manager`, declared here so its types stay optional too. */
interface SdkModule {
  SecretsManagerClient: new (config: Record<string, unknown>) => SecretsManagerClientLike
  GetSecretValueCommand: new (input: Record<string, string>) => object
  DescribeSecretCommand: new (input: Record<string, string>) => object
}

const SDK_PACKAGE = '@aws-sdk/client-secrets-manager'
let sdkModule: Promise<SdkModule> | undefined
const sdkClients = new Map<string, SecretsManagerClientLike>()

/**
 * Through a function parameter, so that bundlers leave the import alone:
 * a Workers bundle must not contain the SDK, and on Lambda it is preinstalled.
 * workerd fails such an import only when it runs (never, with the fetch
 * transport); Miniflare's module walker refuses it up front, so list the
 * modules explicitly there (`modules: [{ type: 'ESModule', … }]`).
 */
function importOptional(specifier: string): Promise<unknown> {
  return import(/* @vite-ignore */ specifier)
}

function loadSdk(info: SecretErrorInfo): Promise<SdkModule> {
  sdkModule ??= importOptional(SDK_PACKAGE).then(
    (mod) => mod as SdkModule,
    (error: unknown) => {
      sdkModule = undefined
      throw secretFailure('invalid', info, `cannot load ${SDK_PACKAGE} (install it, or use transport: 'fetch'): ${error instanceof Error ? error.message : String(error)}`)
    },
  )
  return sdkModule
}

function sdkTransport(info: SecretErrorInfo, opts: AwsSecretsManagerOptions): Transport {
  const clientFor = (sdk: SdkModule): SecretsManagerClientLike => {
    if (opts.client) return opts.client
    const region = regionOf(opts)
    const endpoint = endpointOf(opts)
    const key = JSON.stringify([region, endpoint])
    let client = sdkClients.get(key)
    if (!client) {
      client = new sdk.SecretsManagerClient({ ...(region && { region }), ...(endpoint && { endpoint }), maxAttempts: 1 })
      sdkClients.set(key, client)
    }
    return client
  }
  const send = async (make: (sdk: SdkModule) => object): Promise<Record<string, unknown>> => {
    const sdk = await loadSdk(info)
    try {
      return (await clientFor(sdk).send(make(sdk) as never)) as Record<string, unknown>
    } catch (error) {
      throw sdkFailure(info, error)
    }
  }
  return {
    async value(input) {
      const out = await send((sdk) => new sdk.GetSecretValueCommand(input))
      if (typeof out.SecretString === 'string') return { text: out.SecretString }
      if (out.SecretBinary instanceof Uint8Array) return { bytes: out.SecretBinary }
      return {}
    },
    async nextRotation(secretId) {
      const out = await send((sdk) => new sdk.DescribeSecretCommand({ SecretId: secretId }))
      return out.NextRotationDate instanceof Date ? out.NextRotationDate.getTime() : undefined
    },
  }
}

function sdkFailure(info: SecretErrorInfo, error: unknown) {
  const e = error as { name?: unknown; message?: unknown; $metadata?: { httpStatusCode?: unknown } } | null
  const status = typeof e?.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined
  // No HTTP status: the request never got an answer (refused, reset, timed out).
  if (status === undefined) return networkFailure(info, error)
  const code = typeof e?.name === 'string' ? e.name : undefined
  const message = typeof e?.message === 'string' ? e.message : undefined
  return secretFailure(classifyAwsError(code, status), info, `HTTP ${status}${code ? ` ${code}` : ''}${message ? `: ${message}` : ''}`)
}
