/**
 * `faasade/secrets/gcp-parameters`: Google Cloud Parameter Manager over its
 * REST API, with the same bearer token as Secret Manager (`gcp-auth.ts`),
 * no Google package:
 *
 * - `GET https://parametermanager.googleapis.com/v1/projects/{p}/locations/{l}/parameters/{name}/versions/{v}:render`
 *   (a regional location is served at `parametermanager.{l}.rep.googleapis.com`)
 *   -> `{ parameterVersion, payload: { data }, renderedPayload }`, both base64;
 * - `renderedPayload` is the version with every Secret Manager reference
 *   (`__REF__(//secretmanager.googleapis.com/…)`) replaced by the secret's
 *   value, which is what the function needs; the caller's identity needs
 *   `parametermanager.parameterVersions.render` and access to those secrets.
 *
 * Because a rendered parameter may hold secret values anywhere in it, it is
 * registered with the log scrubber whole, as a secret is.
 *
 * @example
 * ```ts
 * import { secrets } from 'faasade/secrets'
 * import { fromGcpParameter } from 'faasade/secrets/gcp-parameters'
 * secrets({ config: fromGcpParameter('orders-config', { version: 'v3', json: true }) })
 * ```
 */
import { ConfigurationError } from '../../errors.js'
import { checkOptions } from '../../middleware.js'
import { secretFailure, type SecretErrorInfo } from '../errors.js'
import { BINARY_VALUE_OPTIONS, defineSecretProvider, type BinaryValueOptions, type SecretProvider, type ValueOf } from '../provider.js'
import { gcpFailure, gcpProject, gcpToken, type GcpAuthOptions } from './gcp-auth.js'
import { base64ToBytes, readJson, request } from './http.js'

/** The provider kind of {@link fromGcpParameter}. */
export const GCP_PARAMETER_MANAGER = 'gcp-parameter-manager'

/** Options of {@link fromGcpParameter}. */
export interface GcpParameterOptions extends BinaryValueOptions, GcpAuthOptions {
  /** For a short name: the version id (Parameter Manager has no `latest` alias). */
  version?: string
  /** For a short name. @defaultValue `GOOGLE_CLOUD_PROJECT`, else `GCLOUD_PROJECT`, else `GCP_PROJECT` */
  project?: string
  /** For a short name. @defaultValue `'global'` */
  location?: string
  /** @defaultValue `https://parametermanager.googleapis.com` for `global`, else `https://parametermanager.{location}.rep.googleapis.com` */
  endpoint?: string
}

const KNOWN = [...BINARY_VALUE_OPTIONS, 'version', 'project', 'location', 'endpoint', 'tokenUrl', 'token']
const RESOURCE = /^projects\/[^/]+\/locations\/([^/]+)\/parameters\/[^/]+\/versions\/[^/]+$/
const ID = /^[A-Za-z0-9_-]+$/

/**
 * A rendered parameter version from Google Cloud Parameter Manager: a full
 * name (`projects/*\/locations/*\/parameters/*\/versions/*`) or a short
 * parameter name with its `version`.
 *
 * @example
 * ```ts
 * fromGcpParameter('projects/p/locations/global/parameters/orders/versions/v3', { json: true })
 * fromGcpParameter('orders', { version: 'v3', location: 'europe-west1' })
 * ```
 */
export function fromGcpParameter<const O extends GcpParameterOptions = {}>(name: string, options?: O): SecretProvider<ValueOf<O>> {
  if (typeof name !== 'string' || name.length === 0) throw new ConfigurationError('fromGcpParameter: the parameter name must be a non-empty string')
  checkOptions('fromGcpParameter', options, KNOWN)
  const opts: GcpParameterOptions = options ?? {}
  const full = RESOURCE.exec(name)
  if (name.startsWith('projects/') && !full) throw new ConfigurationError(`fromGcpParameter: "${name}" is not projects/*/locations/*/parameters/*/versions/*`)
  if (full && (opts.project !== undefined || opts.location !== undefined || opts.version !== undefined)) {
    throw new ConfigurationError('fromGcpParameter: `project`, `location` and `version` are for short names only')
  }
  if (!full && !ID.test(name)) throw new ConfigurationError(`fromGcpParameter: "${name}" is neither a parameter id nor projects/*/locations/*/parameters/*/versions/*`)
  if (!full && (typeof opts.version !== 'string' || !ID.test(opts.version))) throw new ConfigurationError('fromGcpParameter: a short name needs its `version` (Parameter Manager has no "latest")')
  if (opts.location !== undefined && !ID.test(opts.location)) throw new ConfigurationError('fromGcpParameter: `location` must be a location id such as "global" or "europe-west1"')
  if (opts.token !== undefined && typeof opts.token !== 'function') throw new ConfigurationError('fromGcpParameter: `token` must be a function returning a promise of a token')
  const info: SecretErrorInfo = { provider: GCP_PARAMETER_MANAGER, secretName: name }
  const location = full ? full[1]! : (opts.location ?? 'global')
  const endpoint = (opts.endpoint ?? (location === 'global' ? 'https://parametermanager.googleapis.com' : `https://parametermanager.${location}.rep.googleapis.com`)).replace(/\/+$/, '')
  const token = gcpToken(info, opts)

  const resource = () => {
    if (full) return name
    const project = opts.project ?? gcpProject()
    if (!project) throw secretFailure('invalid', info, 'no project: give a full projects/*/locations/*/parameters/*/versions/* name, the `project` option or GOOGLE_CLOUD_PROJECT')
    return `projects/${project}/locations/${location}/parameters/${name}/versions/${opts.version!}`
  }

  return defineSecretProvider<ValueOf<O>>(
    {
      kind: GCP_PARAMETER_MANAGER,
      secretName: name,
      identity: [endpoint, opts.project, location, opts.version],
      async fetch() {
        const path = resource()
        const response = await request(info, `${endpoint}/v1/${path}:render`, { headers: { Authorization: `Bearer ${await token.get()}` } })
        const body = (await readJson(info, response)) as { renderedPayload?: unknown; payload?: { data?: unknown } } | null
        if (!response.ok) {
          if (response.status === 401) token.invalidate()
          throw gcpFailure(info, response, body)
        }
        const data = typeof body?.renderedPayload === 'string' ? body.renderedPayload : body?.payload?.data
        if (typeof data !== 'string') throw secretFailure('invalid', info, 'the version has no payload')
        return { bytes: base64ToBytes(data) }
      },
    },
    opts,
  )
}

export type { GcpAuthOptions } from './gcp-auth.js'
