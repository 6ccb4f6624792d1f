/**
 * `toLambda`: a handler, a Hono app or a service as a Lambda handler. The
 * rules of the mapping are in `mapping.ts`, the delivery and HTTP paths in
 * the adapter kit; this file is Lambda's entry signature on them, and waits
 * for `waitUntil` work before it returns, because Lambda freezes the
 * instance as soon as the handler's promise settles.
 */
import {
  answerHttp,
  appFailed,
  toWebRequest,
  createAdapter,
  deadlineIn,
  deliver,
  findMapper,
  invocationFacts,
  invocationLog,
  observed,
  unknownInput,
  type Adapter,
  type HttpMapper,
  type HttpReplyParts,
  type HttpRequestParts,
} from '../../src/adapter/index.js'
import type { Context, InvocationFacts } from '../../src/context.js'
import { describeError, isFaasadeError, type PermanentError } from '../../src/errors.js'
import type { HttpReply } from '../../src/http/message.js'
import { problemReply } from '../../src/http/problem.js'
import { runBatch } from '../../src/batch.js'
import type { Logger } from '../../src/logger.js'
import type { Target } from '../../src/service.js'
import { fromCoreReply, fromResponse } from './http.js'
import type { LambdaContext, LambdaRaw } from './lambda-types.js'
import { createLambdaLogger } from './log.js'
import type { EventMapper, LambdaMapper } from './mapper.js'
import { BUILT_IN_MAPPERS } from './mapping.js'
import { lambdaObserver } from './observe.js'
import { checkLambdaOptions, type LambdaOptions } from './options.js'

/** `ctx.provider.name` of every invocation from Lambda. */
export const PROVIDER_NAME = 'aws-lambda'

/** A Lambda handler: what the runtime calls with each event. */
export type LambdaHandler = (event: unknown, context: LambdaContext) => Promise<unknown>

/**
 * A Lambda handler serving `target`: every trigger of `mapping.ts` (API
 * Gateway, Function URLs, ALB, SQS, SNS, S3, EventBridge, DynamoDB Streams,
 * Kinesis, a CloudEvent invoked directly) and those of `options.mappers`.
 * Handlers find the native event and context in `ctx.provider.raw` (or with
 * `lambdaRaw(ctx)`).
 *
 * @example
 * ```ts
 * // lambda.ts, deployed with the handler `lambda.handler`
 * import { toLambda } from 'faasade/aws-lambda'
 * import { service } from './service.js'
 *
 * export const handler = toLambda(service)
 * ```
 */
export function toLambda(target: Target, options: LambdaOptions = {}): LambdaHandler {
  return handlerFor(lambdaAdapter(target, options))
}

/** Checks the options once, when the function module loads. */
export function lambdaAdapter(target: Target, options: LambdaOptions): Adapter<LambdaMapper> {
  checkLambdaOptions(options)
  // FIFO queues and streams are ordered: Lambda ships the core's ordered runner.
  // Every delivery observed: trace context, log fields, summary line, spans with an SDK (observe.ts).
  return createAdapter(observed(target, lambdaObserver()), options, { name: PROVIDER_NAME, mappers: BUILT_IN_MAPPERS, log: () => createLambdaLogger(), runBatch })
}

/** One invocation: its logger (lines carry the request id, which no runtime prefix does: see `log.ts`), facts and deadline. */
export interface Invocation {
  readonly log: Logger
  readonly facts: InvocationFacts
  readonly deadline: number
}

/** What the kit needs of one Lambda invocation. */
export function invocationOf(adapter: Adapter, context: LambdaContext | undefined): Invocation {
  const requestId = context?.awsRequestId
  return {
    log: invocationLog(adapter, requestId),
    facts: invocationFacts(requestId),
    deadline: deadlineIn(context?.getRemainingTimeInMillis?.(), adapter.timeoutMarginMs),
  }
}

/** The Lambda handler of an adapter: find the mapper, then serve events or HTTP. */
export function handlerFor(adapter: Adapter<LambdaMapper>): LambdaHandler {
  // Async, so that a user mapper's throwing `match` rejects like every other failure.
  return async (event, context) => {
    const invocation = invocationOf(adapter, context)
    let mapper: LambdaMapper
    try {
      mapper = findMapper(adapter.mappers, event, 'Lambda')
    } catch (error) {
      if (isFaasadeError(error)) invocation.log.error('unknown Lambda event', { error: error.message })
      throw error
    }
    return mapper.kind === 'http' ? serveHttp(adapter, invocation, mapper, event, context) : serveEvents(adapter, invocation, mapper, event, context)
  }
}

/**
 * The trigger `ctx.provider.raw` names: a built-in mapper's name (a mapper of
 * yours that takes one, as `sqsMapper({ type })` does, reads the same
 * shapes), else `'custom'` and the mapper's own name.
 */
function triggerOf(mapper: { readonly name: string }): { trigger: string; mapper?: string } {
  return BUILT_IN_NAMES.has(mapper.name) ? { trigger: mapper.name } : { trigger: 'custom', mapper: mapper.name }
}
const BUILT_IN_NAMES: ReadonlySet<string> = new Set(BUILT_IN_MAPPERS.map((m) => m.name))

/** `ctx.provider.raw` of an invocation from Lambda, typed by its `trigger`, or `undefined` on another provider. */
export function lambdaRaw(ctx: Pick<Context, 'provider'>): LambdaRaw | undefined {
  return ctx.provider.name === PROVIDER_NAME ? (ctx.provider.raw as LambdaRaw) : undefined
}

async function serveEvents(adapter: Adapter, invocation: Invocation, mapper: EventMapper, event: unknown, context: LambdaContext): Promise<unknown> {
  const items = mapper.toEvents(event, context)
  const outcomes = await deliver<LambdaRaw>(adapter, {
    trigger: mapper.name,
    items,
    deadline: invocation.deadline,
    ordered: mapper.ordered?.(event) === true,
    raw: (item) => ({ ...triggerOf(mapper), event, context, record: item.record }) as LambdaRaw,
    log: invocation.log,
    invocation: invocation.facts,
  })
  return mapper.reply(outcomes, items, event)
}

async function serveHttp(adapter: Adapter, invocation: Invocation, mapper: HttpMapper, event: unknown, context: LambdaContext): Promise<unknown> {
  const request = readRequest(invocation.log, mapper, event)
  if (!('url' in request)) return mapper.toReply(fromCoreReply(request), event)
  const answer = await answerHttp<LambdaRaw>(adapter, request, { trigger: mapper.name, raw: { ...triggerOf(mapper), event, context } as LambdaRaw, deadline: invocation.deadline, log: invocation.log, invocation: invocation.facts }, toWebRequest)
  if ('reply' in answer) return mapper.toReply(fromCoreReply(answer.reply), event)
  let parts: HttpReplyParts
  try {
    parts = await fromResponse(answer.response)
  } catch (error) {
    parts = fromCoreReply(appFailed(invocation.log, mapper.name, error))
  }
  await answer.work?.drainBy(invocation.deadline)
  return mapper.toReply(parts, event)
}

/** The request an HTTP event carries, or the 400 for one that cannot be read. */
export function readRequest(log: Logger, mapper: HttpMapper, event: unknown): HttpRequestParts | HttpReply {
  try {
    return mapper.toRequest(event)
  } catch (error) {
    if (!isFaasadeError(error)) throw error
    log.warn('malformed HTTP event', { trigger: mapper.name, ...describeError(error) })
    return problemReply(error)
  }
}

/** The error for an event no mapper matches: it names the top-level keys, never a value. */
export function unknownEvent(event: unknown): PermanentError {
  return unknownInput(event, 'Lambda')
}
