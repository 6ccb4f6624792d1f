/**
 * One cold-start sample: this fresh process plays the worker (host.mjs,
 * loaded first, as the worker is there before the app), imports the
 * function app's bundle, and runs the first invocation of its function.
 * Prints, as JSON: ms from the process's start (performance.timeOrigin) to
 * the bundle imported and to the first invocation's response; the import()
 * alone; the first invocation alone; and the two together (import() of the
 * bundle to the response: the part an app's entry decides, without Node's
 * own boot).
 *
 * With `preload`, `@azure/functions` is imported before the clock of the
 * import() starts, so that import() to response is the entry's own cost
 * (faasade's code and the registration), without the library's load,
 * which is the same for every entry and the noisiest part of it.
 *
 *   node cold-child.mjs <bundle.mjs> <queue|http> [preload]
 */
import { pathToFileURL } from 'node:url'
import { invoke } from './host.mjs'
import { httpAnswer, httpInvocation, queueInvocation } from './invocations.mjs'

const [bundle, trigger, preload] = process.argv.slice(2)
if (preload === 'preload') await import('@azure/functions')
const before = performance.now()
await import(pathToFileURL(bundle).href)
const imported = performance.now()
const response = await invoke('hello', trigger === 'http' ? httpInvocation : queueInvocation)
const answered = performance.now()
if (trigger === 'http') {
  const answer = httpAnswer(response)
  if (answer.status !== '200' || !answer.text.includes('hello')) throw new Error(`answered ${JSON.stringify(answer)}`)
}
console.log(JSON.stringify({ importMs: imported - before, toImportedMs: imported, toResponseMs: answered, firstInvocationMs: answered - imported, bundleToResponseMs: answered - before }))
