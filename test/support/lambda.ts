/**
 * Invoking a real handler export as Lambda would: with a context object, capturing what it writes
 * to stdout (Powertools' JSON logs and EMF metric lines) so tests can assert the metrics.
 */
import { randomUUID } from 'node:crypto';

import type { Context } from 'aws-lambda';

/** A Lambda context for `functionName`. */
export function lambdaContext(functionName = 'nhi-watch-test'): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/03/02/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** One EMF document: metric values by name, plus its dimensions. */
export interface EmfLine {
  readonly metrics: Record<string, number>;
  readonly dimensions: Record<string, string>;
}

/** What an invocation returned or threw, and what it wrote. */
export interface Invocation<R> {
  readonly result?: R;
  readonly error?: unknown;
  readonly emf: EmfLine[];
  readonly logs: Record<string, unknown>[];
}

/** Parse stdout JSON lines into EMF documents and log records. */
function parseOutput(lines: readonly string[]): { emf: EmfLine[]; logs: Record<string, unknown>[] } {
  const emf: EmfLine[] = [];
  const logs: Record<string, unknown>[] = [];
  for (const line of lines) {
    let obj: Record<string, unknown>;
    try {
      obj = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    const aws = obj._aws as
      { CloudWatchMetrics?: { Dimensions: string[][]; Metrics: { Name: string }[] }[] } | undefined;
    if (aws?.CloudWatchMetrics) {
      const metrics: Record<string, number> = {};
      const dimensions: Record<string, string> = {};
      for (const set of aws.CloudWatchMetrics) {
        for (const m of set.Metrics) metrics[m.Name] = Number(obj[m.Name]);
        for (const d of set.Dimensions.flat()) dimensions[d] = String(obj[d]);
      }
      emf.push({ metrics, dimensions });
    } else logs.push(obj);
  }
  return { emf, logs };
}

/** Run `fn` capturing stdout and stderr (JSON logs, EMF lines). Captures must not overlap. */
export async function captureStdout<R>(fn: () => Promise<R>): Promise<Invocation<R>> {
  const lines: string[] = [];
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((s) => s.write.bind(s));
  for (const stream of streams) {
    stream.write = (chunk: string | Uint8Array): boolean => {
      lines.push(
        ...String(chunk)
          .split('\n')
          .filter((l) => l !== ''),
      );
      return true;
    };
  }
  try {
    const result = await fn();
    return { result, ...parseOutput(lines) };
  } catch (error) {
    return { error, ...parseOutput(lines) };
  } finally {
    streams.forEach((s, i) => (s.write = originals[i] as typeof s.write));
  }
}

/** Call `handler(event, context)` as Lambda does, capturing stdout. */
export const invoke = <E, R>(
  handler: (event: E, context: Context) => Promise<R>,
  event: E,
): Promise<Invocation<R>> => captureStdout(() => handler(event, lambdaContext()));

/** Sum of one metric over EMF lines (optionally only those with these dimensions). */
export const metricSum = (
  emf: readonly EmfLine[],
  name: string,
  dimensions: Record<string, string> = {},
): number =>
  emf
    .filter((l) => Object.entries(dimensions).every(([k, v]) => l.dimensions[k] === v))
    .reduce((n, l) => n + (l.metrics[name] ?? 0), 0);
