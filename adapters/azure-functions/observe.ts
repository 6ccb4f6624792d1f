/**
 * What an Azure Functions delivery tells the kit's observer: its trigger
 * (the binding type the host registered), and where its trace context
 * travels. The host reads the trigger's context itself (an HTTP request's
 * `traceparent`, a Service Bus message's `Diagnostic-Id`) into
 * `InvocationContext.traceContext`, which the adapter hands the kit as the
 * invocation's; a Service Bus message's own `Diagnostic-Id` (or
 * `traceparent`) application property and an HTTP request's headers are
 * read before it, being the sender's own.
 */
import type { DeliveryDescription, ObserverOptions } from '../../src/adapter/index.js'
import { fromHeaders, fromServiceBusProperties, type HeaderCarrier } from '../../src/adapter/index.js'
import type { Context } from '../../src/context.js'
import { importOpenTelemetry } from '../../src/observability/import-api.js'
import type { AzureRaw } from './azure-types.js'

interface TriggerShape {
  readonly type?: unknown
  readonly queueName?: unknown
  readonly topicName?: unknown
  readonly eventHubName?: unknown
}

/**
 * The observer options of every Azure Functions app: the region and app
 * name the host sets in the environment, and {@link describeAzureDelivery}.
 *
 * @example
 * ```ts
 * createAdapter(observed(target, azureObserver()), options, platform)
 * ```
 */
export function azureObserver(env: Readonly<Record<string, string | undefined>> = process.env): ObserverOptions {
  return {
    cloudProvider: 'azure',
    cloudPlatform: 'azure.functions',
    cloudRegion: env.REGION_NAME || undefined,
    attributes: env.WEBSITE_SITE_NAME ? { 'service.name': env.WEBSITE_SITE_NAME } : undefined,
    openTelemetry: importOpenTelemetry,
    describe: describeAzureDelivery,
  }
}

/**
 * One Azure Functions delivery, by the trigger binding's type.
 *
 * @example
 * ```ts
 * describeAzureDelivery(ctx) // { trigger: 'pubsub', messagingSystem: 'servicebus', destination: 'orders', parent: …, functionName: 'orders' }
 * ```
 */
export function describeAzureDelivery(ctx: Pick<Context, 'provider'>): DeliveryDescription {
  const raw = ctx.provider.raw as Partial<AzureRaw> | undefined
  const context = raw?.context
  const trigger = (context?.options?.trigger ?? {}) as TriggerShape
  const functionName = typeof context?.functionName === 'string' ? context.functionName : undefined
  const metadata = (context?.triggerMetadata ?? {}) as Record<string, unknown>
  const name = (value: unknown) => (typeof value === 'string' ? value : undefined)
  switch (trigger.type) {
    case 'httpTrigger':
      return { trigger: 'http', functionName, parent: fromHeaders((raw?.input as { headers?: HeaderCarrier } | undefined)?.headers) }
    case 'serviceBusTrigger':
      return {
        trigger: 'pubsub',
        functionName,
        messagingSystem: 'servicebus',
        destination: name(trigger.queueName) ?? name(trigger.topicName),
        parent: fromServiceBusProperties(messageProperties(metadata)),
      }
    case 'eventHubTrigger':
      return { trigger: 'pubsub', functionName, messagingSystem: 'eventhubs', destination: name(trigger.eventHubName), batchSize: Array.isArray(raw?.input) ? raw.input.length : undefined }
    case 'timerTrigger':
      return { trigger: 'timer', functionName }
    case 'blobTrigger':
      return { trigger: 'datasource', functionName }
    default:
      // Storage queues, Event Grid.
      return { trigger: 'pubsub', functionName, destination: name(trigger.queueName) }
  }
}

/**
 * A Service Bus message's application properties as the library hands
 * them: `applicationProperties` (extension 5.x) or `userProperties` (4.x),
 * with the library's camel-casing of every key undone for the one that
 * has a capital (`Diagnostic-Id` arrives as `diagnostic-Id`).
 */
function messageProperties(metadata: Readonly<Record<string, unknown>>): Record<string, unknown> | undefined {
  const properties = metadata.applicationProperties ?? metadata.userProperties
  if (typeof properties !== 'object' || properties === null) return undefined
  const found = properties as Record<string, unknown>
  return { 'Diagnostic-Id': found['Diagnostic-Id'] ?? found['diagnostic-Id'], traceparent: found.traceparent, tracestate: found.tracestate }
}
