import { asnLabel, describeTop, distinctValues, hasValue, historyLine, isAwsAsn } from '../baseline-facts.js';
import { keysOf } from '../safe-record.js';
import type { IdentityBaseline } from '../baseline.js';
import type { IdentityEvent } from '../identity-event.js';
import { UA, at, ev, history, rotatingHistory, withoutOrigin, type EventOverrides } from './test-events.js';
import { flag, num, type DetectionRule, type RuleMatch, type RuleCase } from './rule.js';

/** Whether the identity has run inside AWS before: an AWS ASN, or calls through a VPC endpoint. */
function hasAwsHistory(b: IdentityBaseline): boolean {
  for (const asn of keysOf(b.dims.asns)) if (isAwsAsn(asn)) return true;
  return distinctValues(b.dims.vpcEndpoints) > 0;
}

function detect(event: IdentityEvent, ctx: Parameters<DetectionRule['detect']>[1]): RuleMatch | undefined {
  const o = event.origin;
  // Calls an AWS service made on the identity's behalf carry the service, not a source; failed
  // authentication does not prove the identity was used (the failure rules own those).
  if (o.awsService !== undefined || !o.isIp || event.outcome.authn === 'failure') return undefined;
  const b = ctx.baseline;
  const d = b.dims;
  const asn = o.asn !== undefined ? String(o.asn) : undefined;
  const isNewAsn = asn !== undefined && !hasValue(d.asns, asn);
  const isNewCountry =
    o.country !== undefined && distinctValues(d.countries) > 0 && !hasValue(d.countries, o.country);
  const t = ctx.thresholds;
  // Network novelty is opt-in: Lambda and NAT addresses churn, so it would pass this check on most events.
  const isNewNetwork =
    o.network !== undefined && flag(t, 'reportNewNetworks') && !hasValue(d.networks, o.network);
  if (!isNewAsn && !isNewCountry && !isNewNetwork) return undefined;

  // Inside AWS, a workload hops between Amazon's ASNs and regions: an AWS address on an identity that
  // already runs in AWS is not a new source (credential-replay judges AWS-vs-AWS reuse).
  if (o.isAws && hasAwsHistory(b)) return undefined;
  const asnCounts = isNewAsn && distinctValues(d.asns) < num(t, 'maxKnownAsns');
  const countryCounts = isNewCountry && distinctValues(d.countries) < num(t, 'maxKnownCountries');
  const networkCounts = isNewNetwork && !isNewAsn && distinctValues(d.networks) < num(t, 'maxKnownNetworks');
  if (!asnCounts && !countryCounts && !networkCounts) return undefined;

  const who = event.identity.name ?? event.identity.key;
  const where = [
    asn !== undefined ? `AS${asn}${o.asOrg !== undefined ? ` (${o.asOrg})` : ''}` : undefined,
    o.country,
    o.ip !== undefined ? `address ${o.ip}${o.network !== undefined ? ` in ${o.network}` : ''}` : undefined,
  ]
    .filter((x) => x !== undefined)
    .join(', ');
  const novelty = [
    countryCounts ? 'country' : undefined,
    asnCounts ? 'ASN' : undefined,
    networkCounts ? 'network' : undefined,
  ]
    .filter((x) => x !== undefined)
    .join(' and ');
  const evidence = [
    `first call from this ${novelty}: ${where}`,
    `ASNs seen before: ${describeTop(d.asns, 3, asnLabel)}`,
    `countries seen before: ${describeTop(d.countries, 3)}`,
  ];
  if (networkCounts) evidence.push(`networks seen before: ${describeTop(d.networks, 3)}`);
  evidence.push(historyLine(b));
  const summary = `${who} called ${event.action.name} from ${where}: new ${novelty} for this identity`;
  if (countryCounts) return { discriminator: `country:${o.country}`, summary, evidence, severity: 'HIGH' };
  if (asnCounts) return { discriminator: `asn:${asn}`, summary, evidence, severity: 'MEDIUM' };
  return { discriminator: `network:${o.network}`, summary, evidence, severity: 'LOW' };
}

const digitalOcean: EventOverrides['origin'] = {
  ip: '198.51.100.23',
  network: '198.51.100.0/24',
  asn: 14061,
  asOrg: 'DigitalOcean, LLC',
  country: 'NL',
  isAws: false,
  userAgent: 'aws-sdk-js/3.600.0 ua/2.1 os/linux lang/js md/nodejs#22.11.0',
};
/** A CI runner outside AWS: the identity's usual origin in the non-AWS cases. */
const ciRunner: EventOverrides = {
  identity: {
    key: 'aws:123456789012:role/ci-deploy',
    name: 'ci-deploy',
    principal: 'arn:aws:iam::123456789012:role/ci-deploy',
  },
  origin: {
    ip: '192.0.2.40',
    network: '192.0.2.0/24',
    asn: 8075,
    asOrg: 'Microsoft Corporation',
    country: 'US',
    isAws: false,
  },
};

/** An integration reached through a CDN's edge (one ASN), so its calls come from wherever the edge routes them. */
const partnerEdge: EventOverrides = {
  source: 'api-gateway',
  identity: {
    key: 'api:a1b2c3d4e5:api-key:k7pq2x9w1z',
    kind: 'api-client',
    accountId: undefined,
    principal: undefined,
    name: 'k7pq2x9w1z',
    sessionName: undefined,
  },
  credential: { id: 'k7pq2x9w1z', kind: 'api-key' },
  action: { name: 'GET /orders/{id}', service: undefined, isReadOnly: true },
  origin: {
    ip: '198.51.100.80',
    network: '198.51.100.0/24',
    asn: 13335,
    asOrg: 'Cloudflare, Inc.',
    country: 'US',
    isAws: false,
    ...UA.okhttp,
  },
};
/** An API client used from 8 ISPs' networks in turn over 8 days. */
const roamingHistory = () =>
  rotatingHistory(
    ciRunner,
    [7922, 701, 3320, 2856, 3215, 5089, 6830, 1136].map((asn, i) => ({
      origin: { asn, ip: `192.0.2.${i + 1}` },
    })),
  );
/** A service in a data centre, calling out through its ISP's IPv6 prefixes. */
const onPrem: EventOverrides = {
  identity: {
    key: 'aws:123456789012:user/billing-export',
    kind: 'iam-user',
    principal: 'arn:aws:iam::123456789012:user/billing-export',
    name: 'billing-export',
    sessionName: undefined,
  },
  credential: { id: 'AKIAEXAMPLEBILLING01', kind: 'long-lived-key' },
  origin: {
    ...onPremEgress(0x10),
    asn: 64500,
    asOrg: 'Example Transit',
    country: 'DE',
    isAws: false,
    ...UA.boto3Server,
  },
};
/** The on-prem service's address in its egress /48 `2001:db8:<prefix>::/48`. */
function onPremEgress(prefix: number): { ip: string; network: string } {
  const p = prefix.toString(16);
  return { ip: `2001:db8:${p}::40`, network: `2001:db8:${p}::/48` };
}

/** A workload's first call from an ASN or country it never used is how a stolen credential shows up first. */
export const newSource: DetectionRule = {
  id: 'new-source',
  title: 'Non-human identity called from a new network or country',
  severity: 'MEDIUM',
  asffTypes: ['Unusual Behaviors/User', 'Unusual Behaviors/IP address', 'TTPs/Initial Access'],
  references: [
    'OWASP-NHI:NHI2',
    'NIST-CSF-2.0:DE.CM-01',
    'NIST-CSF-2.0:DE.CM-03',
    'NIST-CSF-2.0:DE.AE-02',
    'MITRE:T1078.004',
  ],
  falsePositives: [
    'The workload moved: new CI provider, new NAT / egress provider, office or VPN change, a region outside the usual countries',
    'A partner or SaaS integration changed its hosting provider',
    'IP-to-ASN / country data updated (re-assigned ranges)',
  ],
  runbook:
    'Confirm with the owner whether the identity now runs from this network; if not, revoke its active sessions / deactivate the key and review every call from the new origin.',
  defaults: {
    /** Report a new /24 (/48) inside an already-known ASN (LOW): off because Lambda / NAT addresses churn. */
    reportNewNetworks: false,
    /** An identity already seen from this many ASNs roams (mobile clients, many partners): ASN novelty is not reported. */
    maxKnownAsns: 8,
    maxKnownCountries: 5,
    maxKnownNetworks: 16,
  },
  needsLearning: true,
  detect,
  // Built when read (the harness, the docs), not when the Lambda loads the catalogue.
  get tests(): readonly RuleCase[] {
    return [
      {
        name: 'Lambda role (AWS only) then a call from DigitalOcean in NL: new country, HIGH',
        events: [...history(), ev({ timeMs: at(9, 3), origin: digitalOcean })],
        fires: true,
        severity: 'HIGH',
      },
      {
        name: 'CI role always on Azure-hosted runners in the US, then a call from DigitalOcean in the US: new ASN',
        events: [
          ...history(ciRunner),
          ev({ ...ciRunner, timeMs: at(9, 10), origin: { ...digitalOcean, country: 'US' } }),
        ],
        fires: true,
        severity: 'MEDIUM',
      },
      {
        name: 'VPC-endpoint-only workload with no public history calls from a residential ISP',
        events: [
          ...history({
            origin: {
              ip: '10.0.3.17',
              network: '10.0.3.0/24',
              isPrivate: true,
              isAws: false,
              vpcEndpointId: 'vpce-0a1b2c3d',
            },
          }).map((e) => withoutOrigin(e, 'asn', 'asOrg', 'country')),
          ev({
            timeMs: at(9, 2),
            origin: {
              ip: '203.0.113.9',
              network: '203.0.113.0/24',
              asn: 7922,
              asOrg: 'Comcast',
              country: 'US',
              isAws: false,
            },
          }),
        ],
        fires: true,
        severity: 'MEDIUM',
      },
      {
        name: 'on-prem service with fixed egress, new /24 in its own ASN, reportNewNetworks on',
        events: [
          ...history(ciRunner),
          ev({
            ...ciRunner,
            timeMs: at(9, 10),
            origin: { ...ciRunner.origin, ip: '198.51.100.77', network: '198.51.100.0/24' },
          }),
        ],
        thresholds: { reportNewNetworks: true },
        fires: true,
        severity: 'LOW',
      },
      {
        name: 'Lambda moves from AS14618 to AS16509 and a new region: AWS churn, not a new source',
        events: [
          ...history(),
          ev({
            timeMs: at(9, 3),
            origin: {
              ip: '52.94.1.7',
              network: '52.94.1.0/24',
              asn: 16509,
              asOrg: 'Amazon.com, Inc.',
              country: 'IE',
              isAws: true,
            },
          }),
        ],
        fires: false,
      },
      {
        name: 'new /24 in the known ASN with reportNewNetworks off (default)',
        events: [
          ...history(ciRunner),
          ev({
            ...ciRunner,
            timeMs: at(9, 10),
            origin: { ...ciRunner.origin, ip: '198.51.100.77', network: '198.51.100.0/24' },
          }),
        ],
        fires: false,
      },
      {
        name: 'call made by an AWS service on the identity’s behalf (no address)',
        events: [
          ...history(),
          withoutOrigin(
            ev({
              timeMs: at(9, 3),
              origin: { ip: 'athena.amazonaws.com', isIp: false, awsService: 'athena.amazonaws.com' },
            }),
            'network',
            'asn',
            'asOrg',
            'country',
          ),
        ],
        fires: false,
      },
      {
        name: 'non-IP source with no ASN ("AWS Internal")',
        events: [
          ...history(),
          withoutOrigin(
            ev({ timeMs: at(9, 3), origin: { ip: 'AWS Internal', isIp: false, isAws: false } }),
            'network',
            'asn',
            'asOrg',
            'country',
          ),
        ],
        fires: false,
      },
      {
        name: 'DigitalOcean call during the learning period (3 days of history)',
        events: [...history({}, 3), ev({ timeMs: at(3, 9), origin: digitalOcean })],
        fires: false,
      },
      {
        name: 'failed authentication from a new ASN (the failure rules judge it)',
        events: [
          ...history(),
          ev({
            timeMs: at(9, 3),
            origin: digitalOcean,
            outcome: { authn: 'failure', errorCode: 'InvalidClientTokenId' },
          }),
        ],
        fires: false,
      },
      {
        name: 'API client used from many ISPs already (roaming): one more ASN is not news',
        events: [
          ...roamingHistory(),
          ev({
            ...ciRunner,
            timeMs: at(9, 10),
            origin: { ...ciRunner.origin, asn: 12322, ip: '203.0.113.50' },
          }),
        ],
        fires: false,
      },
      {
        name: 'the same roaming API client with maxKnownAsns raised to 20: its ninth ASN is reported',
        events: [
          ...roamingHistory(),
          ev({
            ...ciRunner,
            timeMs: at(9, 10),
            origin: { ...ciRunner.origin, asn: 12322, ip: '203.0.113.50' },
          }),
        ],
        thresholds: { maxKnownAsns: 20 },
        fires: true,
        severity: 'MEDIUM',
      },
      {
        name: 'partner integration on one CDN ASN already seen in 6 countries, a 7th with maxKnownCountries raised to 10: reported',
        events: [
          ...rotatingHistory(
            partnerEdge,
            ['US', 'DE', 'GB', 'FR', 'NL', 'JP'].map((country) => ({ origin: { country } })),
          ),
          ev({ ...partnerEdge, timeMs: at(9, 10), origin: { ...partnerEdge.origin, country: 'BR' } }),
        ],
        thresholds: { maxKnownCountries: 10 },
        fires: true,
        severity: 'HIGH',
      },
      {
        name: 'on-prem service egressing from 4 /48s of its ISP, a 5th /48 with reportNewNetworks on and maxKnownNetworks 4: a pool, not news',
        events: [
          ...rotatingHistory(
            onPrem,
            [0x10, 0x11, 0x12, 0x13].map((prefix) => ({ origin: onPremEgress(prefix) })),
          ),
          ev({ ...onPrem, timeMs: at(9, 10), origin: { ...onPrem.origin, ...onPremEgress(0x14) } }),
        ],
        thresholds: { reportNewNetworks: true, maxKnownNetworks: 4 },
        fires: false,
      },
    ];
  },
};
