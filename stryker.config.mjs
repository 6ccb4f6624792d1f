// @ts-check
/**
 * Mutation testing (StrykerJS) of the paths where a wrong line loses data or
 * leaks: docs/testing.md, "Mutation testing". `npm run mutate` runs every
 * group below, one Stryker run a group, each against the tests that exercise
 * its files; `npm run mutate -- redaction` one group, and
 * `npm run mutate -- --changed <git ref>` the groups whose files changed
 * since that ref (what CI does). Every run is incremental: a rerun tests
 * only the mutants whose code or covering tests changed since the last
 * (reports/stryker-incremental-<group>.json).
 *
 * Stryker alone reads this file too: `FAASADE_MUTATE_GROUP=redaction npx stryker run`,
 * or with no group every file against every test below (slow).
 */

/**
 * The groups: the files (or line ranges) mutated, and the tests run against
 * them. Left out of every test list: tests that bundle the sources or run
 * them in another process or in workerd (a mutant is switched on in this
 * process only, so they cannot kill one and would only slow each run), and
 * the store suites that need Redis, PostgreSQL, DynamoDB or Azurite (the
 * guard carries out the state table; the memory store is its reference).
 */
export const GROUPS = {
  /** Secret redaction, and the registration of a secret's values with it. */
  redaction: {
    mutate: ['src/redact.ts', 'src/secrets/secret-value.ts'],
    testFiles: [
      'test/secrets/{redaction,redaction-forms,env,middleware,secret-value}.test.ts',
      'test/core/{logger,logger-safety,errors,redact}.test.ts',
    ],
  },
  /** The idempotency state table, the guard that carries it out, and the middleware around it. */
  idempotency: {
    mutate: ['src/idempotency/state-machine.ts', 'src/idempotency/guard.ts', 'src/idempotency/middleware.ts'],
    testFiles: [
      'test/idempotency/middleware/{clock,idempotent,interleavings,memory-store,namespaces,parts,storm}.test.ts',
      'test/idempotency/http/*.test.ts',
      'test/idempotency/stores/memory.test.ts',
    ],
  },
  /** runBatch and the adapter kit's delivery path. */
  batch: {
    mutate: ['src/batch.ts', 'src/adapter/delivery.ts'],
    testFiles: [
      'test/core/{batch,batch-keys,batch-options}.test.ts',
      'test/adapter/delivery.property.test.ts',
      'test/aws-lambda/{batch,ordered-keys}.test.ts',
      'test/http/batch.test.ts',
      'test/conformance/*.test.ts',
    ],
  },
  /** The CloudEvent checks and the HTTP binding's decoder. */
  cloudevents: {
    mutate: ['src/event.ts', 'src/http/decode.ts', 'src/cloudevents/index.ts'],
    testFiles: ['test/event/*.test.ts', 'test/http/*.test.ts', 'test/core/{cloudevents-interop,handler}.test.ts'],
  },
  /**
   * Each adapter's outcome mapping: Lambda's partial batch replies
   * (batchItemFailures for SQS, Kinesis, DynamoDB Streams, with their
   * ordering keys) and async replies; Workers' ack, retry and delay, and cron
   * settlement; the failure of an Azure Functions invocation and Cloud Run's reply.
   */
  outcomes: {
    mutate: [
      'adapters/aws-lambda/mapping.ts:98-160',
      'adapters/aws-lambda/mapping.ts:411-431',
      'adapters/cloudflare-workers/mapping.ts:127-170',
      'adapters/azure-functions/mapping.ts:347-358',
      'adapters/cloud-run/mapping.ts:94-108',
    ],
    testFiles: [
      'test/aws-lambda/{batch,mapping,ordered-keys,conformance,outcome-mapping}.test.ts',
      'test/workers/mapping.test.ts',
      'test/azure-functions/{conformance,event-hubs,service-bus,storage-queue,event-grid-timer}.test.ts',
      'test/cloud-run/{mapping,conformance}.test.ts',
    ],
  },
}

const name = process.env.FAASADE_MUTATE_GROUP
const chosen = name ? [GROUPS[/** @type {keyof typeof GROUPS} */ (name)]] : Object.values(GROUPS)
if (chosen[0] === undefined) throw new Error(`FAASADE_MUTATE_GROUP: no group "${name}" (${Object.keys(GROUPS).join(', ')})`)
const tag = name ?? 'all'

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  // Type tests off, no global setup: vitest.stryker.config.ts.
  vitest: { configFile: 'vitest.stryker.config.ts', related: true },
  plugins: ['@stryker-mutator/vitest-runner', '@stryker-mutator/typescript-checker'],
  // The TypeScript checker (reports a mutant that does not type-check as a
  // compile error instead of running it) works with TypeScript 6, but costs
  // minutes of start-up and a core beside the runner: on with FAASADE_MUTATE_CHECK=1.
  checkers: process.env.FAASADE_MUTATE_CHECK === '1' ? ['typescript'] : [],
  tsconfigFile: 'tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  mutate: chosen.flatMap((group) => group.mutate),
  testFiles: [...new Set(chosen.flatMap((group) => group.testFiles))],
  // Each mutant runs only the tests that reach it.
  coverageAnalysis: 'perTest',
  // Static mutants (in code that runs when a module loads: constants, the
  // state tables) are left out: with this runner they were never switched
  // on, so every one survived, DELIVERY_TABLE's entries included, which
  // test/idempotency/middleware/parts.test.ts kills when the same change is
  // made by hand (docs/testing.md). A mutant both static and reached from a
  // test still runs, against those tests.
  ignoreStatic: true,
  incremental: true,
  incrementalFile: `reports/stryker-incremental-${tag}.json`,
  // Two cores, shared: one test runner beside the checker.
  concurrency: 1,
  timeoutMS: 20_000,
  dryRunTimeoutMinutes: 15,
  reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
  clearTextReporter: { allowEmojis: false, logTests: false, maxTestsToLog: 0 },
  htmlReporter: { fileName: `reports/mutation/${tag}.html` },
  jsonReporter: { fileName: `reports/mutation/${tag}.json` },
  thresholds: { high: 90, low: 80, break: null },
  ignorePatterns: ['dist', 'reports', 'coverage', '.scratch', '.bench-tmp', 'api', '.ci/lambda-ric', '.stryker-tmp'],
  // One directory a group, so that two groups may run side by side.
  tempDirName: `.stryker-tmp/${tag}`,
  cleanTempDir: 'always',
}
