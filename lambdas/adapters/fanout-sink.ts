/**
 * Delivers every finding to several destinations (SNS alerts, Security Hub) at once and reports,
 * per finding, which destinations still lack it and why. A destination that throws fails all its
 * findings instead of failing the batch, so nothing it held is lost.
 */
import type { Finding } from '../core/finding.js';
import type { DeliveryFailure, FindingSink } from '../core/ports.js';
import { describeError } from './retry.js';
import { destinationsOf, type Destination, type RoutedPublishResult } from './routed-failure.js';

/** One destination of the fan-out. */
export interface Route {
  readonly destination: Destination;
  readonly sink: FindingSink;
}

/** Publishes to every route; merges failures per finding. */
export class FanoutSink implements FindingSink {
  constructor(private readonly routes: readonly Route[]) {}

  async publish(fresh: readonly Finding[], repeats: readonly Finding[]): Promise<RoutedPublishResult> {
    const results = await Promise.all(
      this.routes.map(async ({ destination, sink }): Promise<readonly DeliveryFailure[]> => {
        try {
          return (await sink.publish(fresh, repeats)).failed.map((f) => ({
            ...f,
            destinations: [destination],
          }));
        } catch (error) {
          const reason = `${destination} sink threw: ${describeError(error)}`;
          return [...fresh, ...repeats].map((finding) => ({ finding, reason, destinations: [destination] }));
        }
      }),
    );
    const merged = new Map<string, { finding: Finding; reasons: string[]; destinations: Set<Destination> }>();
    for (const f of results.flat()) {
      const m = merged.get(f.finding.id) ?? {
        finding: f.finding,
        reasons: [],
        destinations: new Set<Destination>(),
      };
      m.reasons.push(f.reason);
      for (const d of destinationsOf(f)) m.destinations.add(d);
      merged.set(f.finding.id, m);
    }
    const failed = [...merged.values()].map((m) => ({
      finding: m.finding,
      reason: m.reasons.join('; '),
      destinations: [...m.destinations],
    }));
    return { delivered: fresh.length + repeats.length - failed.length, failed };
  }
}
