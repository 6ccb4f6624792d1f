/**
 * `faasade/secrets`: the secrets middleware (and its Hono form,
 * `honoSecrets`), the provider interface, the
 * env provider (the default, no cloud needed) and the error classes. Cloud
 * providers are their own doors (`faasade/secrets/aws`, `/lambda-extension`,
 * `/ssm`, `/appconfig`, `/gcp`, `/gcp-parameters`, `/azure`, `/azure-appconfig`), so a bundle carries only the one
 * it uses.
 */
export { secrets, type SecretsMiddleware } from './middleware.js'
export type { ProvidedValue, SecretProviders, Secrets, SecretsOptions, SecretValues } from './loader.js'
export { honoSecrets, type HonoSecretsOptions, type SecretsEnv } from './hono.js'
export { Secret } from './secret-value.js'
export { fromEnv } from './env.js'
export {
  defineSecretProvider,
  type BinaryValueOptions,
  type JsonValue,
  type LoadContext,
  type LoadedSecret,
  type RawSecret,
  type SecretProvider,
  type SecretSource,
  type SecretValueOptions,
  type ValueOf,
} from './provider.js'
export {
  isSecretError,
  secretFailure,
  SecretAccessDeniedError,
  SecretInvalidError,
  SecretNotFoundError,
  SecretUnavailableError,
  type FailureKind,
  type SecretError,
  type SecretErrorInfo,
} from './errors.js'
