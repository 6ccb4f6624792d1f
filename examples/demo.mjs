// `npm run demo`: serve the example with `faasade dev`, send it a plain HTTP
// call, a binary-mode CloudEvent and a malformed one, print each exchange,
// then keep serving so you can try your own (see the README's curl).
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const port = Number(process.env.PORT ?? 8080)
const root = fileURLToPath(new URL('..', import.meta.url))
const server = spawn(process.execPath, ['dist/cli.js', 'dev', 'examples/orders/service.ts', '--port', String(port)], {
  cwd: root,
  // The example's secret comes from the environment (fromEnv): a demo key unless you set one.
  env: { ...process.env, STRIPE_API_KEY: process.env.STRIPE_API_KEY ?? 'sk_test_demo_key_4242' },
  stdio: ['ignore', 'pipe', 'inherit'],
})

// Stopping the demo stops the server it started, however the demo is stopped:
// Ctrl-C (the terminal signals both), SIGTERM or SIGHUP to this process, or its
// parent going away. `npm run demo` runs this file under a shell, and npm
// forwards SIGTERM to that shell only: the shell dies, this process is
// re-parented, and without the check below the server would keep the port.
let stopping = false
function stop(signal) {
  if (stopping) {
    server.kill('SIGKILL') // a second Ctrl-C: no more waiting
    return
  }
  stopping = true
  server.kill(signal)
  // The server closes within a second; if it does not, it is killed.
  setTimeout(() => server.kill('SIGKILL'), 3_000).unref()
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => stop(signal))
const parent = process.ppid
setInterval(() => {
  if (process.ppid !== parent) stop('SIGTERM')
}, 200).unref()
// Whatever else ends this process (an uncaught error, say) ends the server too.
process.on('exit', () => server.kill('SIGKILL'))
server.on('exit', (code, signal) => process.exit(stopping ? 0 : (code ?? (signal ? 1 : 0))))

let ready = false
server.stdout.setEncoding('utf8')
server.stdout.on('data', (chunk) => {
  process.stdout.write(chunk.replace(/^/gm, '  server | ').replace(/ {2}server \| $/, ''))
  if (!ready && chunk.includes('serving')) {
    ready = true
    void tour().catch((error) => console.error('demo failed:', error))
  }
})

const base = `http://127.0.0.1:${port}`

/** A binary-mode CloudEvent request: attributes in ce-* headers, data as the JSON body. */
const binaryEvent = (attributes, data) => ({
  method: 'POST',
  headers: {
    'content-type': 'application/json',
    'ce-specversion': '1.0',
    ...Object.fromEntries(Object.entries(attributes).map(([name, value]) => [`ce-${name}`, value])),
  },
  body: JSON.stringify(data),
})

const order = { id: 'order-1001', source: '/shop/checkout', type: 'com.example.order.placed' }

const requests = [
  { title: 'A plain HTTP call goes to the Hono app', path: '/health', init: { method: 'GET' } },
  {
    title: 'A binary-mode CloudEvent goes to the orderPlaced handler',
    path: '/',
    init: binaryEvent(order, { orderId: 'A-1001', amount: 42.5 }),
  },
  {
    title: 'The same CloudEvent again, as a redelivery: idempotency replays the result, the handler does not run (no "charging" line)',
    path: '/',
    init: binaryEvent(order, { orderId: 'A-1001', amount: 42.5 }),
  },
  {
    title: 'A malformed CloudEvent (no ce-source, bad amount) gets a 400 problem',
    path: '/',
    init: binaryEvent({ id: 'bad-1', type: order.type }, { orderId: 'A-1002', amount: -1 }),
  },
  {
    title: 'A valid event whose data fails the schema gets a 400 with the schema issues',
    path: '/',
    init: binaryEvent({ ...order, id: 'bad-2' }, { orderId: 'A-1003', amount: -1 }),
  },
]

async function tour() {
  for (const { title, path, init } of requests) {
    console.log(`\n# ${title}\n> ${init.method} ${path}`)
    for (const [name, value] of Object.entries(init.headers ?? {})) console.log(`> ${name}: ${value}`)
    if (init.body) console.log(`> ${init.body}`)
    const response = await fetch(base + path, init)
    const body = await response.text()
    console.log(`< ${response.status} ${response.headers.get('content-type') ?? ''}`)
    if (body) console.log(`< ${body}`)
  }
  console.log(`\nStill serving on ${base} (Ctrl-C to stop). Try:\n` +
    `  curl -i ${base}/ -H 'content-type: application/json' -H 'ce-specversion: 1.0' -H 'ce-id: 42' \\\n` +
    `       -H 'ce-source: /cli' -H 'ce-type: com.example.order.placed' -d '{"orderId":"A-42","amount":9.99}'`)
}
