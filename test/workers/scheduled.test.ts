/**
 * `scheduled()` in workerd: a cron trigger is one CloudEvent; ok returns,
 * a retryable failure throws (the runtime retries), a permanent one calls
 * `controller.noRetry()` and throws. workerd reports the outcome and whether
 * `noRetry()` was called.
 */
import type { Miniflare } from 'miniflare'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { buildPackage, type BuiltPackage } from './support/package.js'
import { startWorkerd, testWorker, workerScript, type TestWorker } from './support/workerd.js'

let pkg: BuiltPackage
let mf: Miniflare
let logs: Array<Record<string, unknown>>
let worker: TestWorker
let routed: TestWorker

const scheduledTime = new Date('2026-11-24T08:00:00.000Z')

async function seen(): Promise<Array<Record<string, any>>> {
  return (await (await mf.dispatchFetch('http://cron/seen')).json()) as Array<Record<string, any>>
}

beforeAll(async () => {
  pkg = await buildPackage()
  const script = await workerScript(
    pkg,
    `import { toWorker } from 'faasade/cloudflare-workers'
     import { service } from './test/workers/fixtures/jobs.ts'
     export default toWorker(service)`,
  )
  // The scheduled.type option routes one cron expression to another type (no handler for it here).
  const routedScript = await workerScript(
    pkg,
    `import { toWorker } from 'faasade/cloudflare-workers'
     import { service } from './test/workers/fixtures/jobs.ts'
     export default toWorker(service, { scheduled: { type: (c) => (c.cron === '30 2 * * 1' ? 'com.example.weekly' : 'com.cloudflare.scheduled') } })`,
  )
  ;({ mf, logs } = await startWorkerd([
    { name: 'cron', script, bindings: { GREETING: 'hi' } },
    { name: 'cron-routed', script: routedScript, bindings: { GREETING: 'hi' } },
  ]))
  worker = await testWorker(mf, 'cron')
  routed = await testWorker(mf, 'cron-routed')
})

afterAll(async () => {
  await mf?.dispose()
  await pkg?.remove()
})

beforeEach(async () => {
  await mf.dispatchFetch('http://cron/seen', { method: 'DELETE' })
})

describe('a cron trigger', () => {
  it('becomes one CloudEvent: id from cron + scheduledTime, type com.cloudflare.scheduled', async () => {
    const result = await worker.scheduled({ cron: '0 * * * *', scheduledTime })
    expect(result).toEqual({ outcome: 'ok', noRetry: false })
    expect(await seen()).toEqual([
      {
        kind: 'cron',
        attributes: {
          specversion: '1.0',
          id: '0 * * * *@2026-11-24T08:00:00.000Z',
          source: '//scheduled.cloudflare.com',
          type: 'com.cloudflare.scheduled',
          subject: '0 * * * *',
          time: '2026-11-24T08:00:00.000Z',
          datacontenttype: 'application/json',
        },
        data: { cron: '0 * * * *', scheduledTime: '2026-11-24T08:00:00.000Z' },
        attempt: null,
        provider: 'cloudflare-workers',
      },
    ])
  })

  it('a retryable failure throws, so that the runtime retries, and noRetry() is not called', async () => {
    const result = await worker.scheduled({ cron: '*/5 * * * *', scheduledTime })
    expect(result).toEqual({ outcome: 'exception', noRetry: false })
    await vi.waitFor(() =>
      expect(logs).toContainEqual(expect.objectContaining({ level: 'error', msg: 'event failed, will be retried', trigger: 'scheduled', deliveryId: '*/5 * * * *', outcome: 'retry', errorName: 'RetryableError' })),
    )
  })

  it('a permanent failure calls controller.noRetry() and still fails the invocation', async () => {
    const result = await worker.scheduled({ cron: '0 0 * * *', scheduledTime })
    expect(result).toEqual({ outcome: 'exception', noRetry: true })
    await vi.waitFor(() =>
      expect(logs).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'event dropped, will not be retried', trigger: 'scheduled', deliveryId: '0 0 * * *', outcome: 'drop', errorName: 'PermanentError' })),
    )
  })

  it('a cron with no handler for its type is a fault of the deployment: it fails and may be retried', async () => {
    expect(await routed.scheduled({ cron: '30 2 * * 1', scheduledTime })).toEqual({ outcome: 'exception', noRetry: false })
    expect(await routed.scheduled({ cron: '0 * * * *', scheduledTime })).toEqual({ outcome: 'ok', noRetry: false })
  })

  it('a trigger fired by hand (no cron expression) has no subject', async () => {
    await worker.scheduled({ scheduledTime })
    const [run] = await seen()
    expect(run!.attributes.subject).toBeUndefined()
    expect(run!.attributes.id).toBe('@2026-11-24T08:00:00.000Z')
  })
})
