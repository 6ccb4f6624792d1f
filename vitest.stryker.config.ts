/**
 * The vitest configuration StrykerJS runs the tests with (stryker.config.mjs):
 * the project's own, without the type tests (the TypeScript checker covers
 * types) and without the skip summary's global setup, which would fail a
 * mutation run on a machine without Redis or PostgreSQL (the mutation test
 * set starts neither), and with a longer per-test timeout: instrumented code
 * on a loaded machine ran a property test of the secrets cache past 20 s.
 */
import { defineConfig, mergeConfig } from 'vitest/config'
import base from './vitest.config.js'

const config = mergeConfig(base, defineConfig({ test: { typecheck: { enabled: false }, testTimeout: 120_000 } }))
config.test!.globalSetup = []
export default config
