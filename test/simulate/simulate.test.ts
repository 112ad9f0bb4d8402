import { createHash } from 'node:crypto';
import { IDENTITY_ACCESS_LOG_FIELDS } from '../../lambdas/core/sources/access-log-format';
import {
  SIMULATED_RULE_IDS,
  simulate,
  type CloudTrailRecord,
  type SimulationResult,
} from '../../simulate/index';
import { allFacts, at, atString, cloudTrailFacts } from './traffic-facts';

const digest = (result: SimulationResult): string => {
  const hash = createHash('sha256');
  for (const record of result.cloudtrail) hash.update(`${JSON.stringify(record)}\n`);
  for (const line of result.apiGateway) hash.update(`${JSON.stringify(line)}\n`);
  for (const label of result.labels) hash.update(`${JSON.stringify(label)}\n`);
  hash.update(JSON.stringify(result.contracts));
  hash.update(JSON.stringify(result.meta));
  return hash.digest('hex');
};

/** The first event whose serialised bytes differ between two runs (a deep toEqual of 10⁵ objects is slow). */
const firstDifference = (actual: readonly object[], expected: readonly object[]): string | undefined => {
  if (actual.length !== expected.length) return `${actual.length} events instead of ${expected.length}`;
  for (let index = 0; index < actual.length; index += 1) {
    const got = JSON.stringify(actual[index]);
    const want = JSON.stringify(expected[index]);
    if (got !== want) return `event ${index}: ${got} instead of ${want}`;
  }
  return undefined;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ACCESS_KEY = /^(AKIA|ASIA)[A-Z2-7]{16}$/;
const CLOUDTRAIL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const API_KEYS = new Set<string>(IDENTITY_ACCESS_LOG_FIELDS);

/** Rules whose technique exists on both logs: the simulator injects them on both. */
const BOTH_SOURCES = [
  'credential-replay',
  'auth-failure-burst',
  'credential-stuffing',
  'success-after-failures',
  'new-source',
  'new-user-agent',
  'rate-anomaly',
  'new-action',
  'access-denied-burst',
  'dormant-identity',
  'contract-violation',
];

describe('simulate: determinism', () => {
  // Determinism is structural (named random streams), so a small fleet shows it as well as a full one.
  const options = { days: 8, scale: 0.2 } as const;
  let first: SimulationResult;
  beforeAll(() => {
    first = simulate({ ...options, seed: 42 });
  });

  it('gives byte-identical output for the same seed', () => {
    expect(digest(simulate({ ...options, seed: 42 }))).toBe(digest(first));
  });

  it('gives different traffic for a different seed', () => {
    const second = simulate({ ...options, seed: 43 });
    expect(digest(first)).not.toBe(digest(second));
    expect(first.cloudtrail[0]?.eventID).not.toBe(second.cloudtrail[0]?.eventID);
  });

  it('injects attacks without changing a single benign event', () => {
    const attacked = simulate({ ...options, seed: 5 });
    const clean = simulate({ ...options, seed: 5, attacks: false });
    const labelled = new Set(attacked.labels.map((label) => label.eventId));
    expect(clean.labels).toHaveLength(0);
    expect(
      firstDifference(
        attacked.cloudtrail.filter((record) => !labelled.has(record.eventID)),
        clean.cloudtrail,
      ),
    ).toBeUndefined();
    expect(
      firstDifference(
        attacked.apiGateway.filter((line) => !labelled.has(line.requestId)),
        clean.apiGateway,
      ),
    ).toBeUndefined();
  });
});

describe('simulate: options', () => {
  it('rejects a run with no day left for attacks after learning', () => {
    expect(() => simulate({ days: 7, learningDays: 7 })).toThrow(RangeError);
    expect(() => simulate({ days: 0 })).toThrow(RangeError);
    expect(() => simulate({ scale: -1 })).toThrow(RangeError);
    expect(() => simulate({ start: 'not a date' })).toThrow(RangeError);
  });

  it('runs short windows with a shorter learning period and still covers every rule', () => {
    const result = simulate({ days: 3, scale: 0.2, seed: 9 });
    expect(result.meta.learningDays).toBe(1);
    expect(new Set(result.labels.map((label) => label.rule))).toEqual(new Set(SIMULATED_RULE_IDS));
    const dayMs = 86_400_000;
    expect(result.meta.endMs - result.meta.startMs).toBe(3 * dayMs);
  });

  it('scales benign volume with the scale option', () => {
    const small = simulate({ days: 5, scale: 0.25, attacks: false });
    const large = simulate({ days: 5, scale: 0.5, attacks: false });
    const total = (result: SimulationResult): number => result.cloudtrail.length + result.apiGateway.length;
    expect(total(large) / total(small)).toBeGreaterThan(1.6);
    expect(total(large) / total(small)).toBeLessThan(2.4);
  });
});

/**
 * The full default run (what `npm start` and the demo replay) and a smaller run of another seed:
 * every property but the default volume holds for any size. Seeds 1–5 at full size are replayed and
 * scored by `npm run bench:detect`.
 */
describe.each([
  { name: 'default run, seed 1', options: { seed: 1 }, isDefault: true },
  { name: 'seed 2, 10 days at scale 0.3', options: { seed: 2, days: 10, scale: 0.3 }, isDefault: false },
])('simulate: $name', ({ options, isDefault }) => {
  let result: SimulationResult;
  beforeAll(() => {
    result = simulate(options);
  });
  afterAll(() => {
    result = undefined as unknown as SimulationResult;
  });

  it('labels at least two episodes of every rule, on both logs where the technique exists there', () => {
    for (const rule of SIMULATED_RULE_IDS) {
      const episodes = new Set(
        result.labels.filter((label) => label.rule === rule).map((label) => label.attackId),
      );
      expect({ rule, episodes: episodes.size >= 2 }).toEqual({ rule, episodes: true });
      const sources = new Set(
        result.labels.filter((label) => label.rule === rule && label.signal).map((label) => label.source),
      );
      const expected = BOTH_SOURCES.includes(rule) ? ['api-gateway', 'cloudtrail'] : ['cloudtrail'];
      expect({ rule, sources: [...sources].sort() }).toEqual({ rule, sources: expected });
    }
  });

  it('gives every episode at least one signal event and one technique with an ATT&CK id', () => {
    const byEpisode = new Map<string, { signal: boolean; techniques: Set<string> }>();
    for (const label of result.labels) {
      const entry = byEpisode.get(label.attackId) ?? { signal: false, techniques: new Set<string>() };
      entry.signal ||= label.signal;
      entry.techniques.add(label.technique);
      byEpisode.set(label.attackId, entry);
    }
    expect(byEpisode.size).toBeGreaterThanOrEqual(SIMULATED_RULE_IDS.length + 10);
    for (const [attackId, entry] of byEpisode) {
      expect({ attackId, signal: entry.signal }).toEqual({ attackId, signal: true });
      for (const technique of entry.techniques) expect(technique).toMatch(/\(.*T\d{4}(\.\d{3})?.*\)$/);
    }
  });

  it('labels only events that exist, once each, with unique event ids', () => {
    const trailIds = new Set(result.cloudtrail.map((record) => record.eventID));
    const apiIds = new Set(result.apiGateway.map((line) => line.requestId));
    expect(trailIds.size).toBe(result.cloudtrail.length);
    expect(apiIds.size).toBe(result.apiGateway.length);
    const labelled = new Set<string>();
    const problems: string[] = [];
    for (const label of result.labels) {
      if (!(label.source === 'cloudtrail' ? trailIds : apiIds).has(label.eventId))
        problems.push(`missing ${label.eventId}`);
      if (labelled.has(label.eventId)) problems.push(`labelled twice ${label.eventId}`);
      labelled.add(label.eventId);
    }
    expect(problems.slice(0, 10)).toEqual([]);
  });

  it('names identities consistently: benign events belong to listed identities, labels hint the event’s own identity', () => {
    const listed = new Set(result.meta.identities.map((identity) => identity.key));
    const facts = allFacts(result);
    const unlisted = new Set(
      facts
        .filter((entry) => !entry.malicious && !listed.has(entry.facts.identity))
        .map((entry) => entry.facts.identity),
    );
    expect([...unlisted]).toEqual([]);
    const identityOf = new Map(facts.map((entry) => [entry.facts.eventId, entry.facts.identity]));
    const mismatched = result.labels
      .filter(
        (label) => label.identityKey !== undefined && label.identityKey !== identityOf.get(label.eventId),
      )
      .map(
        (label) =>
          `${label.attackId}: ${String(label.identityKey)} vs ${String(identityOf.get(label.eventId))}`,
      );
    expect(mismatched.slice(0, 5)).toEqual([]);
  });

  it('places every attack after the learning period and only dormant-identity history before the start', () => {
    const times = new Map<string, number>();
    for (const record of result.cloudtrail) times.set(record.eventID, Date.parse(record.eventTime));
    for (const line of result.apiGateway) times.set(line.requestId, Number(line.requestTimeEpoch));
    const outside = result.labels.filter((label) => {
      const time = times.get(label.eventId) ?? 0;
      return time < result.meta.attackWindowStartMs || time >= result.meta.endMs;
    });
    expect(outside.slice(0, 5)).toEqual([]);
    const before = new Set<string>();
    for (const record of result.cloudtrail)
      if (Date.parse(record.eventTime) < result.meta.startMs) before.add(cloudTrailFacts(record).identity);
    for (const line of result.apiGateway)
      if (Number(line.requestTimeEpoch) < result.meta.startMs) before.add(`api-key:${line.apiKeyId ?? ''}`);
    const dormantRules = result.labels
      .filter((label) => label.rule === 'dormant-identity')
      .map((label) => label.identityKey);
    expect(before.size).toBe(2);
    for (const key of before) {
      const normalised = key.startsWith('api-key:')
        ? dormantRules.find((hint) => hint?.endsWith(`:api-key:${key.slice(8)}`))
        : key;
      expect(dormantRules).toContain(normalised);
    }
    const silenceMs = 30 * 86_400_000;
    for (const episode of result.meta.episodes.filter((entry) => entry.rules.includes('dormant-identity'))) {
      expect(episode.firstMs - result.meta.startMs).toBeGreaterThan(0);
      expect(episode.firstMs - (result.meta.startMs - 39 * 86_400_000)).toBeGreaterThan(silenceMs);
    }
  });

  it('writes CloudTrail records with the fields and formats AWS uses', () => {
    const types = new Set<string>();
    const problems: string[] = [];
    const check = (ok: boolean, what: string, record: CloudTrailRecord): void => {
      if (!ok && problems.length < 10) problems.push(`${what}: ${JSON.stringify(record).slice(0, 300)}`);
    };
    for (const record of result.cloudtrail) {
      check(record.eventVersion === '1.08' || record.eventVersion === '1.09', 'eventVersion', record);
      check(CLOUDTRAIL_TIME.test(record.eventTime), 'eventTime', record);
      check(UUID.test(record.eventID), 'eventID', record);
      check(record.eventType === 'AwsApiCall', 'eventType', record);
      check(/^\d{12}$/.test(record.recipientAccountId), 'recipientAccountId', record);
      check(/^[a-z0-9-]+\.amazonaws\.com$/.test(record.eventSource), 'eventSource', record);
      check(/^[A-Z][A-Za-z0-9]+$/.test(record.eventName), 'eventName', record);
      check(/^[a-z]{2}-[a-z]+-\d$/.test(record.awsRegion), 'awsRegion', record);
      check(
        IPV4.test(record.sourceIPAddress) || record.sourceIPAddress.endsWith('.amazonaws.com'),
        'sourceIPAddress',
        record,
      );
      check(record.userAgent.length > 0, 'userAgent', record);
      check(typeof record.readOnly === 'boolean', 'readOnly', record);
      check(
        (record.errorCode === undefined) === (record.errorMessage === undefined),
        'errorCode/errorMessage',
        record,
      );
      const identity = record.userIdentity;
      const type = atString(identity, 'type') ?? '';
      const accessKeyId = atString(identity, 'accessKeyId');
      types.add(type);
      if (accessKeyId !== undefined) check(ACCESS_KEY.test(accessKeyId), 'accessKeyId', record);
      if (type === 'AssumedRole') {
        check(/^ASIA/.test(accessKeyId ?? ''), 'session key', record);
        check(/^AROA[A-Z2-7]{17}:/.test(atString(identity, 'principalId') ?? ''), 'principalId', record);
        check(
          /^arn:aws:sts::\d{12}:assumed-role\/[^/]+\/.+$/.test(atString(identity, 'arn') ?? ''),
          'session arn',
          record,
        );
        check(
          /^arn:aws:iam::\d{12}:role\//.test(
            atString(identity, 'sessionContext', 'sessionIssuer', 'arn') ?? '',
          ),
          'sessionIssuer',
          record,
        );
        check(
          CLOUDTRAIL_TIME.test(atString(identity, 'sessionContext', 'attributes', 'creationDate') ?? ''),
          'creationDate',
          record,
        );
      }
      if (type === 'IAMUser') check(/^AKIA/.test(accessKeyId ?? ''), 'user key', record);
    }
    expect(problems).toEqual([]);
    expect([...types].sort()).toEqual([
      'AWSService',
      'AssumedRole',
      'IAMUser',
      'SAMLUser',
      'Unknown',
      'WebIdentityUser',
    ]);
  });

  it('uses every session key only after an AssumeRole* issued it (or before the run for running instances)', () => {
    const issued = new Map<string, number>();
    const problems: string[] = [];
    let reused = 0;
    for (const record of result.cloudtrail) {
      const time = Date.parse(record.eventTime);
      const credentials = at(record.responseElements, 'credentials');
      const issuedKey = atString(credentials, 'accessKeyId');
      if (record.eventName.startsWith('AssumeRole') && issuedKey !== undefined) {
        if (
          Object.keys(credentials as object)
            .sort()
            .join() !== 'accessKeyId,expiration'
        )
          problems.push(`credentials ${JSON.stringify(credentials)}`);
        issued.set(issuedKey, time);
      }
      const identity = record.userIdentity;
      if (atString(identity, 'type') !== 'AssumedRole') continue;
      const issuedAt = issued.get(atString(identity, 'accessKeyId') ?? '');
      if (issuedAt === undefined) {
        if (
          Date.parse(atString(identity, 'sessionContext', 'attributes', 'creationDate') ?? '') >=
          result.meta.startMs
        )
          problems.push(`never issued: ${record.eventID}`);
      } else if (issuedAt > time) {
        problems.push(`used before issue: ${record.eventID}`);
      } else {
        reused += 1;
      }
    }
    expect(problems.slice(0, 10)).toEqual([]);
    expect(reused).toBeGreaterThan(result.cloudtrail.length / 2);
  });

  it('writes access-log lines with only the agreed keys, REST as strings and HTTP API with route keys', () => {
    const problems: string[] = [];
    for (const line of result.apiGateway) {
      const extra = Object.keys(line).filter((key) => !API_KEYS.has(key));
      const rest = line.resourcePath !== undefined;
      const ok =
        extra.length === 0 &&
        IPV4.test(line.sourceIp) &&
        (rest
          ? line.routeKey === undefined &&
            typeof line.status === 'string' &&
            /^\d{13}$/.test(String(line.requestTimeEpoch)) &&
            typeof line.requestTimeEpoch === 'string'
          : /^(GET|PUT|POST|DELETE) \//.test(line.routeKey ?? '') &&
            typeof line.status === 'number' &&
            typeof line.requestTimeEpoch === 'number');
      if (!ok && problems.length < 10) problems.push(JSON.stringify(line));
    }
    expect(problems).toEqual([]);
  });

  it('never contains a secret, session token or raw bearer token', () => {
    const problems: string[] = [];
    const forbidden = /secretAccessKey|sessionToken|"authorization"|eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\./i;
    for (const item of [...result.cloudtrail, ...result.apiGateway]) {
      const text = JSON.stringify(item);
      if (forbidden.test(text) && problems.length < 5) problems.push(text);
    }
    expect(problems).toEqual([]);
  });

  if (isDefault)
    it('produces roughly 100k–300k benign events over the default 14 days', () => {
      const benign = result.cloudtrail.length + result.apiGateway.length - result.labels.length;
      expect(benign).toBeGreaterThan(100_000);
      expect(benign).toBeLessThan(300_000);
    });
});
