/**
 * Time bounds for every SDK call, derived from the invocation's remaining time. Clients are built
 * once per cold start with fixed connection and request timeouts (`HTTP_TIMEOUTS`); on top of
 * that, each call made while an invocation runs carries a request timeout and an abort signal that
 * end `marginMs` before the invocation's deadline, and no call starts inside that margin. So a
 * hanging endpoint costs a bounded, known time, and the handler always has time left to give its
 * claims back and fail cleanly instead of being killed mid-step.
 */

/** Connection and per-attempt request timeouts of every client (the SDK's NodeHttpHandler options). */
export const HTTP_TIMEOUTS = { connectionTimeout: 1_000, requestTimeout: 10_000 } as const;

/** Thrown instead of starting an SDK call inside the margin before the deadline. */
export class InvocationDeadlineError extends Error {
  constructor(readonly remainingMs: number) {
    super(`no time left for an AWS call: ${remainingMs} ms before the invocation's deadline`);
    this.name = 'InvocationDeadlineError';
  }
}

/** The running invocation's deadline, shared by the clients of one cold start. */
export class InvocationDeadline {
  private remaining: (() => number) | undefined;

  constructor(
    /** No call runs into the last `marginMs` of an invocation. @default 1000 */
    readonly marginMs = 1_000,
    /** Longest request attempt. @default HTTP_TIMEOUTS.requestTimeout */
    readonly maxRequestMs: number = HTTP_TIMEOUTS.requestTimeout,
  ) {}

  /** An invocation starts: `remainingMs` is Lambda's `context.getRemainingTimeInMillis`. */
  begin(remainingMs: () => number): void {
    this.remaining = remainingMs;
  }

  /** Milliseconds left in the invocation (infinite outside one). */
  remainingMs(): number {
    return this.remaining?.() ?? Number.POSITIVE_INFINITY;
  }

  /** Options of one SDK `send`: a request timeout and an abort signal ending `marginMs` before the deadline. */
  sendOptions(): { requestTimeout: number; abortSignal?: AbortSignal } {
    const budget = this.remainingMs() - this.marginMs;
    if (budget === Number.POSITIVE_INFINITY) return { requestTimeout: this.maxRequestMs };
    if (budget <= 0) throw new InvocationDeadlineError(Math.round(this.remainingMs()));
    return {
      requestTimeout: Math.max(1, Math.min(this.maxRequestMs, Math.floor(budget))),
      abortSignal: AbortSignal.timeout(Math.max(1, Math.floor(budget))),
    };
  }
}

/** Any SDK v3 client. */
interface SendingClient {
  send(command: never, options?: unknown): Promise<unknown>;
}

/** Make every `send` of `client` carry the deadline's options (per-call options still win). */
export function boundByDeadline<C extends SendingClient>(client: C, deadline: InvocationDeadline): C {
  const send = client.send.bind(client) as (command: unknown, options?: object) => Promise<unknown>;
  (client as { send: unknown }).send = (command: unknown, options?: object): Promise<unknown> => {
    let bounded: object;
    try {
      bounded = deadline.sendOptions();
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return send(command, { ...bounded, ...options });
  };
  return client;
}
