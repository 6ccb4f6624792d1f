import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))

// Tests and examples import `faasade/...` as users do; these resolve to the
// sources (the packed-tarball test checks the built package separately).
const alias = [
  { find: /^faasade\/idempotency\/(.+)$/, replacement: here('./src/idempotency/stores/$1.ts') },
  { find: /^faasade\/secrets\/(.+)$/, replacement: here('./src/secrets/providers/$1.ts') },
  { find: /^faasade\/idempotency$/, replacement: here('./src/idempotency/index.ts') },
  { find: /^faasade\/secrets$/, replacement: here('./src/secrets/index.ts') },
  { find: /^faasade\/testing$/, replacement: here('./src/testing/index.ts') },
  { find: /^faasade\/adapter$/, replacement: here('./src/adapter/index.ts') },
  { find: /^faasade\/cloudevents$/, replacement: here('./src/cloudevents/index.ts') },
  { find: /^faasade\/aws-lambda$/, replacement: here('./adapters/aws-lambda/index.ts') },
  { find: /^faasade\/cloudflare-workers$/, replacement: here('./adapters/cloudflare-workers/index.ts') },
  { find: /^faasade\/azure-functions$/, replacement: here('./adapters/azure-functions/index.ts') },
  { find: /^faasade\/cloud-run$/, replacement: here('./adapters/cloud-run/index.ts') },
  { find: /^faasade$/, replacement: here('./src/index.ts') },
]

export default defineConfig({
  resolve: { alias },
  test: {
    include: ['test/**/*.test.ts'],
    // Prints, at the end, the suites skipped for a missing tool or service and how to enable each;
    // fails the run on such a skip when FAASADE_REQUIRE_ALL_SUITES=1 (CI).
    globalSetup: ['./test/support/skip-summary.ts'],
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
})
