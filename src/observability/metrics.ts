/**
 * Delivery metrics through the same lazily loaded `@opentelemetry/api` as
 * the spans: invocations by outcome, errors, cold starts, duration and
 * batch size, by the FaaS semantic conventions' metric names where they
 * have one. Nothing is loaded, created or recorded without a registered
 * meter provider.
 */
import type * as OtelApi from '@opentelemetry/api'
import { loadedApi, loadOpenTelemetry, meterProviderRegistered, type FaasTrigger } from './otel.js'

/** One invocation's measurements, for {@link recordDelivery}. */
export interface DeliveryMeasurement {
  /** `faas.trigger`, on every instrument. */
  readonly trigger: FaasTrigger
  /** How the invocation ended, as `faasade.outcome` (the worst outcome of a batch, or the invocation's reply). */
  readonly outcome: 'ok' | 'retry' | 'drop'
  /** How long the invocation took, in milliseconds (recorded in seconds, as the conventions ask). */
  readonly durationMs: number
  /** Whether this was the instance's first invocation: counted in `faas.coldstarts`. */
  readonly coldStart?: boolean
  /** How many messages the invocation delivered, for a batch trigger. */
  readonly batchSize?: number
  /** Further attributes on every instrument (`faas.name`, `cloud.region`, …). Keep them few: each combination is a time series. */
  readonly attributes?: Readonly<Record<string, string | number | boolean>>
}

/** The instruments {@link recordDelivery} records to, by name. */
export const DELIVERY_METRICS = /* @__PURE__ */ Object.freeze({
  /** Counter, `{invocation}`, with the outcome as an attribute. */
  invocations: 'faas.invocations',
  /** Counter, `{error}`: invocations whose outcome is a retry or a drop. */
  errors: 'faas.errors',
  /** Counter, `{coldstart}`. */
  coldStarts: 'faas.coldstarts',
  /** Histogram, seconds. */
  duration: 'faas.invoke_duration',
  /** Histogram, `{message}`: the messages of each batch delivery. */
  batchSize: 'faasade.batch.size',
})

interface Instruments {
  readonly meterProvider: unknown
  readonly invocations: OtelApi.Counter
  readonly errors: OtelApi.Counter
  readonly coldStarts: OtelApi.Counter
  readonly duration: OtelApi.Histogram
  readonly batchSize: OtelApi.Histogram
}

let instruments: Instruments | undefined

function instrumentsOf(otel: NonNullable<ReturnType<typeof loadedApi>>): Instruments {
  const meterProvider = otel.metrics.getMeterProvider()
  // Made once a provider: tests (and some hosts) replace it.
  if (instruments?.meterProvider === meterProvider) return instruments
  const meter = meterProvider.getMeter('faasade')
  instruments = {
    meterProvider,
    invocations: meter.createCounter(DELIVERY_METRICS.invocations, { unit: '{invocation}', description: 'Invocations, by outcome' }),
    errors: meter.createCounter(DELIVERY_METRICS.errors, { unit: '{error}', description: 'Invocations that ended in a retry or a drop' }),
    coldStarts: meter.createCounter(DELIVERY_METRICS.coldStarts, { unit: '{coldstart}', description: 'Invocations that started an instance' }),
    duration: meter.createHistogram(DELIVERY_METRICS.duration, { unit: 's', description: 'Duration of invocations' }),
    batchSize: meter.createHistogram(DELIVERY_METRICS.batchSize, { unit: '{message}', description: 'Messages a batch delivery carried' }),
  }
  return instruments
}

/**
 * Records one invocation's measurements. Without a registered meter
 * provider it does nothing (and loads nothing). With one, it records at
 * once when `@opentelemetry/api` is loaded, else after loading it (the
 * first invocation's measurements are not lost). Never throws.
 *
 * @example
 * ```ts
 * const started = Date.now()
 * const outcomes = await deliver(adapter, delivery)
 * recordDelivery({ trigger: 'pubsub', outcome: worst(outcomes), durationMs: Date.now() - started, coldStart, batchSize: outcomes.length })
 * ```
 */
export function recordDelivery(measurement: DeliveryMeasurement): void {
  if (!meterProviderRegistered()) return
  const otel = loadedApi()
  if (otel !== undefined) record(otel, measurement)
  else void loadOpenTelemetry().then(() => {
    const loaded = loadedApi()
    if (loaded !== undefined) record(loaded, measurement)
  })
}

function record(otel: NonNullable<ReturnType<typeof loadedApi>>, m: DeliveryMeasurement): void {
  try {
    const { invocations, errors, coldStarts, duration, batchSize } = instrumentsOf(otel)
    const attributes: OtelApi.Attributes = { ...m.attributes, 'faas.trigger': m.trigger }
    invocations.add(1, { ...attributes, 'faasade.outcome': m.outcome })
    if (m.outcome !== 'ok') errors.add(1, attributes)
    if (m.coldStart === true) coldStarts.add(1, attributes)
    if (Number.isFinite(m.durationMs) && m.durationMs >= 0) duration.record(m.durationMs / 1000, attributes)
    if (m.batchSize !== undefined && Number.isFinite(m.batchSize) && m.batchSize >= 0) batchSize.record(m.batchSize, attributes)
  } catch {
    // Metrics must never fail a delivery.
  }
}
