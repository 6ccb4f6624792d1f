/**
 * AWS error codes -> the four secret failures, one table for Secrets
 * Manager (fetch and SDK transports), the Lambda extension (which forwards
 * the Secrets Manager error), SSM Parameter Store and AppConfig. AWS names its errors by string; there is no class
 * to check, so this is the one place that compares names.
 */
import type { FailureKind } from '../errors.js'
import { classifyStatus } from './http.js'

const BY_CODE: Readonly<Record<string, FailureKind>> = {
  ResourceNotFoundException: 'not-found',
  ParameterNotFound: 'not-found', // SSM
  ParameterVersionNotFound: 'not-found', // SSM, a `name:version` that is not there
  AccessDeniedException: 'denied',
  DecryptionFailure: 'denied', // the role may not use the secret's KMS key
  UnrecognizedClientException: 'denied',
  InvalidClientTokenId: 'denied',
  InvalidSignatureException: 'denied',
  SignatureDoesNotMatch: 'denied',
  IncompleteSignature: 'denied',
  MissingAuthenticationToken: 'denied',
  ThrottlingException: 'unavailable',
  TooManyRequestsException: 'unavailable',
  RequestLimitExceeded: 'unavailable',
  InternalServiceError: 'unavailable',
  InternalFailure: 'unavailable',
  InternalServerError: 'unavailable', // SSM
  InternalServerException: 'unavailable', // AppConfig
  ServiceUnavailable: 'unavailable',
  ExpiredTokenException: 'unavailable', // a new instance gets fresh credentials
  RequestExpired: 'unavailable', // clock skew, transient
  InvalidRequestException: 'invalid', // e.g. the secret is scheduled for deletion
  InvalidParameterException: 'invalid',
  ValidationException: 'invalid',
  BadRequestException: 'invalid', // AppConfig: a malformed request, or a session token it no longer honours
  InvalidKeyId: 'invalid', // SSM: the parameter's KMS key id is not valid
}

/** Classifies an AWS error by its code, falling back to the HTTP status. */
export function classifyAwsError(code: string | undefined, status: number | undefined): FailureKind {
  const known = code === undefined ? undefined : BY_CODE[code]
  if (known) return known
  return classifyStatus(status)
}

/** `com.amazonaws.secretsmanager#ResourceNotFoundException` or `ResourceNotFoundException:http://…` -> `ResourceNotFoundException`. */
export function sanitizeErrorCode(raw: string | null | undefined): string | undefined {
  if (!raw) return undefined
  let code = raw
  if (code.includes(':')) code = code.slice(0, code.indexOf(':'))
  if (code.includes('#')) code = code.slice(code.lastIndexOf('#') + 1)
  return code || undefined
}

/** Finds a known AWS error code in free text (the Lambda extension's error bodies). */
export function findErrorCode(text: string): string | undefined {
  for (const code of Object.keys(BY_CODE)) if (text.includes(code)) return code
  return undefined
}
