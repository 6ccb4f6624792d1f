// faasade's framework door: toHttpFunction registered with http() (run by the framework's CLI: --signature-type=http).
import { http } from '@google-cloud/functions-framework'
import { defineHandler } from 'faasade'
import { toHttpFunction } from 'faasade/cloud-run'
import { reply } from './work.mjs'

const handler = defineHandler({ type: 'com.example.order.placed', handle: (event) => reply(event.id, event.data) })
http('bench', toHttpFunction(handler))
