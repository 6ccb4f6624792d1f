// The function the runtime test deploys: the orders example's entry as it
// ships, and a probe that reports the context the runtime gave it.
import { defineHandler } from 'faasade'
import { lambdaRaw, toLambda, toLambdaStream } from 'faasade/aws-lambda'
import { Hono } from 'hono'

export { handler } from '../../../examples/orders/lambda.js'

export const probe = toLambda(
  defineHandler({
    handle: (_event, ctx) => ({
      remainingMs: ctx.remainingMs(),
      attempt: ctx.attempt ?? null,
      provider: ctx.provider.name,
      requestId: lambdaRaw(ctx)?.context.awsRequestId,
      functionArn: lambdaRaw(ctx)?.context.invokedFunctionArn,
      traceId: process.env._X_AMZN_TRACE_ID,
    }),
  }),
)

// A Function URL in RESPONSE_STREAM mode: the body leaves in pieces, as the app writes them.
const streaming = new Hono().get('/ticks', (c) => {
  c.header('content-type', 'text/plain; charset=utf-8')
  c.header('set-cookie', 'seen=1; Path=/', { append: true })
  c.header('set-cookie', 'theme=dark', { append: true })
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      for (let i = 1; i <= 3; i++) {
        controller.enqueue(new TextEncoder().encode(`tick ${i}\n`))
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      controller.close()
    },
  })
  return c.body(body)
})

export const stream = toLambdaStream(streaming)
