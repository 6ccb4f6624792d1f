/**
 * Without a registered provider, @opentelemetry/api is never imported: the
 * module loader is observed through vi.mock, whose factory runs on the
 * first import of the API by anyone. Spans and metrics alike. This file imports no OpenTelemetry
 * package itself; the last test is the control that the observation works.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { recordDelivery } from '../../src/observability/metrics.js'
import { loadOpenTelemetry, meterProviderRegistered, noopDeliverySpan, startDeliverySpan, tracerProviderRegistered } from '../../src/observability/otel.js'
import { importOpenTelemetry } from '../../src/observability/import-api.js'
import { openTelemetryFrom } from '../../src/observability/otel.js'

// As the Node adapters do: the API is imported (once an SDK is registered) by this importer.
openTelemetryFrom(importOpenTelemetry)

const imports = vi.hoisted(() => ({ count: 0 }))

vi.mock('@opentelemetry/api', async (importOriginal) => {
  imports.count++
  return importOriginal()
})

const KEY = Symbol.for('opentelemetry.js.api.1')
const holder = globalThis as { [KEY]?: unknown }

afterEach(() => {
  delete holder[KEY]
})

describe('without a registered provider', () => {
  it('starts no-op spans and loads nothing, however often asked', async () => {
    expect(holder[KEY]).toBeUndefined()
    for (let i = 0; i < 3; i++) {
      expect(startDeliverySpan({ trigger: 'pubsub', coldStart: i === 0 })).toBe(noopDeliverySpan)
      recordDelivery({ trigger: 'pubsub', outcome: 'ok', durationMs: 1, coldStart: i === 0 })
      expect(await loadOpenTelemetry()).toBe(false)
    }
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(imports.count).toBe(0)
  })

  it('an API global with no tracer provider (a diag logger only) is not a provider', async () => {
    holder[KEY] = { version: '1.9.1', diag: {} }
    expect(tracerProviderRegistered()).toBe(false)
    expect(meterProviderRegistered()).toBe(false)
    expect(startDeliverySpan({ trigger: 'http' })).toBe(noopDeliverySpan)
    expect(await loadOpenTelemetry()).toBe(false)
    expect(imports.count).toBe(0)
  })
})

describe('control: the observation sees an import', () => {
  it('a registered provider (as the API records one) makes the first delivery load the API, once', async () => {
    // What trace.setGlobalTracerProvider leaves on the global: the version and a provider.
    holder[KEY] = { version: '1.9.1', trace: { getTracer: () => undefined } }
    expect(tracerProviderRegistered()).toBe(true)
    const loads = [loadOpenTelemetry(), loadOpenTelemetry()]
    expect(await Promise.all(loads)).toEqual([true, true])
    expect(await loadOpenTelemetry()).toBe(true)
    expect(imports.count).toBe(1)
  })
})
