/** Cases of the `new-source` rule (test material: no production module imports this file). */
import { UA, at, ev, history, rotatingHistory, withoutOrigin, type EventOverrides } from './test-events.js';
import { rawHistory, workerCall } from './raw-records.js';
import { defineCases } from './rule-case.js';

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

/** `new-source`: replayed through the engine by the rule harness, listed in docs/RULES.md. */
export const newSourceCases = defineCases('new-source', [
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
  {
    name: 'raw CloudTrail: a Lambda role’s learned calls from AWS, then one from DigitalOcean in NL: new country, HIGH',
    log: [
      ...rawHistory((timeMs) => workerCall({ timeMs })),
      workerCall({ timeMs: at(9, 3), sourceIPAddress: '203.0.113.45' }),
    ],
    fires: true,
    severity: 'HIGH',
  },
]);
