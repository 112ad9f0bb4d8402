import { platformAutomationIdentities } from '../../simulate/benign/platform-automation';
import { simulate, type SimulationResult } from '../../simulate/index';
import { allFacts, contractBreaches, contractsFor, type EventFacts } from './traffic-facts';

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
const ACCOUNT = '123456789012';

const countBy = <T>(items: readonly T[], key: (item: T) => string): Map<string, number> => {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
};

const maxValue = (counts: Map<string, number>): number => Math.max(0, ...counts.values());

/** The platform's own automation (benign/platform-automation.ts): no contracts, change as their job. */
const PLATFORM = new Set(platformAutomationIdentities().map((identity) => identity.key));

/**
 * Benign realism of the default run (seed 1, 14 days: the demo's traffic). Its consequence over
 * seeds 1–5 (false findings per 100k benign events) is measured by `npm run bench:detect`.
 */
describe('benign traffic of the default run (seed 1)', () => {
  const seed = 1;
  let result: SimulationResult;
  let benign: EventFacts[];
  let malicious: EventFacts[];
  let learning: EventFacts[];
  let afterLearning: EventFacts[];

  beforeAll(() => {
    result = simulate({ seed });
    const facts = allFacts(result);
    benign = facts.filter((entry) => !entry.malicious).map((entry) => entry.facts);
    malicious = facts.filter((entry) => entry.malicious).map((entry) => entry.facts);
    learning = benign.filter((fact) => fact.timeMs < result.meta.attackWindowStartMs);
    afterLearning = benign.filter((fact) => fact.timeMs >= result.meta.attackWindowStartMs);
  });
  afterAll(() => {
    result = undefined as unknown as SimulationResult;
    benign = malicious = learning = afterLearning = [];
  });

  it('keeps every benign event inside its identity’s integration contract', () => {
    const breaches: string[] = [];
    let checked = 0;
    for (const fact of benign) {
      for (const contract of contractsFor(result.contracts, fact.identity)) {
        checked += 1;
        const found = contractBreaches(fact, contract);
        if (found.length > 0 && breaches.length < 10)
          breaches.push(`${fact.identity} ${fact.action}: ${found.join(', ')}`);
      }
    }
    expect(breaches).toEqual([]);
    // Contracts are opt-in: the platform automation has none; nearly everything else does.
    const contracted = benign.filter((fact) => !PLATFORM.has(fact.identity));
    expect(checked).toBeGreaterThan(contracted.length * 0.9);
  });

  it('keeps every benign identity under its contract’s rate envelope', () => {
    const breaches: string[] = [];
    const byIdentity = new Map<string, EventFacts[]>();
    for (const fact of benign) {
      const list = byIdentity.get(fact.identity) ?? [];
      list.push(fact);
      byIdentity.set(fact.identity, list);
    }
    for (const [identity, facts] of byIdentity) {
      for (const contract of contractsFor(result.contracts, identity)) {
        const perMinute = maxValue(countBy(facts, (fact) => String(Math.floor(fact.timeMs / MINUTE_MS))));
        const perHour = maxValue(countBy(facts, (fact) => String(Math.floor(fact.timeMs / HOUR_MS))));
        const envelope = contract.rateEnvelope;
        if (envelope?.maxPerMinute !== undefined && perMinute > envelope.maxPerMinute)
          breaches.push(`${identity}: ${perMinute}/min`);
        if (envelope?.maxPerHour !== undefined && perHour > envelope.maxPerHour)
          breaches.push(`${identity}: ${perHour}/h`);
      }
    }
    expect(breaches).toEqual([]);
  });

  it('breaks at least one contract clause in every contract-violation signal event', () => {
    const signals = new Set(
      result.labels
        .filter((label) => label.rule === 'contract-violation' && label.signal)
        .map((label) => label.eventId),
    );
    const events = malicious.filter((fact) => signals.has(fact.eventId));
    expect(signals.size).toBeGreaterThan(20);
    expect(events.length).toBe(signals.size);
    const unbroken = events.filter((fact) =>
      contractsFor(result.contracts, fact.identity).every(
        (contract) => contractBreaches(fact, contract).length === 0,
      ),
    );
    expect(unbroken.map((fact) => `${fact.identity} ${fact.action}`)).toEqual([]);
  });

  it('shows nothing new after learning except the deliberate feature rollout, the new workload and Terraform’s changes', () => {
    const seen = new Map<
      string,
      { actions: Set<string>; asns: Set<number>; countries: Set<string>; agents: Set<string> }
    >();
    for (const fact of learning) {
      const entry = seen.get(fact.identity) ?? {
        actions: new Set(),
        asns: new Set(),
        countries: new Set(),
        agents: new Set(),
      };
      entry.actions.add(fact.action);
      if (fact.asn !== undefined) entry.asns.add(fact.asn);
      if (fact.country !== undefined) entry.countries.add(fact.country);
      entry.agents.add(fact.userAgentFamily);
      seen.set(fact.identity, entry);
    }
    const novelties = new Set<string>();
    // Terraform applies whatever the repository changed that day: a new kind of resource now and then.
    const terraform = `aws:${ACCOUNT}:role/terraform-apply`;
    for (const fact of afterLearning) {
      if (fact.identity === terraform) continue;
      const entry = seen.get(fact.identity);
      if (!entry) {
        novelties.add(`${fact.identity} is new`);
        continue;
      }
      if (!entry.actions.has(fact.action)) novelties.add(`${fact.identity} action ${fact.action}`);
      if (fact.asn !== undefined && !entry.asns.has(fact.asn))
        novelties.add(`${fact.identity} AS${fact.asn}`);
      if (fact.country !== undefined && !entry.countries.has(fact.country))
        novelties.add(`${fact.identity} country ${fact.country}`);
      if (!entry.agents.has(fact.userAgentFamily))
        novelties.add(`${fact.identity} user agent ${fact.userAgentFamily}`);
    }
    expect([...novelties].sort()).toEqual([
      `aws:${ACCOUNT}:role/invoice-renderer-role is new`,
      `aws:${ACCOUNT}:role/order-events-processor-role action sqs:SendMessage`,
    ]);
  });

  it('never uses one benign credential from two autonomous systems', () => {
    const asnsByCredential = new Map<string, Set<number>>();
    for (const fact of benign) {
      if (fact.credentialId === undefined || fact.asn === undefined) continue;
      asnsByCredential.set(
        fact.credentialId,
        (asnsByCredential.get(fact.credentialId) ?? new Set()).add(fact.asn),
      );
    }
    expect(asnsByCredential.size).toBeGreaterThan(500);
    expect(
      [...asnsByCredential].filter(([, asns]) => asns.size > 1).map(([credential]) => credential),
    ).toEqual([]);
  });

  it('has no benign authentication failures, isolated one-off denials and some legitimate throttling', () => {
    const authFailures = benign.filter(
      (fact) =>
        fact.status === 401 ||
        ['SignatureDoesNotMatch', 'InvalidClientTokenId', 'ExpiredToken'].includes(fact.errorCode ?? ''),
    );
    expect(authFailures).toEqual([]);
    const denials = benign.filter(
      (fact) =>
        fact.status === 403 ||
        ['AccessDenied', 'AccessDeniedException', 'Client.UnauthorizedOperation'].includes(
          fact.errorCode ?? '',
        ),
    );
    expect(denials.length).toBeGreaterThan(2);
    const lastDenial = new Map<string, number>();
    const clustered: string[] = [];
    for (const fact of [...denials].sort((left, right) => left.timeMs - right.timeMs)) {
      const previous = lastDenial.get(fact.identity);
      if (previous !== undefined && fact.timeMs - previous < HOUR_MS)
        clustered.push(`${fact.identity} ${fact.action}`);
      lastDenial.set(fact.identity, fact.timeMs);
    }
    expect(clustered).toEqual([]);
    const throttled = benign.filter(
      (fact) =>
        fact.status === 429 ||
        ['ThrottlingException', 'ProvisionedThroughputExceededException'].includes(fact.errorCode ?? ''),
    );
    expect(throttled.length).toBeGreaterThan(5);
  });

  it('keeps each benign identity’s busiest hour after learning within twice its learning-period peak', () => {
    const peaks = (facts: readonly EventFacts[]): Map<string, number> => {
      const perHour = countBy(facts, (fact) => `${fact.identity}|${Math.floor(fact.timeMs / HOUR_MS)}`);
      const peak = new Map<string, number>();
      for (const [key, count] of perHour) {
        const identity = key.slice(0, key.lastIndexOf('|'));
        peak.set(identity, Math.max(peak.get(identity) ?? 0, count));
      }
      return peak;
    };
    const before = peaks(learning);
    // Identities first seen after learning (a new workload) have no learning-period peak to compare with.
    const over = [...peaks(afterLearning)].filter(
      ([identity, peak]) => before.has(identity) && peak > 2 * (before.get(identity) ?? 0) + 5,
    );
    expect(over).toEqual([]);
  });

  it('follows the day: diurnal Lambda load, weekend dips, ETL only at 02:00 and deployments in working hours', () => {
    const orders = benign.filter((fact) => fact.identity === `aws:${ACCOUNT}:role/orders-api-handler-role`);
    const hourOf = (fact: EventFacts): number => new Date(fact.timeMs).getUTCHours();
    const isWeekend = (fact: EventFacts): boolean => [0, 6].includes(new Date(fact.timeMs).getUTCDay());
    const afternoon = orders.filter((fact) => hourOf(fact) >= 14 && hourOf(fact) < 17).length;
    const night = orders.filter((fact) => hourOf(fact) >= 2 && hourOf(fact) < 5).length;
    expect(afternoon).toBeGreaterThan(2 * night);
    const weekendDays = new Set(orders.filter(isWeekend).map((fact) => Math.floor(fact.timeMs / 86_400_000)))
      .size;
    const weekdayDays = new Set(
      orders.filter((fact) => !isWeekend(fact)).map((fact) => Math.floor(fact.timeMs / 86_400_000)),
    ).size;
    const weekendRate = orders.filter(isWeekend).length / weekendDays;
    const weekdayRate = orders.filter((fact) => !isWeekend(fact)).length / weekdayDays;
    expect(weekdayRate).toBeGreaterThan(1.2 * weekendRate);
    const etlHours = new Set(
      benign.filter((fact) => fact.identity === `aws:${ACCOUNT}:role/nightly-etl-task`).map(hourOf),
    );
    expect([...etlHours]).toEqual([2]);
    const deployHours = benign
      .filter((fact) => fact.identity === `aws:${ACCOUNT}:role/gha-deployer`)
      .map(hourOf);
    expect(Math.min(...deployHours)).toBeGreaterThanOrEqual(7);
    expect(Math.max(...deployHours)).toBeLessThan(18);
  });

  it('churns Lambda egress over many /24 networks inside one autonomous system', () => {
    const orders = benign.filter(
      (fact) => fact.identity === `aws:${ACCOUNT}:role/orders-api-handler-role` && fact.ip !== undefined,
    );
    const networks = new Set(orders.map((fact) => fact.ip?.replace(/\.\d+$/, '')));
    expect(networks.size).toBeGreaterThan(20);
    expect(new Set(orders.map((fact) => fact.asn))).toEqual(new Set([14618]));
  });

  it('rotates session keys and partner tokens: no benign credential outlives its lifetime', () => {
    const spans = new Map<string, { first: number; last: number; kind: string }>();
    for (const fact of benign) {
      if (fact.credentialId === undefined) continue;
      const span = spans.get(fact.credentialId) ?? {
        first: fact.timeMs,
        last: fact.timeMs,
        kind: fact.credentialKind,
      };
      span.first = Math.min(span.first, fact.timeMs);
      span.last = Math.max(span.last, fact.timeMs);
      spans.set(fact.credentialId, span);
    }
    const tooLong = [...spans].filter(([, span]) => {
      const limit =
        span.kind === 'bearer-token'
          ? HOUR_MS
          : span.kind === 'session-key' || span.kind === 'sigv4'
            ? 12 * HOUR_MS
            : Infinity;
      return span.last - span.first > limit;
    });
    expect(tooLong).toEqual([]);
    const tokens = [...spans.values()].filter((span) => span.kind === 'bearer-token');
    expect(tokens.length).toBeGreaterThan(result.meta.days * 10);
    const longLived = [...spans].filter(([, span]) => span.kind === 'long-lived-key').map(([id]) => id);
    expect(longLived).toHaveLength(3);
  });
});
