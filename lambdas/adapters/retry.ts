/**
 * Bounded retries with full-jitter exponential backoff, on top of the SDK's own retry strategy:
 * the SDK retries each request a few times; these loops retry what it returns as partial failures
 * (UnprocessedKeys, FailedFindings, failed batch entries) and what still fails transiently.
 */

/** Waits `ms`; injected so tests run without real delays. */
export type Sleep = (ms: number) => Promise<void>;
/** The real wait. */
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Full-jitter exponential backoff: a random wait in [0, min(cap, base·2^attempt)). */
export const jitteredDelayMs = (attempt: number, baseMs = 50, capMs = 2_000): number =>
  Math.floor(Math.random() * Math.min(capMs, baseMs * 2 ** attempt));

const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'ProvisionedThroughputExceededException',
  'RequestThrottled',
  'RequestThrottledException',
  'KMSThrottlingException',
]);
const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'TimeoutError',
  'RequestTimeout',
]);

/** Whether an SDK error is worth retrying: throttling, a 5xx, or a network failure. */
export function isTransient(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as {
    name?: string;
    code?: string;
    $retryable?: unknown;
    $fault?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const status = e.$metadata?.httpStatusCode;
  return (
    e.$retryable !== undefined ||
    e.$fault === 'server' ||
    (status !== undefined && (status >= 500 || status === 429)) ||
    THROTTLING.has(e.name ?? '') ||
    NETWORK.has(e.code ?? '') ||
    NETWORK.has(e.name ?? '')
  );
}

/** A short description of an error for a failure reason (name and message, no stack). */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    return `${error.name}${status !== undefined ? ` (HTTP ${status})` : ''}: ${error.message}`.slice(0, 500);
  }
  return String(error).slice(0, 500);
}

/**
 * Call `call` until it succeeds, retrying transient failures (see {@link isTransient}) with jittered
 * backoff up to `maxAttempts`; anything else, or the last failure, is thrown as `fail(message, cause)`
 * with `what` and the error's description in the message.
 */
export async function retryTransient<T>(
  what: string,
  call: () => Promise<T>,
  o: {
    readonly maxAttempts: number;
    readonly sleep: Sleep;
    readonly fail: (message: string, cause: unknown) => Error;
  },
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!isTransient(error) || attempt >= o.maxAttempts)
        throw o.fail(`${what}: ${describeError(error)}`, error);
      await o.sleep(jitteredDelayMs(attempt, 200, 10_000));
    }
  }
}
