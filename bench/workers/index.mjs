/**
 * The Workers bench: what a Worker made with `faasade/cloudflare-workers`
 * ships, next to Hono's own hello Worker, and proof that each bundle runs in
 * workerd without `nodejs_compat`.
 *
 * Method: each Worker below is bundled by bundle.mjs (esbuild, ESM, platform
 * neutral with the workerd/worker/browser conditions, minified, no Node
 * built-ins) with `faasade` resolved to a copy of the built `dist/`; sizes
 * are bytes minified, then gzipped at level 9 (KB = 1000 bytes). Each bundle
 * is then loaded into workerd (Miniflare, no compatibility flags) and
 * answers one request (and the event Worker one queue message).
 *
 * Run: `npm run bench` (builds first), or `node bench/workers/index.mjs [distDir] [--write]`
 * (`--write` also writes bench/workers/RESULTS.md).
 */
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { bundleWorker, nodeImportsIn, packagesIn, PROVIDER_SDKS } from './bundle.mjs'
import { loadsInWorkerd, SDK_REFERENCE, WORKERS } from './workers.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..', '..')
const args = process.argv.slice(2)
const write = args.includes('--write')
const distArg = args.find((a) => !a.startsWith('--')) ?? 'dist'

function snapshot(distDir) {
  if (!existsSync(join(distDir, 'cloudflare-workers.js'))) {
    throw new Error(`${distDir}/cloudflare-workers.js is missing: run \`npm run build\` first (\`npm run bench\` does)`)
  }
  const target = join(root, '.bench-tmp', 'workers', 'dist')
  rmSync(target, { recursive: true, force: true })
  mkdirSync(dirname(target), { recursive: true })
  cpSync(distDir, target, { recursive: true })
  return target
}

const kb = (bytes) => `${(bytes / 1000).toFixed(2)} KB`
const n = (bytes) => `${bytes.toLocaleString('en-US')} B`
const table = (header, rows) => [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n')

export async function runWorkersBench(distDir) {
  const dist = snapshot(resolve(distDir))
  const results = {}
  for (const [id, w] of Object.entries(WORKERS)) {
    const bundle = await bundleWorker({ source: w.source, entry: w.entry, resolveDir: root, distDir: dist })
    results[id] = {
      ...w,
      minified: bundle.minified,
      gzipped: bundle.gzipped,
      providerSdks: packagesIn(bundle, PROVIDER_SDKS),
      hono: packagesIn(bundle, ['hono']).length > 0,
      cloudevents: packagesIn(bundle, ['cloudevents']).length > 0,
      node: nodeImportsIn(bundle),
      workerd: await loadsInWorkerd(bundle.code, w.probe).catch((error) => `FAILED: ${error.message}`),
    }
  }
  let sdk
  try {
    const bundle = await bundleWorker({ source: SDK_REFERENCE, resolveDir: root, distDir: dist })
    sdk = `bundles to ${kb(bundle.gzipped)} gzipped`
  } catch (error) {
    sdk = `does not bundle without Node built-ins (${error.errors?.length ?? 1} errors; the first: ${firstError(error)})`
    // The "before" in bytes: what it weighs where it can be bundled, with nodejs_compat.
    try {
      const compat = await bundleWorker({ source: SDK_REFERENCE, resolveDir: root, distDir: dist, nodeCompat: true })
      sdk += `; with Node built-ins left to the runtime (\`nodejs_compat\`; wrangler would add its polyfills on top), \`new CloudEvent(...)\` alone is at least ${n(compat.minified)} minified, ${kb(compat.gzipped)} gzipped, against ${kb(results.hello.gzipped)} for the whole faasade hello Worker`
    } catch (compatError) {
      sdk += `; nor with Node built-ins left to the runtime (${firstError(compatError)})`
    }
  }
  return { results, sdk }
}

/** An esbuild failure's first message (or any error's own). */
function firstError(error) {
  return error.errors?.[0]?.text ?? error.message
}

function report({ results, sdk }) {
  const { hello, 'hono-own': honoOwn, 'hono-faasade': honoFaasade } = results
  const clean = Object.values(results).every((r) => r.providerSdks.length === 0 && r.node.length === 0 && !r.cloudevents)
  const loaded = Object.values(results).every((r) => !r.workerd.startsWith('FAILED'))
  const met = (ok) => (ok ? 'met' : '**not met**')
  const summary = table(
    ['figure', 'result', 'goal', ''],
    [
      ['hello event-handler Worker, min + gzip', `${kb(hello.gzipped)} (${n(hello.gzipped)})`, '≤ 8 KB', met(hello.gzipped <= 8000)],
      ['hello Worker free of Hono', hello.hono ? 'Hono bundled' : 'no Hono', 'no Hono', met(!hello.hono)],
      [
        'Hono app Worker, `toWorker(app)`, over Hono\'s own hello Worker',
        `+${kb(honoFaasade.gzipped - honoOwn.gzipped)} (${kb(honoFaasade.gzipped)} vs ${kb(honoOwn.gzipped)})`,
        '≤ +2 KB',
        met(honoFaasade.gzipped - honoOwn.gzipped <= 2000),
      ],
      ['@aws-sdk, @azure/*, @google-cloud/*, `cloudevents`, Node built-ins in any bundle', clean ? 'none' : 'found (see below)', 'none', met(clean)],
      ['every bundle runs in workerd without `nodejs_compat`', loaded ? 'yes' : 'no (see below)', 'yes', met(loaded)],
    ],
  )
  const sizes = table(
    ['Worker', 'minified', 'gzipped', 'Hono', 'provider SDKs / Node built-ins', 'in workerd, no compat flag'],
    Object.values(results).map((r) => [
      r.label,
      n(r.minified),
      n(r.gzipped),
      r.hono ? 'yes' : 'no',
      [...r.providerSdks, ...r.node].join(', ') || 'none',
      r.workerd,
    ]),
  )
  const core = results['core-fetch']
  const notes = `## Reading the figures

- Where the hello Worker's bytes are: the core's CloudEvents path alone (\`createFetchHandler\`: HTTP binding, event checks, errors, handler, context, logger) is ${kb(core.gzipped)}; \`toWorker\` adds ${kb(hello.gzipped - core.gzipped)} for the queue and cron doors, their mapping and the option checks.
- \`toWorker(app)\` carries that whole event path next to Hono (+${kb(honoFaasade.gzipped - honoOwn.gzipped)}): \`toWorker\` takes any target, so a bundler cannot see that no handler will come, and it keeps what the \`fetch\`, \`queue\` and \`scheduled\` doors reference. A Worker with a Hono app and no event handler gains nothing from faasade: \`export default app\` (0 B over Hono). With handlers, the service Worker is Hono + the event path (${kb(results.service.gzipped)}).
- The \`cloudevents\` SDK is never on the Worker path (faasade builds and checks events itself); built on it, the Worker would need \`nodejs_compat\` (the reference line above).
`
  return `## Summary\n\n${summary}\n\n## Bundles\n\n${sizes}\n\nReference, the \`cloudevents\` SDK in a Worker (\`new CloudEvent(...)\`): ${sdk}.\n\n${notes}`
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const figures = await runWorkersBench(distArg)
  const body = report(figures)
  console.log(`# Workers bench\n\n${body}`)
  if (write) {
    const pkg = (name) => JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version
    const commit = (() => {
      try {
        return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim()
      } catch {
        return 'unknown'
      }
    })()
    const header = `# Workers bench results

From one run of \`node bench/workers/index.mjs ${distArg} --write\` (what \`npm run bench\` runs, plus writing this file),
with faasade built by tsup from the working tree at ${commit}. Method: bench/workers/index.mjs and bundle.mjs.

- **Date**: ${new Date().toISOString().slice(0, 16)}Z
- **Machine**: ${cpus().length} cores (${cpus()[0]?.model.trim()}), ${process.platform}/${process.arch}, load average ${loadavg().map((l) => l.toFixed(2)).join(' / ')}
- **Node**: ${process.version}
- **Versions**: faasade ${pkg('../')}, esbuild ${pkg('esbuild')}, hono ${pkg('hono')}, miniflare ${pkg('miniflare')} (workerd), compatibility date 2026-04-01, no compatibility flags
`
    writeFileSync(join(here, 'RESULTS.md'), `${header}\n${body}`)
  }
}
