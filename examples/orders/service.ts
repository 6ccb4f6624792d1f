// One deployable unit: the HTTP API and the event handlers. Each provider's
// entry file (lambda.ts, worker.ts, …) passes this to its adapter.
import { defineService } from 'faasade'
import { app } from './app.js'
import { orderPlaced, sweepUnpaid } from './handler.js'

export const service = defineService({ http: app, events: [orderPlaced, sweepUnpaid] })
export default service
