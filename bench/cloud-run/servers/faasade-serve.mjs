// faasade's plain server: serve() with one event handler; the binary CloudEvent is decoded and checked by faasade.
import { defineHandler } from 'faasade'
import { serve } from 'faasade/cloud-run'
import { reply } from './work.mjs'

const handler = defineHandler({ type: 'com.example.order.placed', handle: (event) => reply(event.id, event.data) })
serve(handler, { host: '127.0.0.1' }) // port: PORT
