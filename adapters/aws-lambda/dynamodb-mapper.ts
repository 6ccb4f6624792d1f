/**
 * The DynamoDB Streams mapper with its options: the built-in one reads each
 * record's `dynamodb` object as it comes (DynamoDB JSON); with `unmarshall`
 * its `Keys`, `NewImage` and `OldImage` are plain values.
 */
import { isFaasadeError, toFaasadeError } from '../../src/errors.js'
import { withData, type CloudEvent } from '../../src/event.js'
import { unmarshall, type DynamoDbItem } from './dynamodb-json.js'
import type { BatchResponse, DynamoDbStreamEvent } from './lambda-types.js'
import { dynamodb } from './mapping.js'
import type { EventMapper } from './mapper.js'

/** The options of {@link dynamodbStreamMapper}. */
export interface DynamoDbStreamOptions {
  /**
   * Give each event's `data` its `Keys`, `NewImage` and `OldImage` as plain
   * values instead of DynamoDB JSON (`{ total: 12.5 }`, not
   * `{ total: { N: '12.5' } }`; numbers and sets as `unmarshall` says). A
   * record whose images are not DynamoDB JSON is dropped as invalid.
   * @defaultValue false
   */
  unmarshall?: boolean
}

/** A DynamoDB Streams event's `data` with `unmarshall`: the record's `dynamodb` object, its item images as plain values. */
export interface DynamoDbChange {
  readonly Keys?: DynamoDbItem
  readonly NewImage?: DynamoDbItem
  readonly OldImage?: DynamoDbItem
  readonly SequenceNumber?: string
  readonly SizeBytes?: number
  readonly StreamViewType?: string
  readonly ApproximateCreationDateTime?: number
}

/**
 * The DynamoDB Streams mapper, with options. Passed in `mappers`, it takes
 * over from the built-in one (which is `dynamodbStreamMapper()`): the same
 * events, order per item and partial batch response.
 *
 * @example
 * ```ts
 * import { dynamodbStreamMapper, toLambda } from 'faasade/aws-lambda'
 * const onOrder = defineHandler({
 *   type: 'com.amazonaws.dynamodb.INSERT',
 *   handle: (event) => notify((event.data as DynamoDbChange).NewImage?.customerId),
 * })
 * export const handler = toLambda(onOrder, { mappers: [dynamodbStreamMapper({ unmarshall: true })] })
 * ```
 */
export function dynamodbStreamMapper(options: DynamoDbStreamOptions = {}): EventMapper<DynamoDbStreamEvent, BatchResponse> {
  if (options.unmarshall !== true) return dynamodb
  return {
    ...dynamodb,
    toEvents: (event, context) => dynamodb.toEvents(event, context).map((item) => (isFaasadeError(item.event) ? item : { ...item, event: unmarshalled(item.event) })),
  }
}

/** The event with its images unmarshalled, or the error that makes it a drop. */
function unmarshalled(event: CloudEvent): CloudEvent | ReturnType<typeof toFaasadeError> {
  try {
    const change = event.data as Record<string, unknown>
    const data: Record<string, unknown> = { ...change }
    for (const name of ['Keys', 'NewImage', 'OldImage'] as const) {
      if (change[name] !== undefined) data[name] = unmarshall(change[name], [name])
    }
    return withData(event, data)
  } catch (error) {
    return toFaasadeError(error)
  }
}
