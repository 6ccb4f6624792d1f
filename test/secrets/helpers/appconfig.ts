// Answers AppConfigData's REST JSON protocol as AWS documents it:
// POST /configurationsessions {ApplicationIdentifier, EnvironmentIdentifier,
// ConfigurationProfileIdentifier, RequiredMinimumPollIntervalInSeconds?}
// -> 201 {InitialConfigurationToken}; GET /configuration?configuration_token=…
// -> 200 with the configuration as the body (empty when the session already
// has this version), Next-Poll-Configuration-Token and
// Next-Poll-Interval-In-Seconds. Each token is good for one call; a spent,
// unknown or expired token, or a poll before the interval, is a 400
// BadRequestException. Errors carry x-amzn-ErrorType and a {"Message"}
// body. SigV4 is verified for the signing name "appconfig" (sigv4.ts).
//
// Why a fake and not an emulator: the project depends on no AppConfig
// emulator (LocalStack's AppConfig is a Docker image, which CI here does
// not run), and the failures these tests need (an expired session, a
// throttled poll, a 500) are set per test, in the test's own process.
import { randomUUID } from 'node:crypto'
import type { Recorded, Reply } from './server.js'
import { verifySigV4, type SigV4Key } from './sigv4.js'

export interface Profile {
  content: string
  contentType?: string
  /** Fail every call for this profile with this AWS error. */
  error?: { code: string; status: number }
}

export interface AppConfigFake {
  /** By `application/environment/profile`. */
  readonly profiles: Map<string, Profile>
  /** What Next-Poll-Interval-In-Seconds says (and enforces). */
  pollIntervalSeconds: number
  /** Forget every token, as 24 hours would. */
  expireTokens(): void
  readonly sessionsStarted: number
  handle(req: Recorded): Reply
}

function error(code: string, message: string, status: number): Reply {
  return { status, headers: { 'content-type': 'application/json', 'x-amzn-errortype': `${code}:`, 'x-amzn-requestid': 'req-ac' }, body: { Message: message } }
}

export function appConfigData(keys: readonly SigV4Key[]): AppConfigFake {
  // token -> the session it belongs to; a session remembers the version it last handed out.
  const tokens = new Map<string, { key: string; served: string | undefined; notBefore: number }>()
  let sessions = 0
  const fake: AppConfigFake = {
    profiles: new Map(),
    pollIntervalSeconds: 0,
    expireTokens: () => tokens.clear(),
    get sessionsStarted() {
      return sessions
    },
    handle(req) {
      const refused = verifySigV4(req, { keys, region: 'us-east-1', service: 'appconfig' })
      if (refused) return error(refused.code, refused.message, 403)
      if (req.method === 'POST' && req.url.pathname === '/configurationsessions') {
        const input = JSON.parse(req.body) as Record<string, unknown>
        const key = `${String(input.ApplicationIdentifier)}/${String(input.EnvironmentIdentifier)}/${String(input.ConfigurationProfileIdentifier)}`
        const profile = fake.profiles.get(key)
        if (!profile) return error('ResourceNotFoundException', `Profile ${key} not found`, 404)
        if (profile.error) return error(profile.error.code, 'failed', profile.error.status)
        sessions++
        const token = randomUUID()
        tokens.set(token, { key, served: undefined, notBefore: 0 })
        return { status: 201, headers: { 'content-type': 'application/json' }, body: { InitialConfigurationToken: token } }
      }
      if (req.method === 'GET' && req.url.pathname === '/configuration') {
        const token = req.url.searchParams.get('configuration_token') ?? ''
        const session = tokens.get(token)
        if (!session) return error('BadRequestException', 'Token is invalid or expired', 400)
        tokens.delete(token)
        if (Date.now() < session.notBefore) return error('BadRequestException', 'Request too early', 400)
        const profile = fake.profiles.get(session.key)
        if (!profile) return error('ResourceNotFoundException', 'gone', 404)
        if (profile.error) return error(profile.error.code, 'failed', profile.error.status)
        const next = randomUUID()
        const unchanged = session.served === profile.content
        tokens.set(next, { key: session.key, served: profile.content, notBefore: Date.now() + fake.pollIntervalSeconds * 1000 })
        return {
          headers: {
            'content-type': profile.contentType ?? 'application/json',
            'next-poll-configuration-token': next,
            'next-poll-interval-in-seconds': String(fake.pollIntervalSeconds),
            ...(!unchanged && { 'version-label': 'v1' }),
          },
          body: unchanged ? '' : profile.content,
        }
      }
      return error('ValidationException', 'unknown route', 400)
    },
  }
  return fake
}
