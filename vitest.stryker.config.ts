/**
 * The vitest configuration StrykerJS runs the tests with (stryker.config.mjs):
 * the project's own, without the type tests (the TypeScript checker covers
 * types) and without the skip summary's global setup, which would fail a
 * mutation run on a machine without Redis or PostgreSQL (the mutation test
 * set starts neither).
 */
import { defineConfig, mergeConfig } from 'vitest/config'
import base from './vitest.config.js'

const config = mergeConfig(base, defineConfig({ test: { typecheck: { enabled: false } } }))
config.test!.globalSetup = []
export default config
