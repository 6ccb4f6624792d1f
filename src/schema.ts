/**
 * The part of the Standard Schema interface (standardschema.dev, v1) that
 * faasade needs, declared here so the core takes any validator (zod, zod/mini,
 * valibot, arktype) and imports none of them.
 */
import { ValidationError, type Issue } from './errors.js'

/** Any Standard Schema v1 validator, e.g. a zod, zod/mini or valibot schema. */
export interface StandardSchema<Input = unknown, Output = Input> {
  readonly '~standard': {
    readonly version: 1
    readonly vendor: string
    /** Checks `value`: its output, or the issues that make it invalid, possibly later (an async schema). */
    readonly validate: (value: unknown) => StandardResult<Output> | Promise<StandardResult<Output>>
    readonly types?: { readonly input: Input; readonly output: Output } | undefined
  }
}

/** What a Standard Schema's `validate` gives: the output, or the issues found. */
export type StandardResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: ReadonlyArray<Issue> }

/** The type a schema produces after validation. */
export type SchemaOutput<S> = S extends StandardSchema<unknown, infer O> ? O : unknown

/** True when `value` implements Standard Schema v1. */
export function isStandardSchema(value: unknown): value is StandardSchema {
  const std = (value as { '~standard'?: { version?: unknown; validate?: unknown } } | null)?.['~standard']
  return typeof std === 'object' && std !== null && std.version === 1 && typeof std.validate === 'function'
}

/**
 * Validates `value`, returning the schema's output or throwing a
 * {@link ValidationError} that carries the schema's issues. Synchronous
 * schemas stay synchronous: no promise is made on the hot path.
 */
export function validate<S extends StandardSchema>(schema: S, value: unknown, what = 'event data'): SchemaOutput<S> | Promise<SchemaOutput<S>> {
  const result = schema['~standard'].validate(value) as StandardResult<SchemaOutput<S>> | Promise<StandardResult<SchemaOutput<S>>>
  if (result instanceof Promise) return result.then((r) => unwrap(r, what))
  return unwrap(result, what)
}

function unwrap<O>(result: StandardResult<O>, what: string): O {
  if (result.issues) {
    // Path segments may be objects (valibot's carry the input value): keep
    // only the keys, so that issues are safe to log and to render.
    const issues = result.issues.map((i) => ({
      message: i.message,
      path: i.path?.map((p) => (typeof p === 'object' && p !== null ? p.key : p)),
    }))
    throw new ValidationError(`${what} does not match its schema`, issues, {
      detail: `${what} does not match its schema`,
    })
  }
  return result.value
}
