/**
 * Log lines as Cloud Logging reads them: `severity` and `message`, and a
 * request's trace on every line its handlers write.
 */
import { describe, expect, it } from 'vitest'
import { createLogger, defineHandler, type LogLevel } from 'faasade'
import { cloudRunLine, createCloudRunLogger, traceFields } from 'faasade/cloud-run'
import { startServer } from './support.js'

const lineOf = (level: LogLevel, message: string, fields: Record<string, unknown> = {}) => {
  let written = ''
  createLogger({ level: 'debug', sink: (line) => void (written = line), now: () => Date.parse('2026-12-01T08:00:00.000Z') })[level](message, fields)
  return written
}

describe('cloudRunLine', () => {
  it.each([
    ['debug', 'DEBUG'],
    ['info', 'INFO'],
    ['warn', 'WARNING'],
    ['error', 'ERROR'],
  ] as const)('%s is severity %s, msg is message, the rest as written', (level, severity) => {
    const line = cloudRunLine(lineOf(level, 'charging "A1"', { orderId: 'A1', n: 2 }), level)
    expect(line).toBe(`{"severity":"${severity}","time":"2026-12-01T08:00:00.000Z","message":"charging \\"A1\\"","orderId":"A1","n":2}`)
    expect(JSON.parse(line)).toEqual({ severity, time: '2026-12-01T08:00:00.000Z', message: 'charging "A1"', orderId: 'A1', n: 2 })
  })

  it('a line that does not start as the core writes it is parsed and written again', () => {
    // An index-like field name is written first by JSON.stringify.
    const line = cloudRunLine(lineOf('warn', 'odd', { 404: 'first' }), 'warn')
    expect(JSON.parse(line)).toEqual({ severity: 'WARNING', message: 'odd', time: '2026-12-01T08:00:00.000Z', 404: 'first' })
    expect(cloudRunLine('not json', 'info')).toBe('not json')
  })
})

describe('traceFields', () => {
  it('from traceparent, with its span and sampled flag', () => {
    expect(traceFields({ traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }, 'shop-prod')).toEqual({
      'logging.googleapis.com/trace': 'projects/shop-prod/traces/0af7651916cd43dd8448eb211c80319c',
      'logging.googleapis.com/spanId': 'b7ad6b7169203331',
      'logging.googleapis.com/trace_sampled': true,
    })
  })

  it('from X-Cloud-Trace-Context, its decimal span id in hexadecimal', () => {
    expect(traceFields({ 'x-cloud-trace-context': '9df407335d114d56ea27ee69ff12943f/17236816549570278484;o=1' }, 'my-project')).toEqual({
      'logging.googleapis.com/trace': 'projects/my-project/traces/9df407335d114d56ea27ee69ff12943f',
      'logging.googleapis.com/spanId': 'ef357953c7b5f454',
      'logging.googleapis.com/trace_sampled': true,
    })
    expect(traceFields({ 'x-cloud-trace-context': '9df407335d114d56ea27ee69ff12943f' }, 'p')).toEqual({ 'logging.googleapis.com/trace': 'projects/p/traces/9df407335d114d56ea27ee69ff12943f' })
  })

  it('nothing without a project id, or without a trace header that reads', () => {
    expect(traceFields({ traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }, undefined)).toEqual({})
    expect(traceFields({ traceparent: 'garbage', 'x-cloud-trace-context': 'also garbage' }, 'p')).toEqual({})
  })
})

describe('a request through the server', () => {
  it("ties the handler's lines to the request's trace when the project is known", async () => {
    const handler = defineHandler({
      type: 'com.example.order.placed',
      handle: (_event, ctx) => ctx.log.info('charging', { orderId: 'A1' }),
    })
    const { url, logs } = await startServer(handler, { projectId: 'shop-prod' })
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'ce-specversion': '1.0', 'ce-id': 'e1', 'ce-source': '/s', 'ce-type': 'com.example.order.placed', 'x-cloud-trace-context': '4bf92f3577b34da6a3ce929d0e0e4736/1;o=0' },
    })
    expect(response.status).toBe(204)
    expect(logs.find((l) => l.message === 'charging')).toMatchObject({
      severity: 'INFO',
      orderId: 'A1',
      eventId: 'e1',
      'logging.googleapis.com/trace': 'projects/shop-prod/traces/4bf92f3577b34da6a3ce929d0e0e4736',
      'logging.googleapis.com/spanId': '0000000000000001',
      'logging.googleapis.com/trace_sampled': false,
    })
  })

  it('reads the project from GOOGLE_CLOUD_PROJECT', async () => {
    process.env.GOOGLE_CLOUD_PROJECT = 'from-env'
    try {
      const handler = defineHandler({ type: 'com.example.t', handle: (_event, ctx) => ctx.log.warn('slow') })
      const { url, logs } = await startServer(handler)
      await fetch(url, { method: 'POST', headers: { 'ce-specversion': '1.0', 'ce-id': 'e2', 'ce-source': '/s', 'ce-type': 'com.example.t', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00' } })
      expect(logs.find((l) => l.message === 'slow')).toMatchObject({ severity: 'WARNING', 'logging.googleapis.com/trace': 'projects/from-env/traces/0af7651916cd43dd8448eb211c80319c' })
    } finally {
      delete process.env.GOOGLE_CLOUD_PROJECT
    }
  })

  it('the default logger writes one JSON line to standard output', () => {
    const writes: string[] = []
    const original = process.stdout.write.bind(process.stdout)
    process.stdout.write = ((chunk: string) => (writes.push(chunk), true)) as typeof process.stdout.write
    try {
      createCloudRunLogger().error('failed', { orderId: 'A1' })
    } finally {
      process.stdout.write = original
    }
    expect(writes).toHaveLength(1)
    expect(writes[0]!.endsWith('\n')).toBe(true)
    expect(JSON.parse(writes[0]!)).toMatchObject({ severity: 'ERROR', message: 'failed', orderId: 'A1' })
  })
})
