import { renderAlert } from '../../lambdas/core/alert';
import { toAsff } from '../../lambdas/core/asff';
import { emptySource, type SourceState } from '../../lambdas/core/baseline';
import {
  DEFAULT_CAMPAIGN_CONFIG,
  campaignAt,
  campaignGate,
  campaignReason,
  touchCampaign,
} from '../../lambdas/core/campaign';
import { ContractSet } from '../../lambdas/core/contracts';
import { DEFAULT_ENGINE_CONFIG, evaluate } from '../../lambdas/core/engine';
import type { Finding } from '../../lambdas/core/finding';
import type { IdentityEvent } from '../../lambdas/core/identity-event';
import type { LoadedRecord } from '../../lambdas/core/ports';
import { emptyPopulation } from '../../lambdas/core/priors';
import type { DetectionRule } from '../../lambdas/core/rules/rule';
import {
  apiClient,
  at,
  ev,
  iamUser,
  insideAws,
  outsideAws,
  privateAddress,
  viaService,
} from '../../lambdas/core/rules/test-events';

/** A rule that fires HIGH on every call whose action name starts with `flag/`. */
const flagged: DetectionRule = {
  id: 'flagged-call',
  title: 'flagged call',
  severity: 'HIGH',
  asffTypes: [],
  references: [],
  falsePositives: [],
  runbook: '',
  defaults: {},
  needsLearning: false,
  detect: (e) =>
    e.action.name.startsWith('flag/')
      ? { discriminator: e.action.name, summary: `did ${e.action.name}`, evidence: [] }
      : undefined,
};

function run(
  batchId: string,
  events: IdentityEvent[],
  state: Map<string, LoadedRecord>,
  rules: DetectionRule[] = [flagged],
): Finding[] {
  const out = evaluate({
    batchId,
    events,
    state,
    rules,
    contracts: new ContractSet([]),
    config: DEFAULT_ENGINE_CONFIG,
  });
  for (const c of out.changes) state.set(c.key, { record: c.record, version: (c.expectedVersion ?? 0) + 1 });
  return out.findings;
}

const VPS = outsideAws('203.0.113.50', 64512, 'Example VPS Hosting');
const NAT = outsideAws('198.51.100.20', 64500, 'Example Corporate ISP', 'DE');
const alerts = (fs: readonly Finding[]): Finding[] => fs.filter((f) => f.alert === true);

/** Eight days of quiet traffic from three identities behind the corporate NAT: a mature account that knows its ASN. */
function matureAccount(state: Map<string, LoadedRecord>): void {
  const history: IdentityEvent[] = [];
  for (let d = 0; d < 8; d++)
    for (const user of ['erp-a', 'erp-b', 'erp-c'])
      history.push(
        ev({
          timeMs: at(d, 10),
          identity: iamUser(user),
          credential: { id: `AKIA${user.toUpperCase().replace('-', '')}EXAMPLE1`, kind: 'long-lived-key' },
          origin: NAT,
          action: { name: 's3.amazonaws.com:ListObjects' },
        }),
      );
  run('history', history, state, []);
}

describe('campaigns: one hostile source across identities is one incident', () => {
  it('stuffing a batch of certificates from one address alerts once, every identity in the same incident', () => {
    const state = new Map<string, LoadedRecord>();
    const events = Array.from({ length: 7 }, (_, i) =>
      ev({
        source: 'api-gateway',
        timeMs: at(0, 3, i),
        identity: apiClient(`cert-${i}`),
        credential: { id: `serial-${i}`, kind: 'mtls-certificate' },
        origin: VPS,
        action: { name: 'flag/POST /v1/telemetry' },
        outcome: { authn: 'failure', authz: 'unknown', status: 401 },
      }),
    );
    // Delivered one request per batch, as a slow stuffing run would arrive.
    const findings = events.flatMap((e, i) => run(`b${i}`, [e], state));
    expect(findings).toHaveLength(7);
    expect(alerts(findings)).toHaveLength(1);
    // The first identity failed alone: nothing to group yet, its own incident. From the second on,
    // the address has failed as two identities: every incident is the first one's.
    const ids = new Set(findings.map((f) => f.incident?.id));
    expect(ids.size).toBe(1);
    const last = findings.at(-1)!;
    expect(last.incident?.campaign).toEqual({
      source: '203.0.113.50',
      identities: 7,
      identityKeys: events.map((e) => e.identity.key),
      alerts: 1,
    });
    // The alert says the incident spans identities; Security Hub gets the source and the count.
    const opening = alerts(findings)[0]!;
    expect(opening.incident?.campaign).toBeUndefined();
    expect(renderAlert(last).body).toContain(
      'One source, 203.0.113.50, acted on 7 identities (api:a1b2c3d4e5:client:cert-0, api:a1b2c3d4e5:client:cert-1, api:a1b2c3d4e5:client:cert-2, api:a1b2c3d4e5:client:cert-3, api:a1b2c3d4e5:client:cert-4 and 2 more)',
    );
    const fields = toAsff(last, { region: 'eu-west-1', accountId: '111122223333' }).ProductFields;
    expect(fields).toMatchObject({
      'nhi-watch/incidentSource': '203.0.113.50',
      'nhi-watch/incidentIdentities': '7',
    });
  });

  it('lets a severity raise through once: the opening alert and one raise for the whole campaign', () => {
    const state = new Map<string, LoadedRecord>();
    const fail = (i: number, severity: 'HIGH' | 'CRITICAL') =>
      ev({
        timeMs: at(0, 3, i),
        identity: iamUser(`idle-${i}`),
        credential: { id: `AKIAIDLE${i}EXAMPLE00`, kind: 'long-lived-key' },
        origin: VPS,
        action: { name: `flag/${severity}` },
        outcome: { authn: 'failure', authz: 'unknown' },
      });
    const raising: DetectionRule = {
      ...flagged,
      detect: (e) => {
        const m = flagged.detect(e, undefined as never);
        return m && { ...m, severity: e.action.name.endsWith('CRITICAL') ? 'CRITICAL' : 'HIGH' };
      },
    };
    const fs = [
      fail(0, 'HIGH'),
      fail(1, 'HIGH'),
      fail(2, 'CRITICAL'),
      fail(3, 'CRITICAL'),
      fail(4, 'HIGH'),
    ].flatMap((e, i) => run(`b${i}`, [e], state, [raising]));
    expect(alerts(fs).map((f) => f.identityKey)).toEqual([
      'aws:123456789012:user/idle-0',
      'aws:123456789012:user/idle-2',
    ]);
  });

  it('groups identities whose findings come from an address new to a mature account, without any failure', () => {
    const state = new Map<string, LoadedRecord>();
    matureAccount(state);
    const stolen = ['erp-a', 'erp-b', 'erp-c'].map((user, i) =>
      ev({
        timeMs: at(8, 22, i * 5),
        identity: iamUser(user),
        credential: { id: `AKIA${user.toUpperCase().replace('-', '')}EXAMPLE1`, kind: 'long-lived-key' },
        origin: VPS,
        action: { name: 'flag/iam.amazonaws.com:ListUsers' },
      }),
    );
    const fs = stolen.flatMap((e, i) => run(`s${i}`, [e], state));
    expect(alerts(fs)).toHaveLength(1);
    expect(new Set(fs.map((f) => f.incident?.id)).size).toBe(1);
  });

  it('keeps benign identities behind the account’s established NAT apart: each alerts', () => {
    const state = new Map<string, LoadedRecord>();
    matureAccount(state);
    const fs = ['erp-a', 'erp-b', 'erp-c'].flatMap((user, i) =>
      run(
        `n${i}`,
        [
          ev({
            timeMs: at(8, 11, i * 5),
            identity: iamUser(user),
            credential: { id: `AKIA${user.toUpperCase().replace('-', '')}EXAMPLE1`, kind: 'long-lived-key' },
            origin: NAT,
            action: { name: 'flag/s3.amazonaws.com:DeleteObject' },
          }),
        ],
        state,
      ),
    );
    expect(alerts(fs)).toHaveLength(3);
    expect(new Set(fs.map((f) => f.incident?.id)).size).toBe(3);
    expect(fs.every((f) => f.incident?.campaign === undefined)).toBe(true);
  });

  it.each([
    ['an AWS address (shared NAT gateway / Lambda egress)', insideAws('3.80.10.20')],
    ['a private address', privateAddress('10.0.4.7')],
    ['an AWS service acting for the callers', viaService('cloudformation.amazonaws.com')],
  ])('never groups identities seen through %s, even when they fail', (_, origin) => {
    const state = new Map<string, LoadedRecord>();
    const fs = [0, 1, 2].flatMap((i) =>
      run(
        `b${i}`,
        [
          ev({
            timeMs: at(0, 3, i),
            identity: { key: `aws:123456789012:role/fn-${i}`, name: `fn-${i}` },
            origin,
            action: { name: 'flag/sts.amazonaws.com:GetCallerIdentity' },
            outcome: { authn: 'failure', authz: 'unknown' },
          }),
        ],
        state,
      ),
    );
    expect(alerts(fs)).toHaveLength(3);
    expect(new Set(fs.map((f) => f.incident?.id)).size).toBe(3);
  });

  it('a redelivered batch raises nothing again, and a retry from the state before it decides the same alerts', () => {
    const state = new Map<string, LoadedRecord>();
    const mk = (i: number) =>
      ev({
        timeMs: at(0, 3, i),
        identity: iamUser(`idle-${i}`),
        credential: { id: `AKIAIDLE${i}EXAMPLE00`, kind: 'long-lived-key' },
        origin: VPS,
        action: { name: 'flag/sts:GetCallerIdentity' },
        outcome: { authn: 'failure', authz: 'unknown' },
      });
    run('b0', [mk(0), mk(1)], state);
    const before = new Map(state);
    const first = run('b1', [mk(2), mk(3)], state);
    expect(run('b1', [mk(2), mk(3)], state)).toEqual([]);
    const retry = run('b1', [mk(2), mk(3)], before);
    expect(retry.map((f) => [f.id, f.alert, f.incident?.id])).toEqual(
      first.map((f) => [f.id, f.alert, f.incident?.id]),
    );
  });
});

describe('campaign state', () => {
  const failing = (key: string, t: number): SourceState => {
    const s = emptySource('203.0.113.50', t);
    s.failures.push({ t, k: key });
    return s;
  };
  const event = (timeMs: number, origin = VPS) =>
    ev({ timeMs, identity: iamUser('second'), origin, outcome: { authn: 'failure', authz: 'unknown' } });

  it('calls a source hostile once it failed as two identities within the gap, counting the event itself', () => {
    const cfg = DEFAULT_CAMPAIGN_CONFIG;
    expect(campaignReason(event(at(0, 3, 1)), failing('first', at(0, 3)), undefined, 6 * 3600, cfg)).toBe(
      'failing-as-many',
    );
    expect(campaignReason(event(at(0, 10)), failing('first', at(0, 3)), undefined, 6 * 3600, cfg)).toBe(
      undefined,
    );
    expect(
      campaignReason(
        event(at(0, 3, 1), insideAws('3.80.10.20')),
        failing('first', at(0, 3)),
        undefined,
        6 * 3600,
        cfg,
      ),
    ).toBe(undefined);
  });

  it('calls a source new only in an account with history, and only while its network is under a day old there', () => {
    const cfg = DEFAULT_CAMPAIGN_CONFIG;
    const src = emptySource('203.0.113.50', at(8));
    const young = emptyPopulation('pop#acct#123456789012', 'account', '123456789012', at(5));
    young.identities = 10;
    const call = ev({ timeMs: at(8), identity: iamUser('x'), origin: VPS });
    expect(campaignReason(call, src, young, 6 * 3600, cfg)).toBe(undefined);
    const mature = { ...young, firstSeenMs: at(0) };
    expect(campaignReason(call, src, mature, 6 * 3600, cfg)).toBe('new-to-account');
    mature.asns = Object.assign(Object.create(null) as typeof mature.asns, {
      '64512': { n: 40, f: at(1), l: at(7) },
    });
    expect(campaignReason(call, src, mature, 6 * 3600, cfg)).toBe(undefined);
  });

  it('bounds what it remembers and counts alerts even when it does not group', () => {
    const c = campaignAt(undefined, 'inc-1', at(0), 6 * 3600, 24 * 3600);
    for (let i = 0; i < 40; i++) touchCampaign(c, `id-${i}`, at(0, 0, i));
    expect(c.identities).toHaveLength(16);
    expect(c.identityCount).toBe(40);
    const gate = campaignGate(c, 2, false, false);
    const f = { id: 'f1', ruleId: 'r', severity: 'HIGH' as const, summary: 's' };
    expect(gate.allows(f)).toBe(true);
    gate.alerted(f);
    expect(c.alerts).toBe(1);
    expect(campaignGate(c, 2, true, false).allows({ ...f, id: 'f2' })).toBe(false);
    expect(campaignGate(c, 2, true, true).allows(f)).toBe(true);
    expect(campaignAt(c, 'inc-2', at(1, 1), 6 * 3600, 24 * 3600).id).toBe('inc-2');
  });
});
