// The functions framework's own cloudEvent function (run by its CLI: --signature-type=cloudevent).
import { cloudEvent } from '@google-cloud/functions-framework'
import { reply } from './work.mjs'

cloudEvent('bench', (event) => reply(event.id, event.data))
