import { CloudEvent as SdkCloudEvent } from 'cloudevents'
import { describe, expect, it } from 'vitest'
import { createEvent } from 'faasade'
import { fromSdkEvent, toSdkEvent } from 'faasade/cloudevents'

describe('faasade/cloudevents', () => {
  it('turns our event into an SDK CloudEvent and back', () => {
    const ours = createEvent({ id: '1', source: '/s', type: 't', subject: 'x', time: '2026-11-24T08:00:00.000Z', tenant: 'acme', data: { n: 1 } })
    const sdk = toSdkEvent(ours)
    expect(sdk).toBeInstanceOf(SdkCloudEvent)
    expect(sdk.validate()).toBe(true)
    expect(sdk.tenant).toBe('acme')
    const back = fromSdkEvent(sdk)
    expect(back).toEqual(ours)
    expect(Object.isFrozen(back)).toBe(true)
  })
})
