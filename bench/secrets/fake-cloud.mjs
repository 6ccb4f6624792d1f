/**
 * One local HTTP server on 127.0.0.1 that speaks every wire format the
 * secrets bench needs, so that faasade's providers, Powertools' getSecret and
 * Middy's secrets-manager all fetch from the same endpoint in the same run:
 *
 * - AWS Secrets Manager JSON 1.1 (`POST /`, `X-Amz-Target: secretsmanager.GetSecretValue`);
 * - the Parameters and Secrets Lambda Extension (`GET /secretsmanager/get?secretId=`);
 * - the GCE metadata token endpoint and Secret Manager's `:access`;
 * - the App Service managed identity endpoint and Key Vault's `GET /secrets/{name}/`.
 *
 * `GET /__calls` answers the number of secret fetches so far (token fetches
 * are counted apart), so a child process can report its remote calls.
 */
import { createServer } from 'node:http'

export const SECRET = 'postgres://bench:bench-secret-value-0001@db.internal/app'

export async function startFakeCloud() {
  const counts = { secret: 0, token: 0 }
  const server = createServer((req, res) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      const url = new URL(req.url, 'http://127.0.0.1')
      const send = (status, body, type = 'application/json') => {
        const text = typeof body === 'string' ? body : JSON.stringify(body)
        res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) })
        res.end(text)
      }
      if (url.pathname === '/__calls') return send(200, counts)
      if (req.method === 'POST' && url.pathname === '/') {
        counts.secret++
        const input = JSON.parse(Buffer.concat(chunks).toString('utf8'))
        return send(200, { ARN: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${input.SecretId}-AbCdEf`, Name: input.SecretId, SecretString: SECRET, VersionId: 'v1', VersionStages: ['AWSCURRENT'], CreatedDate: 1700000000 }, 'application/x-amz-json-1.1')
      }
      if (url.pathname === '/secretsmanager/get') {
        counts.secret++
        return send(200, { Name: url.searchParams.get('secretId'), SecretString: SECRET, VersionId: 'v1', VersionStages: ['AWSCURRENT'] })
      }
      if (url.pathname === '/computeMetadata/v1/instance/service-accounts/default/token' || url.pathname === '/msi/token') {
        counts.token++
        return send(200, { access_token: 'bench-token', expires_in: 3599, expires_on: String(Math.floor(Date.now() / 1000) + 3599), token_type: 'Bearer' })
      }
      if (url.pathname.endsWith(':access')) {
        counts.secret++
        return send(200, { name: url.pathname.slice(4, -7), payload: { data: Buffer.from(SECRET).toString('base64') } })
      }
      if (url.pathname.startsWith('/secrets/')) {
        counts.secret++
        return send(200, { value: SECRET, id: `http://127.0.0.1${url.pathname}v1`, attributes: { enabled: true } })
      }
      send(404, { error: 'unknown path' })
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  return { port, url: `http://127.0.0.1:${port}`, counts, close: () => new Promise((r) => { server.closeAllConnections(); server.close(r) }) }
}
