/** A failed delivery that names the destinations it failed at, so the on-failure path can redrive exactly those. */
import type { Finding } from '../core/finding.js';
import type { DeliveryFailure } from '../core/ports.js';

/** Where findings are delivered. */
export type Destination = 'sns' | 'security-hub';

/** A DeliveryFailure with the destinations that still need the finding. */
export interface RoutedFailure extends DeliveryFailure {
  readonly destinations: readonly Destination[];
}

/** Build a routed failure. */
export const failure = (finding: Finding, reason: string, destination: Destination): RoutedFailure => ({
  finding,
  reason,
  destinations: [destination],
});

/** Destinations of a failure: those it names, else every destination (a plain DeliveryFailure). */
export const destinationsOf = (f: DeliveryFailure): readonly Destination[] =>
  'destinations' in f && Array.isArray((f as RoutedFailure).destinations)
    ? (f as RoutedFailure).destinations
    : ['sns', 'security-hub'];

/** A publish result whose failures name their destinations. */
export interface RoutedPublishResult {
  readonly delivered: number;
  readonly failed: RoutedFailure[];
}
