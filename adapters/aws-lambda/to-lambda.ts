/**
 * `toLambda`: a handler, a Hono app or a service as a Lambda handler. The
 * rules of the mapping are in `mapping.ts`; this file finds the mapper, runs
 * the core, and waits for `waitUntil` work before it returns, because Lambda
 * freezes the instance as soon as the handler's promise settles.
 */
import { runBatch, SkippedError } from '../../src/batch.js'
import { createContext, type Context } from '../../src/context.js'
import { describeError, isFaasadeError, PermanentError, toFaasadeError } from '../../src/errors.js'
import type { CloudEvent } from '../../src/event.js'
import { cloudEventMode, notACloudEvent } from '../../src/http/decode.js'
import type { HttpReply } from '../../src/http/message.js'
import { problemReply } from '../../src/http/problem.js'
import { serveCloudEvents } from '../../src/http/serve.js'
import type { Logger } from '../../src/logger.js'
import { settle, type Outcome } from '../../src/outcome.js'
import { dispatch, toService, type Service, type Target } from '../../src/service.js'
import { deadlineOf, DEFAULT_TIMEOUT_MARGIN_MS, unfinished, untilDeadline } from './deadline.js'
import { fromCoreReply, fromResponse, toWebRequest } from './http.js'
import type { LambdaContext, LambdaRaw } from './lambda-types.js'
import { createLambdaLogger, LazyChildLogger } from './log.js'
import type { EventMapper, HttpMapper, HttpReplyParts, LambdaHttpRequest, LambdaMapper, NativeItem } from './mapper.js'
import { BUILT_IN_MAPPERS } from './mapping.js'
import { checkLambdaOptions, type LambdaOptions } from './options.js'
import { waitUntilWork, type WaitUntilWork } from './wait-until.js'

/** `ctx.provider.name` of every invocation from Lambda. */
export const PROVIDER_NAME = 'aws-lambda'

/** A Lambda handler: what the runtime calls with each event. */
export type LambdaHandler = (event: unknown, context: LambdaContext) => Promise<unknown>

/** What every invocation of one `toLambda` function shares. */
export interface Runtime {
  readonly service: Service
  readonly log: Logger
  readonly failPermanent: boolean
  readonly concurrency: number | undefined
  readonly maxBodyBytes: number | undefined
  /** How long before Lambda's timeout handlers' time is up. */
  readonly timeoutMarginMs: number
  /** The user's mappers, then the built-in ones. */
  readonly mappers: readonly LambdaMapper[]
}

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
  return handlerFor(createRuntime(target, options))
}

/** Checks the options once, when the function module loads. */
export function createRuntime(target: Target, options: LambdaOptions): Runtime {
  checkLambdaOptions(options)
  return {
    service: toService(target),
    log: options.log ?? createLambdaLogger(),
    failPermanent: options.failPermanent === true,
    concurrency: options.concurrency,
    maxBodyBytes: options.maxBodyBytes,
    timeoutMarginMs: options.timeoutMarginMs ?? DEFAULT_TIMEOUT_MARGIN_MS,
    mappers: options.mappers ? [...options.mappers, ...BUILT_IN_MAPPERS] : BUILT_IN_MAPPERS,
  }
}

/** The Lambda handler of a runtime: find the mapper, then serve events or HTTP. */
export function handlerFor(runtime: Runtime): LambdaHandler {
  const { mappers } = runtime
  // Async, so that a user mapper's throwing `match` rejects like every other failure.
  return async (event, context) => {
    const invocation = forInvocation(runtime, context)
    const mapper = mappers.find((m) => m.match(event))
    if (mapper === undefined) {
      const error = unknownEvent(event)
      invocation.log.error('unknown Lambda event', { error: error.message })
      throw error
    }
    const deadline = deadlineOf(context, runtime.timeoutMarginMs)
    return mapper.kind === 'http' ? serveHttp(invocation, mapper, event, context, deadline) : serveEvents(invocation, mapper, event, context, deadline)
  }
}

/** The runtime of one invocation: its lines carry the request id, which no runtime prefix does (see `log.ts`). */
export function forInvocation(runtime: Runtime, context: LambdaContext | undefined): Runtime {
  return { ...runtime, log: new LazyChildLogger(runtime.log, { requestId: context?.awsRequestId }) }
}

/** `ctx.provider.raw` of an invocation from Lambda, or `undefined` on another provider. */
export function lambdaRaw(ctx: Pick<Context, 'provider'>): LambdaRaw | undefined {
  return ctx.provider.name === PROVIDER_NAME ? (ctx.provider.raw as LambdaRaw) : undefined
}

async function serveEvents(runtime: Runtime, mapper: EventMapper, event: unknown, context: LambdaContext, deadline: number): Promise<unknown> {
  const { service, log, failPermanent } = runtime
  // Every record would be refused, on every delivery: say why.
  if (deadline <= Date.now()) log.warn('no time left for handlers: Lambda\'s remaining time is within timeoutMarginMs', { remainingMs: context?.getRemainingTimeInMillis?.(), timeoutMarginMs: runtime.timeoutMarginMs })
  const items = mapper.toEvents(event, context)
  const work = waitUntilWork()
  const done: Outcome[] = new Array(items.length)
  // Each record's own promise, for the line of one that settles after the reply.
  const running: Promise<unknown>[] = []
  const batch = runBatch(
    items,
    (item, i) => {
      if (isFaasadeError(item.event)) throw item.event
      return (running[i] = dispatch(service, item.event, contextFor(runtime, item.event, { event, context, record: item.record }, deadline, work.add, item.attempt)))
    },
    { ordered: mapper.ordered?.(event) === true, concurrency: runtime.concurrency, stopOn: failPermanent ? 'any' : 'retry', settled: done },
  )
  await untilDeadline(batch.then(work.drain), deadline)
  // A record not settled by the deadline is still running, or was never started: redeliver it.
  let cut = false
  const outcomes = Array.from(done, (outcome) => outcome ?? ((cut = true), unfinished()))
  if (cut) running.forEach((record, i) => done[i] === undefined && logWhenSettled(log, mapper.name, items[i]?.id, record))
  const settled = failPermanent ? outcomes.map(reportDrop) : outcomes
  logFailures(log, mapper.name, outcomes, items, failPermanent)
  return mapper.reply(settled, items, event)
}

/**
 * A record that ran on after its batch replied did its work (or part of it)
 * and is redelivered all the same: one line when it settles, for whoever
 * wonders why it ran twice. After the reply, that may be when Lambda thaws
 * the instance for a later invocation.
 */
function logWhenSettled(log: Logger, trigger: string, itemId: string | undefined, record: Promise<unknown>): void {
  settle(() => record)
    .then((outcome) => log.warn('record settled after its batch replied; it was reported for redelivery', { trigger, itemId, outcome: outcome.kind, ...(outcome.kind === 'ok' ? {} : describeError(outcome.error)) }))
    .catch(() => {})
}

async function serveHttp(runtime: Runtime, mapper: HttpMapper, event: unknown, context: LambdaContext, deadline: number): Promise<unknown> {
  const request = readRequest(runtime, mapper, event)
  if (!('url' in request)) return mapper.toReply(fromCoreReply(request), event)
  const answer = await answerHttp(runtime, mapper.name, request, { event, context }, deadline)
  if ('reply' in answer) return mapper.toReply(fromCoreReply(answer.reply), event)
  let parts: HttpReplyParts
  try {
    parts = await fromResponse(answer.response)
  } catch (error) {
    parts = fromCoreReply(appFailed(runtime, mapper.name, error))
  }
  await answer.work.drainBy(deadline)
  return mapper.toReply(parts, event)
}

/** The request an HTTP event carries, or the 400 for one that cannot be read. */
export function readRequest(runtime: Runtime, mapper: HttpMapper, event: unknown): LambdaHttpRequest | HttpReply {
  try {
    return mapper.toRequest(event)
  } catch (error) {
    if (!isFaasadeError(error)) throw error
    runtime.log.warn('malformed HTTP event', { trigger: mapper.name, ...describeError(error) })
    return problemReply(error)
  }
}

/** How a request was answered: a plain reply, or the app's `Response` and the `waitUntil` work it left. */
export type HttpAnswer = { readonly reply: HttpReply } | { readonly response: Response; readonly work: WaitUntilWork }

/**
 * Answers a request: CloudEvents go to the event handlers (no web `Request`
 * is built), anything else to the HTTP app. The app's `Response` is returned
 * as it is, so that its body can be buffered or streamed.
 */
export async function answerHttp(runtime: Runtime, trigger: string, request: LambdaHttpRequest, raw: LambdaRaw, deadline: number): Promise<HttpAnswer> {
  const { service, log } = runtime
  // An app with no event handlers gets every request: one may read ce-* headers itself.
  if (cloudEventMode(request.headers) !== undefined && service.events.length > 0) {
    const work = waitUntilWork()
    const reply = await serveCloudEvents(service, request, {
      log,
      maxBodyBytes: runtime.maxBodyBytes,
      concurrency: runtime.concurrency,
      context: (ce) => contextFor(runtime, ce, raw, deadline, work.add),
    })
    await work.drainBy(deadline)
    return { reply }
  }
  if (service.http === undefined) return { reply: problemReply(notACloudEvent()) }
  // Hono's `c.executionCtx.waitUntil`: collected, and awaited before the invocation ends.
  const work = waitUntilWork()
  const executionContext = {
    waitUntil: (promise: Promise<unknown>) => work.add(promise.catch((error: unknown) => log.error('waitUntil task failed', { error }))),
    passThroughOnException: () => {},
    props: {},
  }
  try {
    return { response: await service.http.fetch(toWebRequest(request), raw, executionContext), work }
  } catch (error) {
    await work.drainBy(deadline)
    return { reply: appFailed(runtime, trigger, error) }
  }
}

/** An app that threw: logged in full, answered with a problem that says nothing of it. */
export function appFailed(runtime: Runtime, trigger: string, error: unknown): HttpReply {
  runtime.log.error('HTTP app failed', { trigger, ...describeError(toFaasadeError(error)) })
  return problemReply(error)
}

function contextFor(runtime: Runtime, event: CloudEvent, raw: LambdaRaw, deadline: number, waitUntil: (promise: Promise<unknown>) => void, attempt?: number): Context {
  const log = new LazyChildLogger(runtime.log, { eventId: event.id, eventType: event.type })
  return createContext({ provider: { name: PROVIDER_NAME, raw }, deadline, attempt, waitUntil, log })
}

/** With `failPermanent`, a dropped record is reported like one to redeliver, so it reaches the DLQ. */
function reportDrop(outcome: Outcome): Outcome {
  return outcome.kind === 'drop' ? { kind: 'retry', error: outcome.error, retryAfterMs: undefined } : outcome
}

// One line a failed record (what happens to it next is in the fields), and
// one for the records an ordered batch did not run.
function logFailures(log: Logger, trigger: string, outcomes: readonly Outcome[], items: readonly NativeItem[], failPermanent: boolean): void {
  let skipped = 0
  outcomes.forEach((outcome, i) => {
    if (outcome.kind === 'ok') return
    if (outcome.error instanceof SkippedError) {
      skipped++
      return
    }
    const item = items[i]
    const event = item && !isFaasadeError(item.event) ? item.event : undefined
    const fields = { trigger, itemId: item?.id, eventId: event?.id, eventType: event?.type, outcome: outcome.kind, ...describeError(outcome.error) }
    if (outcome.kind === 'retry') log.error('record failed, will be retried', fields)
    else if (failPermanent) log.error('record failed permanently, reported failed for the dead-letter queue', fields)
    else log.warn('record dropped, will not be retried', fields)
  })
  if (skipped > 0) log.warn('ordered batch stopped at a failure: later records not run, reported for retry', { trigger, skipped })
}

/** The error for an event no mapper matches: it names the top-level keys, never a value. */
export function unknownEvent(event: unknown): PermanentError {
  const what = describeShape(event)
  return new PermanentError(`No mapper matches this Lambda event: ${what}`, { detail: `Unknown event shape: ${what}` })
}

function describeShape(event: unknown): string {
  if (event === null) return 'null'
  if (Array.isArray(event)) return `an array of ${event.length} items`
  if (typeof event !== 'object') return `a ${typeof event}`
  const keys = Object.keys(event)
  if (keys.length === 0) return 'an empty object'
  const shown = keys.slice(0, 20).map((key) => JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key))
  return `an object with keys ${shown.join(', ')}${keys.length > 20 ? ` and ${keys.length - 20} more` : ''}`
}
