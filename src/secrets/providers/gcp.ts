/**
 * `faasade/secrets/gcp`: Google Cloud Secret Manager over its REST API.
 *
 * Why REST and not `@google-cloud/secret-manager`: the client library brings
 * google-gax, gRPC and protobuf descriptors (megabytes installed, a large
 * bundle, a slow cold import) to make one GET. Here it is one `fetch` for a
 * token from the metadata server (Cloud Run, Cloud Functions, GCE, GKE with
 * workload identity) and one `fetch` for the secret:
 *
 * - token: `GET http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token`
 *   with `Metadata-Flavor: Google` -> `{ access_token, expires_in, token_type }`,
 *   cached until a minute before it expires (`GCE_METADATA_HOST` moves the host);
 * - secret: `GET https://secretmanager.googleapis.com/v1/projects/{p}/secrets/{s}/versions/{v}:access`
 *   with `Authorization: Bearer …` -> `{ name, payload: { data (base64), dataCrc32c } }`,
 *   the checksum verified when present;
 * - errors: `{ error: { code, message, status } }`; `NOT_FOUND` is
 *   permanent, `PERMISSION_DENIED` permanent, `RESOURCE_EXHAUSTED` and 5xx
 *   retryable, a 401 drops the cached token and is retryable.
 *
 * @example
 * ```ts
 * import { fromGcpSecretManager } from 'faasade/secrets/gcp'
 * fromGcpSecretManager('projects/my-project/secrets/stripe/versions/latest', { json: true })
 * fromGcpSecretManager('stripe')   // project from GOOGLE_CLOUD_PROJECT, version latest
 * ```
 */
import { ConfigurationError } from '../../errors.js'
import { checkOptions } from '../../middleware.js'
import { secretFailure, type SecretErrorInfo } from '../errors.js'
import { BINARY_VALUE_OPTIONS, defineSecretProvider, type BinaryValueOptions, type SecretProvider, type ValueOf } from '../provider.js'
import { crc32c } from './crc32c.js'
import { gcpFailure, gcpProject, gcpToken, type GcpAuthOptions } from './gcp-auth.js'
import { base64ToBytes, readJson, request } from './http.js'

/** The provider kind of {@link fromGcpSecretManager}. */
export const GCP_SECRET_MANAGER = 'gcp-secret-manager'

export interface GcpSecretManagerOptions extends BinaryValueOptions, GcpAuthOptions {
  /** For a short name. @defaultValue `GOOGLE_CLOUD_PROJECT`, else `GCLOUD_PROJECT`, else `GCP_PROJECT` */
  project?: string
  /** For a short name. @defaultValue `'latest'` */
  version?: string
  /** @defaultValue `https://secretmanager.googleapis.com` */
  endpoint?: string
  /** Verify `payload.dataCrc32c`. @defaultValue true */
  verifyChecksum?: boolean
}

const KNOWN = [...BINARY_VALUE_OPTIONS, 'project', 'version', 'endpoint', 'tokenUrl', 'token', 'verifyChecksum']
const RESOURCE = /^projects\/[^/]+\/secrets\/[^/]+\/versions\/[^/]+$/

/**
 * A secret from Google Cloud Secret Manager: a full version resource name
 * (`projects/*\/secrets/*\/versions/*`) or a short secret name.
 *
 * @example
 * ```ts
 * fromGcpSecretManager('projects/p/secrets/db/versions/3', { schema: z.string().url() })
 * ```
 */
export function fromGcpSecretManager<const O extends GcpSecretManagerOptions = {}>(name: string, options?: O): SecretProvider<ValueOf<O>> {
  if (typeof name !== 'string' || name.length === 0) throw new ConfigurationError('fromGcpSecretManager: the secret name must be a non-empty string')
  checkOptions('fromGcpSecretManager', options, KNOWN)
  const opts: GcpSecretManagerOptions = options ?? {}
  const full = name.startsWith('projects/')
  if (full && !RESOURCE.test(name)) throw new ConfigurationError(`fromGcpSecretManager: "${name}" is not projects/*/secrets/*/versions/*`)
  if (full && (opts.project !== undefined || opts.version !== undefined)) throw new ConfigurationError('fromGcpSecretManager: `project` and `version` are for short names only')
  if (!full && name.includes('/')) throw new ConfigurationError(`fromGcpSecretManager: "${name}" is neither a short name nor projects/*/secrets/*/versions/*`)
  if (opts.token !== undefined && typeof opts.token !== 'function') throw new ConfigurationError('fromGcpSecretManager: `token` must be a function returning a promise of a token')
  const info: SecretErrorInfo = { provider: GCP_SECRET_MANAGER, secretName: name }
  const endpoint = (opts.endpoint ?? 'https://secretmanager.googleapis.com').replace(/\/+$/, '')

  const resource = () => {
    if (full) return name
    const project = opts.project ?? gcpProject()
    if (!project) throw secretFailure('invalid', info, 'no project: give a full projects/*/secrets/*/versions/* name, the `project` option or GOOGLE_CLOUD_PROJECT')
    return `projects/${project}/secrets/${name}/versions/${opts.version ?? 'latest'}`
  }

  const token = gcpToken(info, opts)

  return defineSecretProvider<ValueOf<O>>(
    {
      kind: GCP_SECRET_MANAGER,
      secretName: name,
      identity: [endpoint, opts.project, opts.version, opts.verifyChecksum !== false],
      async fetch() {
        const path = resource()
        const response = await request(info, `${endpoint}/v1/${path}:access`, { headers: { Authorization: `Bearer ${await token.get()}` } })
        const body = (await readJson(info, response)) as { payload?: { data?: unknown; dataCrc32c?: unknown } } | null
        if (!response.ok) {
          if (response.status === 401) token.invalidate()
          throw gcpFailure(info, response, body)
        }
        const data = body?.payload?.data
        if (typeof data !== 'string') throw secretFailure('invalid', info, 'the version has no payload')
        const bytes = base64ToBytes(data)
        const expected = body?.payload?.dataCrc32c
        if (opts.verifyChecksum !== false && expected !== undefined && Number(expected) !== crc32c(bytes)) {
          throw secretFailure('unavailable', info, 'the payload failed its CRC32C check (damaged in transit)')
        }
        return { bytes }
      },
    },
    opts,
  )
}

export type { GcpAuthOptions } from './gcp-auth.js'
