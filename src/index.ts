/**
 * faasade: one CloudEvents handler, four clouds. This entry is the neutral
 * core; it imports no provider SDK, no schema library and no HTTP framework.
 */
export { defineHandler, isHandler, type DataOf, type EventOf, type Handler, type HandlerDefinition } from './handler.js'
export { defineService, dispatch, isService, mayDeliver, pathOf, toService, wantsEvents, type CloudEventsRoute, type HttpApp, type RequestLine, type Service, type ServiceDefinition, type Target } from './service.js'
export { contextForEvent, createContext, drainWaitUntil, extendContext, type Context, type ContextInit, type InvocationFacts, type ProviderInfo } from './context.js'
export type { Trace } from './observability/trace.js'
export type { TraceCarrier, TraceContext } from './observability/trace-context.js'
export { checkOptions, defineMiddleware, type AddedBy, type AnyMiddleware, type HandlerInfo, type Middleware, type Next } from './middleware.js'
export { compose, type Chain } from './compose.js'
export { checkEvent, createEvent, invalidEvent, isCloudEvent, isExtensionName, withData, type CloudEvent, type CloudEventInit, type ExtensionValue } from './event.js'
export {
  ConfigurationError,
  describeError,
  FaasadeError,
  InvalidEventError,
  isFaasadeError,
  DeploymentError,
  NoHandlerError,
  PayloadTooLargeError,
  PermanentError,
  RetryableError,
  TimeoutError,
  toFaasadeError,
  UnauthorizedError,
  UnexpectedError,
  ValidationError,
  type FaasadeErrorOptions,
  type Issue,
  type Problem,
  type RetryableErrorOptions,
} from './errors.js'
export { outcomeOf, settle, type Outcome } from './outcome.js'
export { runBatch, runConcurrently, SkippedError, type BatchOptions } from './batch.js'
export { formatTimestamp } from './time.js'
export { compileFilter, type EventFilter, type Matcher } from './filter.js'
export { isStandardSchema, validate, type SchemaOutput, type StandardResult, type StandardSchema } from './schema.js'
export { lazyChild, lazyLogger } from './lazy-logger.js'
export { createLogger, type LogFields, type Logger, type LoggerOptions, type LogLevel, type LogSink } from './logger.js'
export { addRedaction, redact, removeRedaction, REDACTED } from './redact.js'
export { cloudEventMode, decodeCloudEvents, fromJsonFormat, notACloudEvent, type CloudEventMode } from './http/decode.js'
export { encodeBatch, encodeBinary, encodeStructured, toJsonFormat, type Encoded } from './http/encode.js'
export { fromBase64, isJsonMediaType, mediaType, toBase64, type HttpReply, type HttpRequest } from './http/message.js'
export { problemReply, toProblem } from './http/problem.js'
export { batchReply, DEFAULT_MAX_BODY_BYTES, resultReply, serveCloudEvents, singleReply, tooLarge, type ServeOptions } from './http/serve.js'
export { bindRouteContext, routeContext, type RouteInvocation } from './http/route-context.js'
export { createFetchHandler, readBodyWithin, refused, toResponse, type FetchHandler, type FetchHandlerOptions } from './http/fetch.js'
