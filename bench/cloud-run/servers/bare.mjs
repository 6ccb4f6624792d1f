// Bare node:http: read the body, JSON.parse it, answer JSON. The 1.0 of the throughput table.
import { createServer } from 'node:http'
import { reply } from './work.mjs'

createServer((req, res) => {
  const chunks = []
  req.on('data', (chunk) => chunks.push(chunk))
  req.on('end', () => {
    let data
    try {
      data = JSON.parse(Buffer.concat(chunks).toString('utf8'))
    } catch {
      res.writeHead(400).end()
      return
    }
    const body = JSON.stringify(reply(req.headers['ce-id'], data))
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body)
  })
}).listen(Number(process.env.PORT), '127.0.0.1')
