/**
 * What the host sends for the bench's invocations: a storage-queue message
 * (the message text, base64-decoded by the host, and PascalCase trigger
 * metadata) and an HTTP request carrying a binary-mode CloudEvent with a
 * JSON body (the body as bytes). The work every handler does on them, and
 * the answers expected back.
 */
export const ORDER = '{"orderId":"A-1042","amount":19.5,"quantity":3,"customer":{"id":"c-77","tier":"gold"},"items":[{"sku":"S-1","qty":2},{"sku":"S-9","qty":1}]}'
export const MESSAGE_ID = '3f0c6a52-9d1e-4b7a-8e55-1c2d3e4f5a6b'
export const TYPE = 'com.example.order.placed'

/** The work: the parsed order in, a small object out. */
export const reply = (id, data) => ({ ok: true, id, orderId: data.orderId, total: data.amount * data.quantity })

export const queueInvocation = {
  input: { string: ORDER },
  triggerMetadata: {
    QueueTrigger: { string: ORDER },
    DequeueCount: { json: '1' },
    ExpirationTime: { json: '"2026-12-14T09:30:12+00:00"' },
    Id: { json: `"${MESSAGE_ID}"` },
    InsertionTime: { json: '"2026-12-07T09:30:12+00:00"' },
    NextVisibleTime: { json: '"2026-12-07T09:40:13+00:00"' },
    PopReceipt: { json: '"AgAAAAMAAAAAAAAAcS1Nq5gG3QE="' },
    sys: { json: JSON.stringify({ MethodName: 'orders', UtcNow: '2026-12-07T09:30:13.2205399Z', RandGuid: '0b9f3c1e-5a7d-4e2b-9c8f-6d5e4f3a2b1c' }) },
  },
}

const body = new TextEncoder().encode(ORDER)
export const httpInvocation = {
  input: {
    http: {
      method: 'POST',
      url: 'http://localhost:7071/api/orders',
      headers: {
        Host: 'localhost:7071',
        'Content-Type': 'application/json',
        'Content-Length': String(body.byteLength),
        'ce-specversion': '1.0',
        'ce-id': 'bench-0001',
        'ce-source': '//bench.example.com/orders',
        'ce-type': TYPE,
      },
      body: { bytes: body },
    },
  },
}

/** The JSON text every HTTP variant answers with a 200. */
export const HTTP_REPLY = JSON.stringify(reply('bench-0001', JSON.parse(ORDER)))

/** The status, content type and body text of an HTTP invocation's RPC response. */
export function httpAnswer(response) {
  const http = response.returnValue?.http
  if (!http) throw new Error(`no HTTP response: ${JSON.stringify(response)}`)
  const type = Object.entries(http.headers ?? {}).find(([k]) => k.toLowerCase() === 'content-type')?.[1]
  const bytes = http.body?.bytes ?? (http.body?.string !== undefined ? new TextEncoder().encode(http.body.string) : new Uint8Array())
  return { status: String(http.statusCode), type, text: new TextDecoder().decode(bytes) }
}
