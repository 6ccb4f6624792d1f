/**
 * Ordered sources keep order per key, not per batch (the Kinesis partition
 * key, the DynamoDB item, the SQS FIFO message group): a failure holds back
 * only its own key's later records, and what is reported is what Lambda
 * needs. FIFO: the failed group's messages (Powertools' skipGroupOnError);
 * streams: the failed record and its key's later ones, of which Lambda
 * retries from the lowest sequence number.
 */
import { describe, expect, it } from 'vitest'
import { defineHandler, RetryableError } from 'faasade'
import { toLambda } from 'faasade/aws-lambda'
import { captureLog, fixture, kinesisRecord, lambdaContext, sqsRecord } from './helpers.js'

const ids = (reply: unknown) => (reply as { batchItemFailures: Array<{ itemIdentifier: string }> }).batchItemFailures.map((f) => f.itemIdentifier)

/** Runs each record's handler, failing the ones named; returns the reply and the order records ran in. */
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

describe('ordered sources, per key', () => {
  it('Kinesis: a failure in one partition key holds back its own later records, not the other key\'s', async () => {
    const record = (seq: string, key: string) => ({ ...kinesisRecord(seq, `{"n":${seq}}`), kinesis: { ...kinesisRecord(seq, `{"n":${seq}}`).kinesis, partitionKey: key } })
    const event = { Records: [record('1', 'a'), record('2', 'b'), record('3', 'a'), record('4', 'b'), record('5', 'a')] }
    const { reply, ran } = await deliver(event, (id) => id === 'shardId-000000000006:1')
    const seq = (n: number) => `${n}`
    // a: 1 failed, 3 and 5 not run; b: 2 and 4 ran. Reported: a's records (Lambda retries from the lowest, 1).
    expect(ids(reply)).toEqual([seq(1), seq(3), seq(5)])
    expect(ran).toEqual(expect.arrayContaining(['shardId-000000000006:1', 'shardId-000000000006:2', 'shardId-000000000006:4']))
    expect(ran).not.toContain('shardId-000000000006:3')
  })

  it('SQS FIFO: the failed message group\'s messages are reported; other groups\' messages run and are deleted', async () => {
    const fifo = (id: string, group: string, seq: number) => sqsRecord(id, '{}', { fifo: { group, sequence: String(seq) } })
    const event = { Records: [fifo('g1-a', 'g1', 1), fifo('g2-a', 'g2', 2), fifo('g1-b', 'g1', 3), fifo('g2-b', 'g2', 4)] }
    const { reply, ran } = await deliver(event, (id) => id === 'g1-a')
    expect(ids(reply)).toEqual(['g1-a', 'g1-b'])
    expect(ran.sort()).toEqual(['g1-a', 'g2-a', 'g2-b'])
  })

  it('DynamoDB Streams: records of one item stay in order; another item\'s changes go on', async () => {
    const base = fixture('dynamodb--base').Records[0]
    const change = (seq: string, id: string) => ({ ...structuredClone(base), eventID: `e${seq}`, dynamodb: { ...structuredClone(base.dynamodb), Keys: { Id: { N: id } }, SequenceNumber: seq } })
    const event = { Records: [change('100', '1'), change('200', '2'), change('300', '1'), change('400', '2')] }
    const { reply, ran } = await deliver(event, (id) => id === 'e200')
    expect(ids(reply)).toEqual(['200', '400'])
    expect(ran.sort()).toEqual(['e100', 'e200', 'e300'])
  })

  it('records of distinct keys run at once (a 100-record batch is not 100 handler times long)', async () => {
    let inFlight = 0
    let most = 0
    const handler = defineHandler({
      async handle() {
        most = Math.max(most, ++inFlight)
        await new Promise((resolve) => setTimeout(resolve, 5))
        inFlight--
      },
    })
    const event = { Records: Array.from({ length: 30 }, (_, i) => ({ ...kinesisRecord(String(i), '{}'), kinesis: { ...kinesisRecord(String(i), '{}').kinesis, partitionKey: `k${i}` } })) }
    await toLambda(handler, { log: captureLog().log, concurrency: 10 })(event, lambdaContext())
    expect(most).toBe(10)
  })
})
