/**
 * `faasade/secrets/lambda-extension`: the AWS Parameters and Secrets Lambda
 * Extension, a layer that runs beside the function and answers on localhost.
 * No SDK and no signing in the bundle: the extension holds the credentials,
 * and has its own cache on top of ours.
 *
 * The contract (AWS docs, "Use Secrets Manager secrets in Lambda functions"):
 * - `GET http://localhost:{PARAMETERS_SECRETS_EXTENSION_HTTP_PORT ?? 2773}/secretsmanager/get?secretId={id}`,
 *   with `versionId` or `versionStage` as further query parameters;
 * - header `X-Aws-Parameters-Secrets-Token: {AWS_SESSION_TOKEN}`, without
 *   which the extension refuses the call;
 * - the reply is the `GetSecretValue` JSON (`SecretString` or `SecretBinary`
 *   base64, `Name`, `ARN`, `VersionId`, …);
 * - on a Secrets Manager error the extension answers non-2xx with the error
 *   in the body text (`ResourceNotFoundException: …`), which is mapped like
 *   the service's own errors; a 400 with no known code is the extension not
 *   being ready (it answers 400 during the init phase), so retryable.
 *
 * Never prefetched: the extension refuses calls made outside an invocation.
 *
 * @example
 * ```ts
 * import { secrets } from 'faasade/secrets'
 * import { fromLambdaExtension } from 'faasade/secrets/lambda-extension'
 * secrets({ db: fromLambdaExtension('prod/db', { json: true }) })
 * ```
 */
import { ConfigurationError } from '../../errors.js'
import { checkOptions } from '../../middleware.js'
import { secretFailure, type SecretErrorInfo } from '../errors.js'
import { BINARY_VALUE_OPTIONS, defineSecretProvider, type BinaryValueOptions, type SecretProvider, type ValueOf } from '../provider.js'
import { classifyAwsError, findErrorCode, sanitizeErrorCode } from './aws-errors.js'
import { base64ToBytes, envVar, replyFailure, request } from './http.js'

/** The provider kind of {@link fromLambdaExtension}. */
export const LAMBDA_EXTENSION = 'lambda-extension'

export interface LambdaExtensionOptions extends BinaryValueOptions {
  /** A version id; exclusive with `versionStage`. */
  versionId?: string
  /** A staging label (`AWSCURRENT`, `AWSPREVIOUS`, …). */
  versionStage?: string
  /**
   * Where the extension listens.
   * @defaultValue `http://localhost:{PARAMETERS_SECRETS_EXTENSION_HTTP_PORT}`, port 2773 when unset
   */
  endpoint?: string
}

const KNOWN = [...BINARY_VALUE_OPTIONS, 'versionId', 'versionStage', 'endpoint']

/**
 * A Secrets Manager secret read through the Parameters and Secrets Lambda
 * Extension (add the layer `AWS-Parameters-and-Secrets-Lambda-Extension`).
 *
 * @example
 * ```ts
 * fromLambdaExtension('prod/stripe', { json: true, schema: z.object({ apiKey: z.string() }) })
 * ```
 */
export function fromLambdaExtension<const O extends LambdaExtensionOptions = {}>(secretId: string, options?: O): SecretProvider<ValueOf<O>> {
  if (typeof secretId !== 'string' || secretId.length === 0) throw new ConfigurationError('fromLambdaExtension: the secret id must be a non-empty string')
  checkOptions('fromLambdaExtension', options, KNOWN)
  const opts: LambdaExtensionOptions = options ?? {}
  if (opts.versionId !== undefined && opts.versionStage !== undefined) throw new ConfigurationError('fromLambdaExtension: `versionId` and `versionStage` exclude each other')
  const info: SecretErrorInfo = { provider: LAMBDA_EXTENSION, secretName: secretId }
  return defineSecretProvider<ValueOf<O>>(
    {
      kind: LAMBDA_EXTENSION,
      secretName: secretId,
      identity: [opts.endpoint, opts.versionId, opts.versionStage],
      prefetchable: false,
      async fetch() {
        const token = envVar('AWS_SESSION_TOKEN')
        if (!token) throw secretFailure('denied', info, 'AWS_SESSION_TOKEN is not set, so the extension cannot be called (is this Lambda?)')
        const base = opts.endpoint ?? `http://localhost:${envVar('PARAMETERS_SECRETS_EXTENSION_HTTP_PORT') ?? '2773'}`
        const url = new URL('/secretsmanager/get', base)
        url.searchParams.set('secretId', secretId)
        if (opts.versionId) url.searchParams.set('versionId', opts.versionId)
        if (opts.versionStage) url.searchParams.set('versionStage', opts.versionStage)
        const response = await request(info, url.href, { headers: { 'X-Aws-Parameters-Secrets-Token': token } })
        const text = await response.text()
        if (!response.ok) {
          const code = sanitizeErrorCode(response.headers.get('x-amzn-errortype')) ?? findErrorCode(text)
          // A 400 with no code is the extension not ready yet (init phase), not a bad request of ours.
          const kind = code === undefined && response.status === 400 ? 'unavailable' : classifyAwsError(code, response.status)
          throw replyFailure(info, kind, response, code, undefined)
        }
        let out: { SecretString?: unknown; SecretBinary?: unknown }
        try {
          out = JSON.parse(text) as typeof out
        } catch {
          throw secretFailure('unavailable', info, 'the extension replied with something that is not JSON')
        }
        if (typeof out.SecretString === 'string') return { text: out.SecretString }
        if (typeof out.SecretBinary === 'string') return { bytes: base64ToBytes(out.SecretBinary) }
        return {}
      },
    },
    opts,
  )
}
