import { ContractSet, type Contract } from '../../../lambdas/core/contracts';
import { DEFAULT_ENGINE_CONFIG, evaluate } from '../../../lambdas/core/engine';
import { contractViolation, isWithinHours } from '../../../lambdas/core/rules/contract-violation';
import { at, burst, ev, withoutOrigin } from '../../../lambdas/core/rules/test-events';

/** A call from a private address inside a VPC: no ASN, no country. */
const fromVpc = (ip: string, network: string) =>
  withoutOrigin(
    ev({ timeMs: at(0, 9), origin: { ip, network, isPrivate: true, isAws: false } }),
    'asn',
    'asOrg',
    'country',
  );

const contract: Contract = {
  identity: 'aws:123456789012:role/orders-*',
  origin: 'contracts/orders.yaml',
  allowedAsns: [16509, 14618],
  allowedNetworks: ['10.0.0.0/16'],
  allowedActions: ['dynamodb.amazonaws.com:*'],
  allowedCredentialKinds: ['session-key'],
};
const run = (events: ReturnType<typeof ev>[], contracts: Contract[] = [contract]) =>
  evaluate({
    batchId: 'b',
    events,
    state: new Map(),
    rules: [contractViolation],
    contracts: new ContractSet(contracts),
    config: DEFAULT_ENGINE_CONFIG,
  }).findings;
const digitalOcean = {
  ip: '198.51.100.23',
  network: '198.51.100.0/24',
  asn: 14061,
  asOrg: 'DigitalOcean, LLC',
  country: 'NL',
  isAws: false,
};

describe('contract-violation', () => {
  it('makes one finding listing every field a single call breaches, the strongest first', () => {
    const findings = run([
      ev({
        timeMs: at(0, 9),
        origin: digitalOcean,
        credential: { id: 'AKIAEXAMPLE0000001', kind: 'long-lived-key' },
        action: { name: 's3.amazonaws.com:ListBuckets' },
      }),
    ]);
    expect(findings).toHaveLength(1);
    const [f] = findings;
    expect(f!.discriminator).toBe('contract');
    expect(f!.severity).toBe('HIGH');
    expect([...f!.items!].sort()).toEqual([
      'allowedActions: s3.amazonaws.com:ListBuckets',
      'allowedAsns|allowedNetworks: 198.51.100.0/24',
      'allowedCredentialKinds: long-lived-key',
    ]);
    expect(f!.evidence[0]).toBe(
      'contracts/orders.yaml: contract for aws:123456789012:role/orders-*, fields allowedCredentialKinds, allowedAsns|allowedNetworks, allowedActions',
    );
  });

  it('folds a reconnaissance burst outside the contract into one finding listing each breached value once', () => {
    const recon = ['iam.amazonaws.com:ListUsers', 'iam.amazonaws.com:ListRoles', 's3.amazonaws.com:ListBuckets'];
    const events = recon.flatMap((name, i) =>
      [0, 1].map((k) => ev({ timeMs: at(0, 9, i * 2 + k), action: { name } })),
    );
    const findings = run(events);
    expect(findings).toHaveLength(1);
    expect(findings[0]!.count).toBe(6);
    expect(findings[0]!.items).toEqual(recon.map((a) => `allowedActions: ${a}`));
    // The incident lists the first breach, then each further value once, in order.
    expect(findings[0]!.incident!.facts.map((x) => x.text)).toEqual([
      expect.stringContaining('allowedActions: iam.amazonaws.com:ListUsers'),
      'also allowedActions: iam.amazonaws.com:ListRoles',
      'also allowedActions: s3.amazonaws.com:ListBuckets',
    ]);
  });

  it('raises the finding to the strongest breach seen in the window', () => {
    const [f] = run(
      [
        ev({ timeMs: at(0, 9), action: { name: 'dynamodb.amazonaws.com:GetItem' } }),
        ev({ timeMs: at(0, 9, 1), credential: { id: 'AKIAEXAMPLE0000001', kind: 'long-lived-key' } }),
      ],
      [{ ...contract, userAgentPatterns: ['nothing-matches*'] }],
    );
    expect(f!.severity).toBe('HIGH');
    expect(f!.items).toEqual(['userAgentPatterns: aws-sdk-js', 'allowedCredentialKinds: long-lived-key']);
  });

  it('repeats of one breach in the dedup window raise the count of one finding', () => {
    const findings = run(burst({ origin: digitalOcean }, at(0, 9), 25));
    expect(findings).toHaveLength(1);
    expect(findings[0]!.count).toBe(25);
  });

  it('lets a private address in through allowedNetworks and a public AWS address through allowedAsns', () => {
    expect(run([fromVpc('10.0.7.9', '10.0.7.0/24')])).toEqual([]);
    expect(run([ev({ timeMs: at(0, 9) })])).toEqual([]);
    expect(run([fromVpc('10.1.7.9', '10.1.7.0/24')])).toHaveLength(1);
  });

  it('does not judge private addresses against an ASN-only contract, but does judge a public address with no known ASN', () => {
    const asnOnly: Contract = { identity: contract.identity, allowedAsns: [16509] };
    expect(run([fromVpc('10.0.7.9', '10.0.7.0/24')], [asnOnly])).toEqual([]);
    const unknownAsn = withoutOrigin(
      ev({ timeMs: at(0, 9), origin: { ip: '192.0.2.77', network: '192.0.2.0/24', isAws: false } }),
      'asn',
      'asOrg',
    );
    const [f] = run([unknownAsn], [asnOnly]);
    expect(f!.items).toEqual(['allowedAsns: unknown-asn']);
    expect(f!.evidence[2]).toBe('call: dynamodb.amazonaws.com:GetItem at 2026-03-02T09:00Z from 192.0.2.77');
  });

  it('fires from the first event of a brand-new identity (no learning)', () => {
    expect(
      run([
        ev({ timeMs: at(0, 0), identity: { key: 'aws:123456789012:role/orders-new' }, origin: digitalOcean }),
      ]),
    ).toHaveLength(1);
  });

  it('says when no origin file is known', () => {
    const [f] = run(
      [ev({ timeMs: at(0, 9), origin: digitalOcean })],
      [{ identity: contract.identity, allowedAsns: [16509] }],
    );
    expect(f!.evidence[0]).toBe(
      'an inline contract: contract for aws:123456789012:role/orders-*, field allowedAsns',
    );
  });
});

describe('isWithinHours', () => {
  it.each([
    [8, 8, 18, true],
    [17, 8, 18, true],
    [18, 8, 18, false],
    [7, 8, 18, false],
    [23, 22, 6, true],
    [0, 22, 6, true],
    [5, 22, 6, true],
    [6, 22, 6, false],
    [12, 22, 6, false],
    [21, 22, 6, false],
    [3, 0, 24, true],
    [23, 0, 24, true],
  ])('hour %i in [%i, %i): %s', (hour, start, end, expected) => {
    expect(isWithinHours(hour, start, end)).toBe(expected);
  });
});
