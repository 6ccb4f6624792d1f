/**
 * The edges of Lambda's outcome mapping that its mutants found unguarded
 * (issue 17; docs/testing.md "Mutation testing"): which records a partial
 * batch response names, and which are held back with a failed one.
 * - DynamoDB Streams orders per item, and an item is its key attributes
 *   whatever order the stream lists them in.
 * - A record without key attributes still runs, in one lane with the others
 *   that have none.
 * - A failed SQS record without a messageId is reported with an empty id
 *   (Lambda then retries the whole batch, which loses nothing).
 * - A record that cannot be read (not an object, or without the object its
 *   id, count or key is read from) fails alone, named in the log; it never
 *   takes the batch down.
 * - SNS is invoked asynchronously: a retry throws; a drop throws too under
 *   the default 'dead-letter' policy (to reach the on-failure destination)
 *   and returns under 'ack'.
 */
import { describe, expect, it } from 'vitest'
import { defineHandler, PermanentError, RetryableError } from 'faasade'
import { toLambda } from 'faasade/aws-lambda'
import { captureLog, fixture, kinesisRecord, lambdaContext, sqsRecord } from './helpers.js'

const ids = (reply: unknown) => (reply as { batchItemFailures: Array<{ itemIdentifier: string }> }).batchItemFailures.map((f) => f.itemIdentifier)

/** Delivers `event`, failing (retryably) the events whose id `failing` names; the reply and the ids run, in order. */
async function deliver(event: unknown, failing: (id: string) => boolean) {
  const ran: string[] = []
  const handler = defineHandler({
    async handle(e) {
      ran.push(e.id)
      await new Promise((resolve) => setTimeout(resolve, 1))
      if (failing(e.id)) throw new RetryableError(`${e.id} failed`)
    },
  })
  const reply = await toLambda(handler, { log: captureLog().log })(event, lambdaContext())
  return { reply, ran }
}

const dynamoBase = fixture('dynamodb--base').Records[0]
function change(seq: string, keys: Record<string, unknown> | undefined) {
  const dynamodb: Record<string, unknown> = { ...structuredClone(dynamoBase.dynamodb), SequenceNumber: seq }
  if (keys === undefined) delete dynamodb.Keys
  else dynamodb.Keys = keys
  return { ...structuredClone(dynamoBase), eventID: `e${seq}`, dynamodb }
}

describe('Lambda outcome mapping', () => {
  it('DynamoDB Streams: one item whatever the order of its key attributes; a failure holds back its later changes only', async () => {
    const event = {
      Records: [
        change('100', { pk: { S: 'order#1' }, sk: { S: 'line#1' } }),
        change('200', { pk: { S: 'order#2' }, sk: { S: 'line#1' } }),
        // The first item again, its attributes listed the other way round.
        change('300', { sk: { S: 'line#1' }, pk: { S: 'order#1' } }),
      ],
    }
    const { reply, ran } = await deliver(event, (id) => id === 'e100')
    expect(ids(reply)).toEqual(['100', '300'])
    expect(ran.sort()).toEqual(['e100', 'e200'])
  })

  it('DynamoDB Streams: records without key attributes run, in one lane of their own', async () => {
    const event = { Records: [change('100', undefined), change('200', { Id: { N: '7' } }), change('300', undefined)] }
    const { reply, ran } = await deliver(event, (id) => id === 'e100')
    expect(ids(reply)).toEqual(['100', '300'])
    expect(ran.sort()).toEqual(['e100', 'e200'])
  })

  it('SQS: a failed record without a messageId is reported with an empty id; the others by theirs', async () => {
    const anonymous: Record<string, unknown> = sqsRecord('gone', '{"n":1}')
    delete anonymous.messageId
    const event = { Records: [anonymous, sqsRecord('m2', '{"n":2}'), sqsRecord('m3', '{"n":3}')] }
    const handler = defineHandler({
      handle(e) {
        if ((e.data as { n: number }).n !== 2) throw new RetryableError('again')
      },
    })
    const reply = await toLambda(handler, { log: captureLog().log })(event, lambdaContext())
    expect(reply).toEqual({ batchItemFailures: [{ itemIdentifier: '' }, { itemIdentifier: 'm3' }] })
  })

  it('SNS (asynchronous): a retry throws for Lambda to retry; a drop throws under dead-letter and returns under ack', async () => {
    const notification = fixture('sns--base')
    const cases: Array<['ok' | 'drop' | 'retry', 'ack' | 'dead-letter']> = [['ok', 'ack'], ['drop', 'ack'], ['retry', 'ack'], ['ok', 'dead-letter'], ['drop', 'dead-letter']]
    const results: string[] = []
    for (const [want, onDrop] of cases) {
      const handler = defineHandler({
        handle() {
          if (want === 'retry') throw new RetryableError('again')
          if (want === 'drop') throw new PermanentError('never')
          return 'done'
        },
      })
      results.push(
        await toLambda(handler, { log: captureLog().log, onDrop })(structuredClone(notification), lambdaContext()).then(
          (reply) => `returned ${JSON.stringify(reply ?? null)}`,
          (error: unknown) => `threw ${(error as Error).message}`,
        ),
      )
    }
    expect(results).toEqual(['returned null', 'returned null', 'threw again', 'returned null', 'threw never'])
  })

  it.each([
    { trigger: 'SQS', make: (id: string): Record<string, any> => sqsRecord(id, '{"n":1}'), inner: 'attributes', idOf: (r: Record<string, any>) => r.messageId, hollowRuns: true },
    { trigger: 'Kinesis', make: (id: string): Record<string, any> => kinesisRecord(id, '{"n":1}'), inner: 'kinesis', idOf: (r: Record<string, any>) => r.kinesis.sequenceNumber, hollowRuns: false },
    { trigger: 'DynamoDB Streams', make: (id: string): Record<string, any> => change(id, { Id: { N: id } }), inner: 'dynamodb', idOf: (r: Record<string, any>) => r.dynamodb.SequenceNumber, hollowRuns: false },
  ])('$trigger: a record that is not an object fails alone, named in the log; one without its $inner object does not take the batch down', async ({ trigger, make, inner, idOf, hollowRuns }) => {
    const good = make('7')
    const hollow = make('8')
    delete hollow[inner]
    const event = { Records: [good, null, hollow] }
    const ran: string[] = []
    const handler = defineHandler({ handle: (e) => void ran.push(e.id) })
    const { log, lines } = captureLog()
    const reply = await toLambda(handler, { log })(event, lambdaContext())
    // The good record ran and is not reported; the null one is, with an empty id (it has none). An SQS
    // record without attributes is still a message (no delivery count); a stream record without its
    // change is unreadable, fails alone, and has no sequence number to be named by either.
    expect(ran).toHaveLength(hollowRuns ? 2 : 1)
    expect(ids(reply)).not.toContain(idOf(good))
    expect(ids(reply)).toEqual(hollowRuns ? [''] : ['', ''])
    expect(JSON.stringify(lines)).toContain(`${trigger} record 1 is not an object`)
  })
})

