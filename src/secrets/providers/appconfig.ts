/**
 * `faasade/secrets/appconfig`: AWS AppConfig, through its data plane
 * (AppConfigData, a REST JSON protocol) with the same SigV4 fetch as the
 * other AWS providers (`aws-fetch.ts`), no SDK. The session works as AWS
 * documents it:
 *
 * - `POST /configurationsessions` with the application, environment and
 *   configuration profile (names or ids) -> `InitialConfigurationToken`;
 * - `GET /configuration?configuration_token=…` -> the configuration as the
 *   body (empty when this session already has the latest), the token for
 *   the next call (`Next-Poll-Configuration-Token`: each token is good for
 *   one call) and how long to wait before polling again
 *   (`Next-Poll-Interval-In-Seconds`).
 *
 * So the provider holds the token and the last configuration it received:
 * an empty body means "unchanged", and a load sooner than the poll interval
 * serves the held configuration without a call (AppConfig refuses early
 * polls). A token the service no longer honours (expired after 24 hours,
 * or lost to a failed call) starts a new session, once. Calls are one at a
 * time per provider, since each uses the token the last one returned.
 *
 * Configuration is not a secret: values are not registered with the log
 * scrubber unless `redact: true` (use it for a profile whose source is
 * Secrets Manager or a SecureString). They reach handlers as a `Secret`
 * all the same, which prints `[redacted]`.
 *
 * @example
 * ```ts
 * import { secrets } from 'faasade/secrets'
 * import { fromAppConfig } from 'faasade/secrets/appconfig'
 * import * as z from 'zod'
 * const Flags = z.object({ newCheckout: z.boolean() })
 * const config = secrets({ flags: fromAppConfig('orders', 'prod', 'flags', { json: true, schema: Flags }) }, { ttl: 60_000 })
 * ```
 */
import { ConfigurationError } from '../../errors.js'
import { checkOptions } from '../../middleware.js'
import { secretFailure, type SecretErrorInfo } from '../errors.js'
import { BINARY_VALUE_OPTIONS, defineSecretProvider, type BinaryValueOptions, type RawSecret, type SecretProvider, type ValueOf } from '../provider.js'
import { sanitizeErrorCode } from './aws-errors.js'
import { AWS_FETCH_OPTIONS, awsFailure, awsFetch, checkRequestTimeout, replyText, stringField, type AwsFetch, type AwsFetchOptions, type AwsReply } from './aws-fetch.js'
import { parseJson } from './http.js'

/** The provider kind of {@link fromAppConfig}. */
export const AWS_APPCONFIG = 'aws-appconfig'

/** Options of {@link fromAppConfig}. */
export interface AppConfigOptions extends BinaryValueOptions, AwsFetchOptions {
  /**
   * `RequiredMinimumPollIntervalInSeconds` of the session: AppConfig will
   * not hand out a new configuration more often (15 to 86400 seconds).
   * @defaultValue the service's (60 seconds)
   */
  minimumPollIntervalSeconds?: number
  /** Register the configuration's values with the log scrubber, as a secret's are. @defaultValue false */
  redact?: boolean
}

const KNOWN = [...BINARY_VALUE_OPTIONS, ...AWS_FETCH_OPTIONS, 'minimumPollIntervalSeconds', 'redact']
const SERVICE = { signingName: 'appconfig', hostPrefix: 'appconfigdata', endpointVariable: 'AWS_ENDPOINT_URL_APPCONFIGDATA' }

/**
 * The configuration AppConfig has deployed for an application, environment
 * and configuration profile (each a name or an id), as text (`json: true`
 * parses it, `schema` checks it, `binary: true` keeps the bytes).
 *
 * @example
 * ```ts
 * fromAppConfig('orders', 'prod', 'limits', { json: true })   // JsonValue
 * ```
 */
export function fromAppConfig<const O extends AppConfigOptions = {}>(application: string, environment: string, profile: string, options?: O): SecretProvider<ValueOf<O>> {
  for (const [what, value] of [['application', application], ['environment', environment], ['configuration profile', profile]] as const) {
    if (typeof value !== 'string' || value.length === 0) throw new ConfigurationError(`fromAppConfig: the ${what} must be a non-empty string`)
  }
  checkOptions('fromAppConfig', options, KNOWN)
  const opts: AppConfigOptions = options ?? {}
  checkRequestTimeout('fromAppConfig', opts.requestTimeout)
  const interval = opts.minimumPollIntervalSeconds
  if (interval !== undefined && !(Number.isInteger(interval) && interval >= 15 && interval <= 86_400)) {
    throw new ConfigurationError('fromAppConfig: `minimumPollIntervalSeconds` must be a whole number of seconds from 15 to 86400')
  }
  if (opts.redact !== undefined && typeof opts.redact !== 'boolean') throw new ConfigurationError('fromAppConfig: `redact` must be a boolean')
  const name = `${application}/${environment}/${profile}`
  const info: SecretErrorInfo = { provider: AWS_APPCONFIG, secretName: name }
  const session = new Session(awsFetch(SERVICE, opts), info, {
    ApplicationIdentifier: application,
    EnvironmentIdentifier: environment,
    ConfigurationProfileIdentifier: profile,
    ...(interval !== undefined && { RequiredMinimumPollIntervalInSeconds: interval }),
  })
  return defineSecretProvider<ValueOf<O>>(
    {
      kind: AWS_APPCONFIG,
      secretName: name,
      identity: [opts.region, opts.endpoint, interval, opts.redact === true],
      async fetch(): Promise<RawSecret> {
        const bytes = await session.latest()
        return opts.redact === true ? { bytes } : { bytes, secretTexts: [] }
      },
    },
    opts,
  )
}

/** One AppConfigData session: its token, the last configuration, when it may poll next. */
class Session {
  readonly #send: AwsFetch
  readonly #info: SecretErrorInfo
  readonly #start: Record<string, string | number>
  #token: string | undefined
  #config: Uint8Array | undefined
  #nextPollAt = 0
  #queue: Promise<unknown> = Promise.resolve()

  constructor(send: AwsFetch, info: SecretErrorInfo, start: Record<string, string | number>) {
    this.#send = send
    this.#info = info
    this.#start = start
  }

  /** The latest configuration; calls run one after another, each with the token the last returned. */
  latest(): Promise<Uint8Array> {
    const next = this.#queue.then(() => this.#poll())
    this.#queue = next.catch(() => undefined)
    return next
  }

  async #poll(): Promise<Uint8Array> {
    if (this.#config !== undefined && Date.now() < this.#nextPollAt) return this.#config
    const held = this.#token
    if (held !== undefined) {
      const reply = await this.#get(held)
      // A held token the service no longer honours (expired after 24 hours): one new session.
      if (!(reply.response.status === 400 && errorCode(reply) === 'BadRequestException')) return this.#accept(reply)
    }
    return this.#accept(await this.#get(await this.#startSession()))
  }

  async #startSession(): Promise<string> {
    const reply = await this.#send(this.#info, {
      method: 'POST',
      path: '/configurationsessions',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(this.#start),
    })
    if (!reply.response.ok) throw awsFailure(this.#info, reply.response, errorBody(reply))
    const payload = parseJson(this.#info, reply.response.status, replyText(reply))
    const token = (payload as { InitialConfigurationToken?: unknown } | null)?.InitialConfigurationToken
    if (typeof token !== 'string' || token === '') throw secretFailure('unavailable', this.#info, 'the session reply holds no InitialConfigurationToken')
    return token
  }

  /** Spends `token`: whatever the reply, it is not used again, so a failed call leaves none and the next load starts a session. */
  #get(token: string): Promise<AwsReply> {
    this.#token = undefined
    return this.#send(this.#info, { method: 'GET', path: `/configuration?configuration_token=${encodeURIComponent(token)}` })
  }

  #accept(reply: AwsReply): Uint8Array {
    if (!reply.response.ok) throw awsFailure(this.#info, reply.response, errorBody(reply))
    const next = reply.response.headers.get('next-poll-configuration-token')
    if (next) this.#token = next
    const seconds = Number(reply.response.headers.get('next-poll-interval-in-seconds'))
    this.#nextPollAt = Number.isFinite(seconds) && seconds > 0 ? Date.now() + seconds * 1000 : 0
    // An empty body: this session already has the latest.
    if (reply.bytes.length > 0 || this.#config === undefined) this.#config = reply.bytes
    return this.#config
  }
}

/** An error body as JSON, or `undefined` when it is not (the status still classifies the failure). */
function errorBody(reply: AwsReply): unknown {
  try {
    return JSON.parse(replyText(reply))
  } catch {
    return undefined
  }
}

function errorCode(reply: AwsReply): string | undefined {
  return sanitizeErrorCode(reply.response.headers.get('x-amzn-errortype') ?? stringField(errorBody(reply), '__type'))
}

export type { AwsCredentials, AwsFetchOptions } from './aws-fetch.js'
