/** Build once, on first use (so importing a handler needs no environment; a cold start builds it once). */
export function once<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => (built ??= { value: build() }).value;
}

/**
 * {@link once} for an asynchronous build: concurrent first calls share one build, and a build that
 * fails is not kept (the next call builds again, as {@link once} does when its build throws).
 */
export function onceAsync<T>(build: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () =>
    (pending ??= build().catch((error: unknown) => {
      pending = undefined;
      throw error;
    }));
}
