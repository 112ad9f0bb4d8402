/**
 * Placeholder on the `cdk` branch only, so the stack can bundle an entry at this path; the runtime
 * branch's handler replaces it at merge. It refuses every batch, so nothing is silently dropped: CloudWatch
 * Logs deliveries are retried, then parked in the on-failure queue.
 */
export const handler = (_event: unknown): Promise<never> =>
  Promise.reject(new Error('nhi-watch handler not built: this is the cdk branch placeholder'));
