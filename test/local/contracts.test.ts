/**
 * Contracts from logs: a draft leaves out what the attacks did and what was seen too little; a
 * diff reports exactly the contract breaches the engine raises (it runs the rule itself).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulate } from '../../simulate';
import type { IdentityEvent } from '../../lambdas/core/identity-event';
import { diffEvents, draftFromEvents } from '../../lambdas/local/contracts';
import {
  loadLocalSetup,
  normaliseFiles,
  replayNormalised,
  type LocalSetup,
} from '../../lambdas/local/replay';

let dir: string;
let events: IdentityEvent[];
let setup: LocalSetup;
let sim: ReturnType<typeof simulate>;
let drafted: Awaited<ReturnType<typeof draftFromEvents>>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nhi-watch-contracts-'));
  sim = simulate({ seed: 5, days: 9, scale: 0.3 });
  const jsonl = (rows: readonly unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n');
  writeFileSync(join(dir, 'cloudtrail.jsonl'), jsonl(sim.cloudtrail));
  writeFileSync(join(dir, 'apigw.jsonl'), jsonl(sim.apiGateway));
  setup = await loadLocalSetup();
  events = (await normaliseFiles([dir], { intel: setup.intel })).events;
}, 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('contracts draft from logs', () => {
  it("never drafts an attacker's ASN or an identity seen only a few times", async () => {
    const result = await draftFromEvents(events, setup);
    drafted = result;
    expect(result.contracts.length).toBeGreaterThan(5);
    expect(result.excludedEvents).toBeGreaterThan(0);
    // ASNs an identity used only in its labelled attack events.
    const attack = new Set(sim.labels.map((l) => l.eventId));
    const benignAsns = new Map<string, Set<number>>();
    const attackAsns = new Map<string, Set<number>>();
    for (const e of events) {
      if (e.origin.asn === undefined || e.origin.isAws) continue;
      const into = attack.has(e.eventId) ? attackAsns : benignAsns;
      into.set(e.identity.key, (into.get(e.identity.key) ?? new Set()).add(e.origin.asn));
    }
    let checked = 0;
    for (const c of result.contracts) {
      const onlyAttack = [...(attackAsns.get(c.identity) ?? [])].filter(
        (a) => !(benignAsns.get(c.identity)?.has(a) ?? false),
      );
      checked += onlyAttack.length;
      for (const a of onlyAttack)
        expect({ identity: c.identity, asns: c.allowedAsns ?? [] }).not.toEqual(
          expect.objectContaining({ asns: expect.arrayContaining([a]) }),
        );
    }
    expect(checked).toBeGreaterThan(0);
    // Identities seen a handful of times (attackers' certificates, one-off users) get no contract.
    const calls = new Map<string, number>();
    for (const e of events) calls.set(e.identity.key, (calls.get(e.identity.key) ?? 0) + 1);
    for (const c of result.contracts) expect(calls.get(c.identity)).toBeGreaterThanOrEqual(50);
    expect(result.skipped.some((s) => (calls.get(s.key) ?? 0) < 5)).toBe(true);
  });

  it('drafts only from the time window asked for, with the support thresholds given', async () => {
    const start = events.reduce((m, e) => Math.min(m, e.timeMs), Number.POSITIVE_INFINITY);
    const untilMs = start + 4 * 86_400_000;
    const windowed = await draftFromEvents(events, setup, { untilMs, minIdentityDays: 2 });
    for (const c of windowed.contracts) {
      const to = /to (\S+); review/.exec(c.description ?? '')?.[1];
      expect(Date.parse(to!)).toBeLessThan(untilMs);
    }
    const strict = await draftFromEvents(events, setup, { minIdentityCalls: 1_000_000 });
    expect(strict.contracts).toEqual([]);
    const loose = drafted;
    const strictValues = await draftFromEvents(events, setup, { minValueCalls: 50 });
    const actions = (r: typeof loose) => r.contracts.reduce((n, c) => n + (c.allowedActions?.length ?? 0), 0);
    expect(actions(strictValues)).toBeLessThan(actions(loose));
  });
});

describe('contracts diff from logs', () => {
  it('reports exactly the contract breaches a replay with the contracts raises', async () => {
    const withContracts = await loadLocalSetup({ inlineContracts: sim.contracts });
    const { drift } = await diffEvents(events, withContracts);
    expect(drift.length).toBeGreaterThan(0);
    const replay = await replayNormalised(events, withContracts);
    const raised = new Map<string, Set<string>>();
    for (const f of replay.findings.filter((x) => x.ruleId === 'contract-violation'))
      raised.set(
        f.identityKey,
        new Set([...(raised.get(f.identityKey) ?? []), ...(f.items ?? [f.discriminator])]),
      );
    expect(new Map(drift.map((d) => [d.identityKey, new Set(d.breaches)]))).toEqual(raised);
    expect(drift.some((d) => d.breaches.some((b) => b.startsWith('allowedActions: ')))).toBe(true);
    // Identities whose contract holds report nothing; without contracts there is no drift at all.
    expect((await diffEvents(events, setup)).drift).toEqual([]);
  });
});
