/**
 * Preloaded (`node --import`) into a server measured by instructions.mjs:
 * the process exits once it has answered EXIT_AFTER requests, so that
 * callgrind's count covers a known number of them.
 */
import { Server } from 'node:http'

const limit = Number(process.env.EXIT_AFTER)
let answered = 0
const emit = Server.prototype.emit
Server.prototype.emit = function (name, req, res) {
  if (name === 'request') res.once('finish', () => ++answered === limit && setImmediate(() => process.exit(0)))
  return emit.apply(this, arguments)
}
