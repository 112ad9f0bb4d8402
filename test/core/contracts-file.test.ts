import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_LIMITS,
  emptyBaseline,
  foldIdentity,
  type IdentityBaseline,
} from '../../lambdas/core/baseline';
import { ContractSet, type Contract } from '../../lambdas/core/contracts';
import { diffContract } from '../../lambdas/core/contract-diff';
import { draftContract } from '../../lambdas/core/contract-draft';
import { contractFormatOf } from '../../lambdas/core/contracts-file';
import { DEFAULT_ENGINE_CONFIG, evaluate } from '../../lambdas/core/engine';
import type { IdentityEvent } from '../../lambdas/core/identity-event';
import { contractViolation } from '../../lambdas/core/rules/contract-violation';
import { at, burst, ev, history, withoutOrigin } from '../../lambdas/core/rules/test-events';
import { parseContracts, stringifyContracts } from '../../lambdas/core/yaml-text';

const ORIGIN = 'contracts/partner.yaml';
const yaml = (body: string) => parseContracts(body, ORIGIN, 'yaml');
const errors = (body: string, format: 'yaml' | 'json' = 'yaml'): string[] => {
  const r = parseContracts(body, ORIGIN, format);
  if (r.ok) throw new Error('expected the file to be refused');
  return r.reason.split('\n');
};
const one = (fields: string) =>
  `version: 1\ncontracts:\n  - identity: api:a1b2c3d4e5:client:partner-7\n${fields}`;

describe('parseContracts: valid files', () => {
  it('reads the shipped example, keeping each contract’s origin', () => {
    const path = join(__dirname, '../../examples/contracts.yaml');
    const r = parseContracts(readFileSync(path, 'utf8'), 'examples/contracts.yaml', 'yaml');
    if (!r.ok) throw new Error(r.reason);
    expect(r.value.map((c) => c.identity)).toEqual([
      'aws:123456789012:role/orders-worker',
      'aws:123456789012:role/etl-*',
      'aws:123456789012:role/ci-deploy',
      'api:a1b2c3d4e5:client:partner-7',
    ]);
    expect(r.value.every((c) => c.origin === 'examples/contracts.yaml')).toBe(true);
    const partner = r.value[3]!;
    expect(partner.allowedNetworks).toEqual(['203.0.113.0/24', '2001:db8:7::/48']);
    expect(partner.activeHoursUtc).toEqual({ start: 22, end: 10 });
    expect(partner.rateEnvelope).toEqual({ maxPerMinute: 120, maxPerHour: 3000 });
    expect(r.value[1]!.allowedActions).toContain('glue.amazonaws.com:*');
  });

  it('reads the same contracts from JSON', () => {
    const r = parseContracts(
      JSON.stringify({
        version: 1,
        contracts: [{ identity: 'aws:123456789012:role/x', allowedAsns: [16509], description: 'x' }],
      }),
      'contracts/x.json',
      'json',
    );
    expect(r).toEqual({
      ok: true,
      value: [
        {
          identity: 'aws:123456789012:role/x',
          description: 'x',
          allowedAsns: [16509],
          origin: 'contracts/x.json',
        },
      ],
    });
  });

  it('accepts an empty contract list', () => {
    expect(yaml('version: 1\ncontracts: []\n')).toEqual({ ok: true, value: [] });
  });

  it('tells the format from the file name', () => {
    expect(contractFormatOf('a/b.YAML')).toBe('yaml');
    expect(contractFormatOf('b.yml')).toBe('yaml');
    expect(contractFormatOf('b.json')).toBe('json');
    expect(contractFormatOf('b.toml')).toBeUndefined();
  });
});

describe('parseContracts: errors name the file, the field path and the value', () => {
  it.each([
    [
      'a number written as AS123',
      one('    allowedAsns: [16509, AS123]\n'),
      'contracts/partner.yaml: contracts[0].allowedAsns[1]: expected a number, got "AS123" (write 123, without "AS")',
    ],
    [
      'a misspelt field, with the field it probably meant',
      one('    allowedAsn: [16509]\n'),
      'contracts/partner.yaml: contracts[0].allowedAsn: unknown field (did you mean "allowedAsns"?)',
    ],
    [
      'an unknown top-level field',
      'version: 1\ncontract: []\ncontracts: []\n',
      'contracts/partner.yaml: contract: unknown field (did you mean "contracts"?)',
    ],
    [
      'an unknown nested field',
      one('    rateEnvelope: { maxPerHr: 10 }\n'),
      'contracts/partner.yaml: contracts[0].rateEnvelope.maxPerHr: unknown field (did you mean "maxPerHour"?)',
    ],
    ['a missing version', 'contracts: []\n', 'contracts/partner.yaml: version: missing (required)'],
    [
      'another version',
      'version: 2\ncontracts: []\n',
      'contracts/partner.yaml: version: unsupported version: this nhi-watch reads version 1, got 2',
    ],
    [
      'a missing identity',
      'version: 1\ncontracts:\n  - allowedAsns: [16509]\n',
      'contracts/partner.yaml: contracts[0].identity: missing (required)',
    ],
    [
      'an empty list',
      one('    allowedActions: []\n'),
      'contracts/partner.yaml: contracts[0].allowedActions: must list at least one value (omit the field to leave it unconstrained)',
    ],
    [
      'a CIDR with host bits',
      one('    allowedNetworks: [10.0.0.1/8]\n'),
      'contracts/partner.yaml: contracts[0].allowedNetworks[0]: "10.0.0.1/8" has host bits set; the network is 10.0.0.0/8',
    ],
    [
      'something that is not a CIDR',
      one("    allowedNetworks: ['203.0.113.0/24', 'office']\n"),
      'contracts/partner.yaml: contracts[0].allowedNetworks[1]: "office" is not an IPv4 or IPv6 CIDR block',
    ],
    [
      'a malformed VPC endpoint id',
      one('    allowedVpcEndpoints: [vpc-0a1b2c3d]\n'),
      'contracts/partner.yaml: contracts[0].allowedVpcEndpoints[0]: "vpc-0a1b2c3d" is not a VPC endpoint id (vpce- followed by 8-17 hex digits)',
    ],
    [
      'an hour past 24',
      one('    activeHoursUtc: { start: 8, end: 25 }\n'),
      'contracts/partner.yaml: contracts[0].activeHoursUtc.end: must be at most 24, got 25',
    ],
    [
      'a fractional hour',
      one('    activeHoursUtc: { start: 8.5, end: 18 }\n'),
      'contracts/partner.yaml: contracts[0].activeHoursUtc.start: expected a whole number, got 8.5',
    ],
    [
      'an empty hours window',
      one('    activeHoursUtc: { start: 8, end: 8 }\n'),
      'contracts/partner.yaml: contracts[0].activeHoursUtc: start and end are equal: an empty window (use start 0, end 24 for all day)',
    ],
    [
      'a rate envelope with no limit',
      one('    rateEnvelope: {}\n'),
      'contracts/partner.yaml: contracts[0].rateEnvelope: declares neither maxPerMinute nor maxPerHour',
    ],
    [
      'a zero rate',
      one('    rateEnvelope: { maxPerMinute: 0 }\n'),
      'contracts/partner.yaml: contracts[0].rateEnvelope.maxPerMinute: must be at least 1, got 0',
    ],
    [
      'an unknown credential kind',
      one('    allowedCredentialKinds: [sessionkey]\n'),
      'contracts/partner.yaml: contracts[0].allowedCredentialKinds[0]: expected one of long-lived-key, session-key, bearer-token, api-key, mtls-certificate, console-session, sigv4, none; got "sessionkey"',
    ],
    [
      'a contract that declares nothing',
      one('    description: partner 7\n'),
      'contracts/partner.yaml: contracts[0]: declares no constraint: add at least one allowed… field, activeHoursUtc or rateEnvelope',
    ],
    [
      'a list where a mapping belongs',
      one('    activeHoursUtc: [8, 18]\n'),
      'contracts/partner.yaml: contracts[0].activeHoursUtc: expected a mapping, got a list',
    ],
    [
      'a file that is a list',
      '- identity: x\n',
      'contracts/partner.yaml: expected a mapping with "version: 1" and "contracts: [...]", got a list',
    ],
  ])('%s', (_name, body, message) => {
    expect(errors(body)).toContain(message);
  });

  it('refuses two contracts for the same identity', () => {
    expect(
      errors(
        'version: 1\ncontracts:\n  - identity: aws:1:role/a\n    allowedAsns: [1]\n  - identity: aws:1:role/b\n    allowedAsns: [1]\n  - identity: aws:1:role/a\n    allowedAsns: [2]\n',
      ),
    ).toEqual([
      'contracts/partner.yaml: contracts[2].identity: "aws:1:role/a" is already declared by contracts[0]',
    ]);
  });

  it('points at the line of a YAML syntax error and of a duplicate key', () => {
    expect(errors('version: 1\ncontracts:\n  - identity: x\n    allowedAsns: [16509\n')[0]).toMatch(
      /^contracts\/partner\.yaml: line \d+, column \d+: invalid YAML: /,
    );
    expect(errors(one('    allowedAsns: [1]\n    allowedAsns: [2]\n'))).toEqual([
      'contracts/partner.yaml: line 5, column 5: invalid YAML: Map keys must be unique',
    ]);
  });

  it('reports invalid JSON', () => {
    expect(errors('{"version": 1,', 'json')[0]).toMatch(/^contracts\/partner\.yaml: invalid JSON: /);
  });

  it('reports every problem of a file, up to ten, then how many more', () => {
    const body = `version: 1\ncontracts:\n${Array.from({ length: 12 }, (_, i) => `  - identity: r${i}\n    allowedAsns: [x]\n`).join('')}`;
    const lines = errors(body);
    expect(lines).toHaveLength(11);
    expect(lines[0]).toBe('contracts/partner.yaml: contracts[0].allowedAsns[0]: expected a number, got "x"');
    expect(lines[10]).toBe('contracts/partner.yaml: … and 2 more errors');
  });
});

/** Fold events into a baseline, the way the engine does. */
const fold = (events: readonly IdentityEvent[]): IdentityBaseline => {
  const sorted = [...events].sort((a, b) => a.timeMs - b.timeMs);
  const b = emptyBaseline(sorted[0]!);
  for (const e of sorted) foldIdentity(b, e, DEFAULT_LIMITS);
  return b;
};
const violations = (events: readonly IdentityEvent[], contracts: readonly Contract[]) =>
  evaluate({
    batchId: 'b',
    events,
    state: new Map(),
    rules: [contractViolation],
    contracts: new ContractSet(contracts),
    config: DEFAULT_ENGINE_CONFIG,
  }).findings;

/** A week of a Lambda worker: SDK calls from AWS, a few from inside its VPC, two actions, 08:00-18:00 UTC. */
const workerWeek = (): IdentityEvent[] => [
  ...history(),
  ...history({ action: { name: 'dynamodb.amazonaws.com:PutItem', isReadOnly: false } }, 8, 5),
  ...history(
    { origin: { ip: '10.20.3.4', network: '10.20.3.0/24', isPrivate: true, isAws: false } },
    8,
    2,
  ).map((e) => withoutOrigin(e, 'asn', 'asOrg', 'country')),
];

describe('draftContract', () => {
  it('drafts what the identity did: Amazon’s ASNs, its private network, actions, agent, session keys, hours, hourly envelope', () => {
    const c = draftContract(fold(workerWeek()));
    expect(c).toEqual({
      identity: 'aws:123456789012:role/orders-worker',
      description: expect.stringMatching(
        /^Drafted by nhi-watch from 376 calls seen 2026-03-02T08:00:00.000Z to 2026-03-09T/,
      ),
      allowedAsns: [8987, 14618, 16509],
      allowedNetworks: ['10.20.3.0/24'],
      allowedActions: ['dynamodb.amazonaws.com:GetItem', 'dynamodb.amazonaws.com:PutItem'],
      userAgentPatterns: ['aws-sdk-js'],
      rateEnvelope: { maxPerHour: 12 },
      activeHoursUtc: { start: 8, end: 18 },
      allowedCredentialKinds: ['session-key'],
    });
  });

  it('produces a contract its own history does not breach, that survives a write / read round trip', () => {
    const events = workerWeek();
    const drafted = draftContract(fold(events));
    for (const format of ['yaml', 'json'] as const) {
      const r = parseContracts(stringifyContracts([drafted], format), `draft.${format}`, format);
      if (!r.ok) throw new Error(r.reason);
      expect(r.value).toEqual([{ ...drafted, origin: `draft.${format}` }]);
      expect(violations(events, r.value)).toEqual([]);
    }
  });

  it('leaves out one-off origins, and draws an hours window across midnight', () => {
    const night = [
      ...burst({}, at(0, 22), 30),
      ...burst({}, at(1, 3), 30),
      ...burst({}, at(1, 22), 30),
      ev({
        timeMs: at(1, 23),
        origin: { ip: '198.51.100.23', network: '198.51.100.0/24', asn: 14061, isAws: false },
      }),
    ];
    const c = draftContract(fold(night));
    expect(c.allowedAsns).toEqual([8987, 14618, 16509]);
    expect(c.activeHoursUtc).toEqual({ start: 22, end: 4 });
  });

  it('drafts no hours for an identity active around the clock, and no VPC endpoints unless every own call used one', () => {
    const allDay = Array.from({ length: 48 }, (_, h) =>
      ev({ timeMs: at(0, h), origin: { vpcEndpointId: 'vpce-0a1b2c3d4e5f67890' } }),
    );
    const c = draftContract(fold([...allDay, ev({ timeMs: at(2, 1) })]));
    expect(c.activeHoursUtc).toBeUndefined();
    expect(c.allowedVpcEndpoints).toBeUndefined();
    expect(draftContract(fold(allDay)).allowedVpcEndpoints).toEqual(['vpce-0a1b2c3d4e5f67890']);
  });
});

describe('diffContract', () => {
  it('is empty for a draft against its own baseline', () => {
    const b = fold(workerWeek());
    expect(diffContract(draftContract(b), b)).toEqual([]);
  });

  it('lists what the baseline did outside the contract, per field, most used first', () => {
    const b = fold([
      ...workerWeek(),
      ...burst(
        {
          origin: {
            ip: '198.51.100.23',
            network: '198.51.100.0/24',
            asn: 14061,
            isAws: false,
            userAgentFamily: 'aws-cli',
            userAgentClass: 'cli',
          },
        },
        at(7, 3),
        3,
      ),
      ev({
        timeMs: at(7, 3, 55),
        action: { name: 's3.amazonaws.com:ListBuckets' },
        credential: { kind: 'long-lived-key', id: 'AKIAEXAMPLE0000001' },
      }),
    ]);
    const contract: Contract = {
      identity: b.key,
      allowedAsns: [16509, 14618],
      allowedNetworks: ['10.20.0.0/16'],
      allowedActions: ['dynamodb.amazonaws.com:*'],
      userAgentPatterns: ['aws-sdk-js*'],
      activeHoursUtc: { start: 8, end: 18 },
      rateEnvelope: { maxPerHour: 5 },
      allowedCredentialKinds: ['session-key'],
    };
    expect(diffContract(contract, b).map((d) => [d.field, d.value, Math.round(d.calls)])).toEqual([
      ['allowedAsns', 'AS14061', 3],
      ['allowedActions', 's3.amazonaws.com:ListBuckets', 1],
      ['userAgentPatterns', 'aws-cli', 3],
      ['rateEnvelope.maxPerHour', 'busiest hour 6 calls', 6],
      ['activeHoursUtc', 'hour 03', 1],
      ['allowedCredentialKinds', 'long-lived-key', 1],
    ]);
  });
});
