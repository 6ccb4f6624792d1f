/**
 * Builds the orders example's two Cloud Run deployables, each a directory
 * to pass to gcloud as `--source` (docs/cloud-run.md):
 *
 * - `<out>/run`: the plain server (cloud-run.ts) bundled into `server.mjs`,
 *   with the Dockerfile; `gcloud run deploy orders --source <out>/run`.
 * - `<out>/function`: the functions-framework door (cloud-run-function.ts)
 *   bundled into `index.mjs`, the framework left out (the runtime installs
 *   it from package.json); `gcloud functions deploy orders --gen2
 *   --source <out>/function`.
 *
 *   node examples/orders/build-cloud-run.mjs [out]      (default: dist-cloud-run)
 *
 * `faasade` resolves to this repository's sources, as the package's
 * exports map would to its build; outside this repository, import the
 * published package and drop the plugin.
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as esbuild from 'esbuild'

const here = fileURLToPath(new URL('.', import.meta.url))
const root = join(here, '..', '..')

const DOORS = {
  faasade: 'src/index.ts',
  'faasade/cloud-run': 'adapters/cloud-run/index.ts',
  'faasade/idempotency': 'src/idempotency/index.ts',
  'faasade/secrets': 'src/secrets/index.ts',
}

/** Resolves `faasade/...` to the sources. */
const faasadeSources = {
  name: 'faasade-sources',
  setup(build) {
    build.onResolve({ filter: /^faasade(\/[a-z-]+)?$/ }, (args) => (DOORS[args.path] ? { path: join(root, DOORS[args.path]) } : undefined))
  },
}

const bundle = (entry, outfile, external = []) =>
  esbuild.build({ entryPoints: [join(here, entry)], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', external, logLevel: 'warning', plugins: [faasadeSources] })

/** Writes both deployables under `out`; returns their directories. */
export async function buildCloudRun(out) {
  const run = join(out, 'run')
  const fn = join(out, 'function')
  await mkdir(run, { recursive: true })
  await mkdir(fn, { recursive: true })
  await bundle('cloud-run.ts', join(run, 'server.mjs'))
  await copyFile(join(here, 'Dockerfile'), join(run, 'Dockerfile'))
  await bundle('cloud-run-function.ts', join(fn, 'index.mjs'), ['@google-cloud/functions-framework'])
  const manifest = {
    name: 'orders-function',
    private: true,
    type: 'module',
    main: 'index.mjs',
    engines: { node: '>=20' },
    // `npm start` runs it locally as Cloud Run functions do: functions-framework --target=orders.
    scripts: { start: 'functions-framework --target=orders' },
    dependencies: { '@google-cloud/functions-framework': '^5.0.5' },
  }
  await writeFile(join(fn, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`)
  return { run, function: fn }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = resolve(process.argv[2] ?? 'dist-cloud-run')
  const built = await buildCloudRun(out)
  console.log(`plain server: ${built.run}\nfunction:     ${built.function}`)
}
