// The function the runtime test deploys: the orders example's entry as it
// ships, and a probe that reports the context the runtime gave it.
import { defineHandler } from 'faasade'
import { lambdaRaw, toLambda } from 'faasade/aws-lambda'

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
