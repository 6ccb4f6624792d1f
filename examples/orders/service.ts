// One deployable unit: the HTTP API and the event handlers. Each provider's
// entry file (lambda.ts, worker.ts, …) passes this to its adapter.
import { defineService } from 'faasade'
import { app } from './app.js'
import { orderPlaced, sweepUnpaid } from './handler.js'

// CloudEvents over HTTP reach the handlers at POST / only; every other
// request is the app's, so no route of the app can be bypassed with ce-* headers.
export const service = defineService({ http: app, events: [orderPlaced, sweepUnpaid], cloudEvents: { path: '/' } })
export default service
