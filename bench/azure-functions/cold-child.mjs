/**
 * One cold-start sample: this fresh process plays the worker (host.mjs,
 * loaded first, as the worker is there before the app), imports the
 * function app's bundle, and runs the first invocation of its function.
 * Prints, as JSON: ms from the process's start (performance.timeOrigin) to
 * the bundle imported and to the first invocation's response, and the
 * import() alone.
 *
 *   node cold-child.mjs <bundle.mjs> <queue|http>
 */
import { pathToFileURL } from 'node:url'
import { invoke } from './host.mjs'
import { httpAnswer, httpInvocation, queueInvocation } from './invocations.mjs'

const [bundle, trigger] = process.argv.slice(2)
const before = performance.now()
await import(pathToFileURL(bundle).href)
const imported = performance.now()
const response = await invoke('hello', trigger === 'http' ? httpInvocation : queueInvocation)
const answered = performance.now()
if (trigger === 'http') {
  const answer = httpAnswer(response)
  if (answer.status !== '200' || !answer.text.includes('hello')) throw new Error(`answered ${JSON.stringify(answer)}`)
}
console.log(JSON.stringify({ importMs: imported - before, toImportedMs: imported, toResponseMs: answered, firstInvocationMs: answered - imported }))
