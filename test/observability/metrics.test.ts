/**
 * Delivery metrics through a real OpenTelemetry metrics SDK, read by a
 * reader the test collects from; nothing recorded without a meter provider.
 */
import { metrics } from '@opentelemetry/api'
import { MeterProvider, MetricReader, type DataPoint, type Histogram } from '@opentelemetry/sdk-metrics'
import { afterEach, describe, expect, it } from 'vitest'
import { DELIVERY_METRICS, recordDelivery } from '../../src/observability/metrics.js'
import { loadOpenTelemetry, meterProviderRegistered } from '../../src/observability/otel.js'
import { importOpenTelemetry } from '../../src/observability/import-api.js'
import { openTelemetryFrom } from '../../src/observability/otel.js'

// As the Node adapters do: the API is imported (once an SDK is registered) by this importer.
openTelemetryFrom(importOpenTelemetry)

class TestReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

function register(): TestReader {
  const reader = new TestReader()
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }))
  return reader
}

async function collected(reader: TestReader): Promise<Map<string, DataPoint<unknown>[]>> {
  const { resourceMetrics } = await reader.collect()
  const byName = new Map<string, DataPoint<unknown>[]>()
  for (const scope of resourceMetrics.scopeMetrics) for (const metric of scope.metrics) byName.set(metric.descriptor.name, metric.dataPoints as DataPoint<unknown>[])
  return byName
}

afterEach(() => {
  metrics.disable()
})

describe('recordDelivery', () => {
  it('does nothing without a meter provider', () => {
    expect(meterProviderRegistered()).toBe(false)
    expect(() => recordDelivery({ trigger: 'pubsub', outcome: 'ok', durationMs: 5 })).not.toThrow()
  })

  it('counts invocations by outcome, errors and cold starts; records duration in seconds and batch size', async () => {
    const reader = register()
    await loadOpenTelemetry()
    recordDelivery({ trigger: 'pubsub', outcome: 'ok', durationMs: 250, coldStart: true, batchSize: 10, attributes: { 'faas.name': 'orders' } })
    recordDelivery({ trigger: 'pubsub', outcome: 'retry', durationMs: 50, batchSize: 2, attributes: { 'faas.name': 'orders' } })
    recordDelivery({ trigger: 'pubsub', outcome: 'ok', durationMs: 100, attributes: { 'faas.name': 'orders' } })
    const points = await collected(reader)
    const base = { 'faas.trigger': 'pubsub', 'faas.name': 'orders' }

    const invocations = points.get(DELIVERY_METRICS.invocations)!.map((p) => [p.attributes['faasade.outcome'], p.value])
    expect(invocations.sort()).toEqual([['ok', 2], ['retry', 1]])
    expect(points.get(DELIVERY_METRICS.errors)!.map((p) => [p.attributes, p.value])).toEqual([[base, 1]])
    expect(points.get(DELIVERY_METRICS.coldStarts)!.map((p) => [p.attributes, p.value])).toEqual([[base, 1]])
    const duration = points.get(DELIVERY_METRICS.duration)![0]!.value as Histogram
    expect(duration.count).toBe(3)
    expect(duration.sum).toBeCloseTo(0.4)
    const batch = points.get(DELIVERY_METRICS.batchSize)![0]!.value as Histogram
    expect([batch.count, batch.sum]).toEqual([2, 12])
  })

  it('keeps the first invocation measured while the API loads', async () => {
    const reader = register()
    recordDelivery({ trigger: 'http', outcome: 'drop', durationMs: 1 })
    await loadOpenTelemetry()
    await new Promise((resolve) => setTimeout(resolve, 0))
    const points = await collected(reader)
    expect(points.get(DELIVERY_METRICS.invocations)!.map((p) => [p.attributes, p.value])).toEqual([[{ 'faas.trigger': 'http', 'faasade.outcome': 'drop' }, 1]])
  })
})
