/**
 * A provider registered, but @opentelemetry/api not importable where
 * faasade resolves it (vi.mock's factory throws, as a missing package
 * would): tracing stays off, and after the one failed import every
 * delivery gets the no-op span synchronously, not a promise.
 */
import { afterEach, expect, it, vi } from 'vitest'
import { recordDelivery } from '../../src/observability/metrics.js'
import { loadOpenTelemetry, noopDeliverySpan, startDeliverySpan } from '../../src/observability/otel.js'
import { importOpenTelemetry } from '../../src/observability/import-api.js'
import { openTelemetryFrom } from '../../src/observability/otel.js'

// As the Node adapters do: the API is imported (once an SDK is registered) by this importer.
openTelemetryFrom(importOpenTelemetry)

const imports = vi.hoisted(() => ({ count: 0 }))

vi.mock('@opentelemetry/api', () => {
  imports.count++
  throw new Error("Cannot find package '@opentelemetry/api'")
})

const KEY = Symbol.for('opentelemetry.js.api.1')
const holder = globalThis as { [KEY]?: unknown }

afterEach(() => {
  delete holder[KEY]
})

it('tries the import once, then hands out the no-op span synchronously', async () => {
  holder[KEY] = { version: '1.9.1', trace: {}, metrics: {} }
  const first = startDeliverySpan({ trigger: 'http' })
  expect(first).toBeInstanceOf(Promise)
  expect(await first).toBe(noopDeliverySpan)
  expect(await loadOpenTelemetry()).toBe(false)
  expect(startDeliverySpan({ trigger: 'http' })).toBe(noopDeliverySpan)
  expect(() => recordDelivery({ trigger: 'http', outcome: 'ok', durationMs: 1 })).not.toThrow()
  await loadOpenTelemetry()
  expect(imports.count).toBe(1)
})
