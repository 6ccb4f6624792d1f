/**
 * `makeIdempotent`: the guard of `idempotent()` around any async function,
 * for work that is not an event handler: a Hono route keyed on a field of
 * its body, a step inside a handler, a function called from a script. The
 * same stores, records, errors and replay as the middleware.
 */
import { ConfigurationError, ValidationError } from '../errors.js'
import { createLogger, type Logger } from '../logger.js'
import { checkOptions } from '../middleware.js'
import { canonicalJson } from './canonical-json.js'
import { createGuard } from './guard.js'
import { payloadHash } from './hash.js'
import { IdempotencyKeyMissingError } from './errors.js'
import { keyTextOf, keyValue, storeKey, type KeyPart } from './key.js'
import { holdNamespace } from './namespace.js'
import { runOnce } from './once.js'
import { COMMON_OPTIONS, guardConfig, type CommonOptions } from './options.js'

/** Options of {@link makeIdempotent}; `Args` are the wrapped function's arguments. */
export interface MakeIdempotentOptions<Args extends readonly unknown[]> extends CommonOptions {
  /**
   * The name its records are kept under, as a handler's name is. Two
   * functions given the same name share records on purpose.
   * @defaultValue the function's own `name`; an anonymous function needs one
   */
  name?: string
  /**
   * What identifies a call, from its arguments: one value or several.
   * Returning nothing (`undefined`, `null`, `''`) is an
   * `IdempotencyKeyMissingError`: the call is refused, never run without
   * idempotency.
   * @defaultValue the first argument, whole (as Powertools hashes it)
   */
  key?: (...args: Args) => KeyPart | readonly KeyPart[]
  /**
   * What is hashed to tell a repeated call from a different one under the
   * same key (an `IdempotencyKeyReusedError`). Read before the function runs.
   * @defaultValue false: no check (arguments are often not JSON, a Hono context say)
   */
  payload?: ((...args: Args) => unknown) | false
  /** Keep the result and return it to repeated calls; with `false` they get `undefined`. @defaultValue true */
  storeResult?: boolean
  /**
   * When the caller must be done, epoch ms on the real clock (a Lambda's
   * `Date.now() + context.getRemainingTimeInMillis()`, a faasade
   * `ctx.deadline`): the claim never outlives it, so a call cut off by its
   * invocation's end does not hold the key for the whole lease.
   * @defaultValue none: the claim holds for `lease`
   */
  deadline?: (...args: Args) => number | undefined
  /** Where store faults are logged. @defaultValue a JSON logger on standard output */
  log?: Logger
}

const KNOWN = [...COMMON_OPTIONS, 'name', 'key', 'payload', 'storeResult', 'deadline', 'log']

/**
 * Wraps an async function so that its effect happens once per key: the
 * first call runs it and stores its result; a repeated call gets that result
 * (its JSON round trip) without running it; one that arrives while the first
 * still runs gets a retryable `IdempotencyInProgressError`; a call that
 * throws leaves no record, so the next one runs again.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono'
 * import { makeIdempotent } from 'faasade/idempotency'
 * import { dynamoDbStore } from 'faasade/idempotency/dynamodb'
 *
 * const store = dynamoDbStore({ table: 'idempotency' })
 * const createGreeting = makeIdempotent(
 *   async (body: { name: string }) => ({ greeting: `hello ${body.name}`, at: Date.now() }),
 *   { name: 'greeting', store, key: (body) => body.name, ttl: '24h' },
 * )
 * const app = new Hono().post('/greetings', async (c) => c.json(await createGreeting(await c.req.json())))
 * ```
 */
export function makeIdempotent<Args extends readonly unknown[], R>(
  fn: (...args: Args) => R | Promise<R>,
  options: MakeIdempotentOptions<Args> = {},
): (...args: Args) => Promise<Awaited<R>> {
  if (typeof fn !== 'function') throw new ConfigurationError('makeIdempotent: the first argument must be the function to wrap')
  checkOptions('makeIdempotent', options, KNOWN)
  const config = guardConfig('makeIdempotent', options)
  const name = options.name ?? fn.name
  if (typeof name !== 'string' || name === '') {
    throw new ConfigurationError("makeIdempotent: an anonymous function needs a name to keep its records under: makeIdempotent(fn, { name: 'create-order', ... })")
  }
  const { key: pickKey, payload: pickPayload = false, storeResult = true, deadline: pickDeadline, log = createLogger({}, { idempotentFunction: name }) } = options
  if (pickKey !== undefined && typeof pickKey !== 'function') throw new ConfigurationError("makeIdempotent: key must be a function of the function's arguments")
  if (pickPayload !== false && typeof pickPayload !== 'function') throw new ConfigurationError("makeIdempotent: payload must be a function of the function's arguments, or false")
  if (typeof storeResult !== 'boolean') throw new ConfigurationError('makeIdempotent: storeResult must be a boolean')
  if (pickDeadline !== undefined && typeof pickDeadline !== 'function') throw new ConfigurationError("makeIdempotent: deadline must be a function of the function's arguments, returning epoch ms")
  holdNamespace(config.store, name, { name, named: true }, true)
  const guard = createGuard(config)

  return async (...args: Args): Promise<Awaited<R>> => {
    // Read before the function runs: it may change its arguments.
    const value: unknown = pickKey === undefined ? wholeFirst(args[0]) : keyValue((a: Args) => pickKey(...a), args)
    const payload = pickPayload === false ? undefined : pickPayload(...args)
    const scheme = config.store.keys
    const key = await (scheme !== undefined ? scheme.key(name, value) : storeKey(name, pickKey === undefined ? canonical('key', value) : keyTextOf(value as KeyPart)))
    const hash = pickPayload === false ? '' : await (scheme !== undefined ? scheme.payload(payload) : payloadHash(canonical('payload', payload)))
    const given = pickDeadline?.(...args)
    if (given !== undefined && (typeof given !== 'number' || Number.isNaN(given))) throw new ConfigurationError('makeIdempotent: deadline must return epoch ms, or undefined')
    // A deadline is real time; carry what is left of it over to a test's clock.
    const deadline = given === undefined || given === Infinity ? Infinity : config.now === Date.now ? given : config.now() + (given - Date.now())
    return (await runOnce({ guard, storeName: config.store.name, key, payloadHash: hash, deadline, log, storeResult }, async () => fn(...args))) as Awaited<R>
  }
}

function wholeFirst(value: unknown): unknown {
  if (value === undefined || value === null || value === '') {
    throw new IdempotencyKeyMissingError('makeIdempotent: the first argument, the default key, is empty', [{ message: 'pass a key function, or call with an argument' }])
  }
  return value
}

function canonical(what: 'key' | 'payload', value: unknown): string {
  try {
    return canonicalJson(value)
  } catch (error) {
    throw new ValidationError(`makeIdempotent: the ${what} cannot be hashed`, [{ message: (error as Error).message ?? String(error) }], { cause: error })
  }
}
