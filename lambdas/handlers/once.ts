/** Build once, on first use (so importing a handler needs no environment; a cold start builds it once). */
export function once<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => (built ??= { value: build() }).value;
}
