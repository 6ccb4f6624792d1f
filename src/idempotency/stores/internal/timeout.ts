/**
 * A request's time limit, held by the call that waits on it.
 *
 * Not `AbortSignal.timeout()`: its timer keeps only a weak hold on its
 * signal, so once nothing else references the signal, garbage collection
 * takes both and the timer never fires. aws4fetch rebuilds the request from
 * its init and drops the signal given to it: a call through it could then
 * hang for good. A `setTimeout` holds its callback, and through it the
 * controller, until it fires or is cleared.
 */

/** The error a timed-out request fails with (a DOMException named `TimeoutError`, as `AbortSignal.timeout()` gives). */
export function timeoutError(ms: number): Error {
  return new DOMException(`The request timed out after ${ms} ms`, 'TimeoutError')
}

/**
 * Runs `work` with a signal that aborts with {@link timeoutError} after
 * `ms`, for as long as `work` runs: reading the reply's body included, if
 * `work` reads it.
 */
export async function withTimeout<T>(ms: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(timeoutError(ms)), ms)
  try {
    return await work(controller.signal)
  } finally {
    clearTimeout(timer)
  }
}
