/** Small helpers for batched AWS calls: bounded concurrency and chunking by count and by bytes. */

/** Run `fn` over `items` with at most `limit` in flight; settles all before returning. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array<PromiseSettledResult<R>>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      try {
        results[i] = { status: 'fulfilled', value: await fn(items[i] as T) };
      } catch (reason) {
        results[i] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Split a list into chunks of at most `size`. */
export const chunk = <T>(xs: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
};

/** Split a list into chunks of at most `maxItems` items and `maxBytes` total (by `sizeOf`); an item larger than `maxBytes` goes alone. */
export function chunkBySize<T>(
  xs: readonly T[],
  maxItems: number,
  maxBytes: number,
  sizeOf: (x: T) => number,
): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const x of xs) {
    const size = sizeOf(x);
    if (current.length > 0 && (current.length >= maxItems || bytes + size > maxBytes)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(x);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}
