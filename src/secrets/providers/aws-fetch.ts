/**
 * One signed request to an AWS service over `fetch`, shared by the providers
 * that speak to AWS without the SDK (Secrets Manager, SSM Parameter Store,
 * AppConfig): where the service is (region, endpoint), whose credentials
 * sign it (SigV4 by `aws4fetch`), how long it may take, and how a refusal
 * becomes a typed secret error. Each door imports only this and its own
 * protocol, so a Secrets Manager user carries no SSM or AppConfig code.
 *
 * No retries here: a throttled or failed call becomes a
 * `SecretUnavailableError` (retryable), and the cache keeps serving the
 * last good value meanwhile.
 */
import { AwsClient } from 'aws4fetch'
import { ConfigurationError } from '../../errors.js'
import { networkFailure, secretFailure, type SecretError, type SecretErrorInfo } from '../errors.js'
import { classifyAwsError, sanitizeErrorCode } from './aws-errors.js'
import { envVar, parseJson, replyFailure, REQUEST_TIMEOUT_MS, withTimeout } from './http.js'

/** Static AWS credentials. */
export interface AwsCredentials {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly sessionToken?: string
}

/** Where an AWS call goes and who signs it: the options every AWS provider shares. */
export interface AwsFetchOptions {
  /** @defaultValue `AWS_REGION`, else `AWS_DEFAULT_REGION` */
  region?: string
  /** The service endpoint, e.g. a LocalStack URL. @defaultValue the service's `AWS_ENDPOINT_URL_*` variable, else `AWS_ENDPOINT_URL`, else the public endpoint of the region */
  endpoint?: string
  /** @defaultValue the `AWS_*` environment variables Lambda sets */
  credentials?: AwsCredentials
  /**
   * How long one request may take, ms, reply included. A request that takes
   * longer fails with a `SecretUnavailableError` (retryable) whose cause is
   * a `TimeoutError`.
   * @defaultValue 10000
   */
  requestTimeout?: number
}

/** The names of {@link AwsFetchOptions}, for option checking. */
export const AWS_FETCH_OPTIONS = ['region', 'endpoint', 'credentials', 'requestTimeout'] as const

/** What tells one AWS service from another on the wire. */
export interface AwsService {
  /** The SigV4 signing name (`secretsmanager`, `ssm`, `appconfig`). */
  readonly signingName: string
  /** The host prefix of its public endpoint (`secretsmanager`, `ssm`, `appconfigdata`). */
  readonly hostPrefix: string
  /** The environment variable that moves its endpoint (`AWS_ENDPOINT_URL_SSM`). */
  readonly endpointVariable: string
}

/** A request relative to the service's endpoint. */
export interface AwsRequest {
  readonly method: 'GET' | 'POST'
  /** Path and query, e.g. `/` or `/configuration?configuration_token=…`. */
  readonly path: string
  readonly headers?: Record<string, string>
  readonly body?: string
}

/** The reply, read whole within the timeout. */
export interface AwsReply {
  readonly response: Response
  readonly bytes: Uint8Array
}

/** Sends a signed request and returns the reply, whatever its status; a network failure or timeout throws a retryable error. */
export type AwsFetch = (info: SecretErrorInfo, request: AwsRequest) => Promise<AwsReply>

/** The region the options or the environment name. */
export function awsRegion(opts: { region?: string | undefined }): string | undefined {
  return opts.region ?? envVar('AWS_REGION') ?? envVar('AWS_DEFAULT_REGION')
}

/** The endpoint the options or the environment name, if any (else the public one is used). */
export function awsEndpoint(opts: { endpoint?: string | undefined }, variable: string): string | undefined {
  return opts.endpoint ?? envVar(variable) ?? envVar('AWS_ENDPOINT_URL')
}

/** The credentials Lambda puts in the environment, if all there. */
export function envCredentials(): AwsCredentials | undefined {
  const accessKeyId = envVar('AWS_ACCESS_KEY_ID')
  const secretAccessKey = envVar('AWS_SECRET_ACCESS_KEY')
  if (!accessKeyId || !secretAccessKey) return undefined
  const sessionToken = envVar('AWS_SESSION_TOKEN')
  return sessionToken ? { accessKeyId, secretAccessKey, sessionToken } : { accessKeyId, secretAccessKey }
}

/** Throws a ConfigurationError naming `caller` unless `value` is a usable timeout. */
export function checkRequestTimeout(caller: string, value: unknown): void {
  if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && value > 0)) {
    throw new ConfigurationError(`${caller}: \`requestTimeout\` must be a positive number of milliseconds`)
  }
}

/**
 * A signed fetch to `service`. The signer is made on first use (the
 * environment may be filled in after import) and kept for the provider's
 * life; a missing region or missing credentials fail the load, naming the
 * secret, before anything is sent.
 */
export function awsFetch(service: AwsService, opts: AwsFetchOptions): AwsFetch {
  let signer: { client: AwsClient; base: string } | undefined
  const setup = (info: SecretErrorInfo) => {
    if (signer) return signer
    const region = awsRegion(opts)
    if (!region) throw secretFailure('invalid', info, 'no AWS region: set AWS_REGION or the `region` option')
    const credentials = opts.credentials ?? envCredentials()
    if (!credentials) throw secretFailure('denied', info, 'no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or the `credentials` option')
    const client = new AwsClient({ ...credentials, service: service.signingName, region, retries: 0 })
    const base = (awsEndpoint(opts, service.endpointVariable) ?? `https://${service.hostPrefix}.${region}.amazonaws.com`).replace(/\/+$/, '')
    return (signer = { client, base })
  }
  const timeout = opts.requestTimeout ?? REQUEST_TIMEOUT_MS
  return async (info, req) => {
    const { client, base } = setup(info)
    try {
      // Signed by aws4fetch, sent by us: aws4fetch drops a signal given to
      // it when it rebuilds the request, and the timer of a dropped
      // AbortSignal.timeout() can be collected before it fires.
      const request = await client.sign(base + req.path, {
        method: req.method,
        ...(req.headers && { headers: req.headers }),
        ...(req.body !== undefined && { body: req.body }),
      })
      return await withTimeout(timeout, async (signal) => {
        const response = await fetch(request, { signal })
        return { response, bytes: new Uint8Array(await response.arrayBuffer()) }
      })
    } catch (error) {
      throw networkFailure(info, error)
    }
  }
}

/** The reply body as text (AWS error and JSON bodies are UTF-8). */
export function replyText(reply: AwsReply): string {
  return new TextDecoder().decode(reply.bytes)
}

/**
 * The typed error for a non-2xx AWS reply, given its body parsed (or
 * `undefined`): the code from `x-amzn-ErrorType` or the body's `__type`,
 * the message from the body's `message`/`Message`. Both JSON protocols (1.1
 * and REST) answer so.
 */
export function awsFailure(info: SecretErrorInfo, response: Response, payload: unknown): SecretError {
  const code = sanitizeErrorCode(response.headers.get('x-amzn-errortype') ?? stringField(payload, '__type'))
  const message = stringField(payload, 'message') ?? stringField(payload, 'Message')
  return replyFailure(info, classifyAwsError(code, response.status), response, code, message)
}

/**
 * One call of an AWS JSON 1.1 protocol (`POST /` with `X-Amz-Target`), as
 * Secrets Manager and SSM speak it: the reply's JSON object, or the typed
 * error. A body that is not JSON is the service misbehaving: retryable.
 */
export async function awsJson11(send: AwsFetch, info: SecretErrorInfo, target: string, input: object): Promise<Record<string, unknown>> {
  const reply = await send(info, {
    method: 'POST',
    path: '/',
    headers: { 'X-Amz-Target': target, 'Content-Type': 'application/x-amz-json-1.1' },
    body: JSON.stringify(input),
  })
  const payload = parseJson(info, reply.response.status, replyText(reply))
  if (reply.response.ok && typeof payload === 'object' && payload !== null) return payload as Record<string, unknown>
  throw awsFailure(info, reply.response, payload)
}

/** `value[key]` when it is a string. */
export function stringField(value: unknown, key: string): string | undefined {
  const field = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined
  return typeof field === 'string' ? field : undefined
}
