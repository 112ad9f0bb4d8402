import { calls, callsThisHour, callsThisMinute, formatTime, quoteUntrusted } from '../baseline-facts.js';
import type { IdentityBaseline } from '../baseline.js';
import { firstContainingCidr } from '../cidr.js';
import type { Contract } from '../contracts.js';
import { firstMatchingGlob, matchesGlob } from '../glob.js';
import type { IdentityEvent } from '../identity-event.js';
import { at, burst, ev, history, type EventOverrides } from './test-events.js';
import type { DetectionRule, RuleContext, RuleMatch, Severity, RuleCase } from './rule.js';

/** One declared field an event breaches. */
export interface ContractBreach {
  /** Contract field path, e.g. `allowedActions`, `rateEnvelope.maxPerHour`. */
  readonly field: string;
  /** The offending value as it is keyed for dedup (`AS14061`, the action, the scope…); '' when the field alone identifies it. */
  readonly value: string;
  /** What was declared vs what happened, for evidence. */
  readonly detail: string;
  readonly severity: Severity;
}

const SEVERITY_RANK: Record<Severity, number> = { INFORMATIONAL: 0, LOW: 1, MEDIUM: 2, HIGH: 3, CRITICAL: 4 };

const shortList = (xs: readonly (string | number)[], max = 6): string =>
  xs.length <= max ? xs.join(', ') : `${xs.slice(0, max).join(', ')} and ${xs.length - max} more`;

/** Whether `hour` (0-23) lies in [start, end), wrapping midnight when start > end. */
export function isWithinHours(hour: number, start: number, end: number): boolean {
  if (start === end) return true;
  return start < end ? hour >= start && hour < end : hour >= start || hour < end;
}

function originBreaches(e: IdentityEvent, c: Contract, out: ContractBreach[]): void {
  const o = e.origin;
  const asns = c.allowedAsns;
  const nets = c.allowedNetworks;
  if ((asns || nets) && o.isIp && o.ip !== undefined) {
    const isAllowedByAsn = asns !== undefined && o.asn !== undefined && asns.includes(o.asn);
    const isAllowedByNet =
      !isAllowedByAsn && nets !== undefined && firstContainingCidr(nets, o.ip) !== undefined;
    // Private addresses have no ASN: an ASN-only contract does not judge traffic from inside a VPC.
    const isJudged = nets !== undefined || !o.isPrivate;
    if (!isAllowedByAsn && !isAllowedByNet && isJudged) {
      const field = asns && nets ? 'allowedAsns|allowedNetworks' : asns ? 'allowedAsns' : 'allowedNetworks';
      const asnText =
        o.asn !== undefined ? `AS${o.asn}${o.asOrg !== undefined ? ` (${o.asOrg})` : ''}` : 'unknown ASN';
      const declared = [
        asns ? `ASNs ${shortList(asns.map((a) => `AS${a}`))}` : undefined,
        nets ? `networks ${shortList(nets)}` : undefined,
      ]
        .filter((x) => x !== undefined)
        .join('; ');
      out.push({
        field,
        value: asns && !nets ? (o.asn !== undefined ? `AS${o.asn}` : 'unknown-asn') : (o.network ?? o.ip),
        detail: `call from ${o.ip} (${asnText}${o.country !== undefined ? `, ${o.country}` : ''}); allowed: ${declared}`,
        severity: 'HIGH',
      });
    }
  }
  const vpces = c.allowedVpcEndpoints;
  if (vpces && (o.vpcEndpointId === undefined || !vpces.includes(o.vpcEndpointId))) {
    out.push({
      field: 'allowedVpcEndpoints',
      value: o.vpcEndpointId ?? 'none',
      detail: `${o.vpcEndpointId !== undefined ? `call through ${o.vpcEndpointId}` : 'call not made through a VPC endpoint'}; allowed: ${shortList(vpces)}`,
      severity: 'HIGH',
    });
  }
  const uas = c.userAgentPatterns;
  if (uas && o.userAgent !== undefined) {
    const ua = o.userAgent;
    const family = o.userAgentFamily;
    // The family is short and usually what patterns name: try it before the raw agent.
    if (!uas.some((p) => (family !== '' && matchesGlob(p, family, true)) || matchesGlob(p, ua, true))) {
      out.push({
        field: 'userAgentPatterns',
        value: family || 'unknown',
        detail: `user agent ${quoteUntrusted(ua, 120)} (family ${family || 'unknown'}, class ${o.userAgentClass}); allowed: ${shortList(uas)}`,
        severity: 'MEDIUM',
      });
    }
  }
}

/**
 * Every declared field `e` breaches, given the identity's state before it. Calls an AWS service made
 * on the identity's behalf (CloudFormation creating a stack's resources, Athena reading S3) are not
 * judged: they carry the service's origin and agent, and follow from an own call that was judged.
 * Pure; exported for the CLI's contract checks.
 */
export function contractBreaches(e: IdentityEvent, c: Contract, b: IdentityBaseline): ContractBreach[] {
  const out: ContractBreach[] = [];
  if (e.origin.awsService !== undefined) return out;
  const kinds = c.allowedCredentialKinds;
  if (kinds && e.credential.kind !== 'unknown' && !kinds.includes(e.credential.kind)) {
    out.push({
      field: 'allowedCredentialKinds',
      value: e.credential.kind,
      detail: `credential ${e.credential.kind}${e.credential.id !== undefined ? ` ${e.credential.id}` : ''}; allowed: ${shortList(kinds)}`,
      severity: 'HIGH',
    });
  }
  originBreaches(e, c, out);
  const actions = c.allowedActions;
  if (actions && firstMatchingGlob(actions, e.action.name) === undefined) {
    out.push({
      field: 'allowedActions',
      value: e.action.name,
      detail: `action ${quoteUntrusted(e.action.name, 120)}${e.outcome.authz === 'denied' ? ' (denied by IAM)' : ''}; allowed: ${shortList(actions)}`,
      severity: 'HIGH',
    });
  }
  const scopes = c.allowedScopes;
  if (scopes && e.outcome.scopes) {
    for (const s of e.outcome.scopes) {
      if (firstMatchingGlob(scopes, s) === undefined) {
        out.push({
          field: 'allowedScopes',
          value: s,
          detail: `scope ${quoteUntrusted(s, 80)} granted; allowed: ${shortList(scopes)}`,
          severity: 'HIGH',
        });
      }
    }
  }
  const hours = c.activeHoursUtc;
  if (hours) {
    const hour = Math.floor(e.timeMs / 3_600_000) % 24;
    if (!isWithinHours(hour, hours.start, hours.end)) {
      out.push({
        field: 'activeHoursUtc',
        value: '',
        detail: `call at ${formatTime(e.timeMs)} (hour ${hour}); active hours ${hours.start}:00-${hours.end}:00 UTC`,
        severity: 'MEDIUM',
      });
    }
  }
  const rate = c.rateEnvelope;
  if (rate?.maxPerHour !== undefined) {
    const n = callsThisHour(b, e.timeMs);
    if (n !== undefined && n > rate.maxPerHour) {
      out.push({
        field: 'rateEnvelope.maxPerHour',
        value: '',
        detail: `${calls(n)} in the current hour; at most ${rate.maxPerHour} declared`,
        severity: 'MEDIUM',
      });
    }
  }
  if (rate?.maxPerMinute !== undefined) {
    const n = callsThisMinute(b, e.timeMs);
    if (n !== undefined && n > rate.maxPerMinute) {
      out.push({
        field: 'rateEnvelope.maxPerMinute',
        value: '',
        detail: `${calls(n)} in the current minute; at most ${rate.maxPerMinute} declared`,
        severity: 'MEDIUM',
      });
    }
  }
  return out;
}

/** Name of one breach as the finding lists it: `field: value`, or the field alone. */
const breachItem = (br: ContractBreach): string => (br.value === '' ? br.field : `${br.field}: ${br.value}`);

/**
 * One match for every field the call breaches: the contract findings of an identity in one window are
 * one finding (discriminator `contract`) listing each breached field and value as an item, so a
 * reconnaissance burst outside the contract is one finding with thirty items, not thirty findings.
 */
function toMatch(e: IdentityEvent, c: Contract, breaches: readonly ContractBreach[]): RuleMatch {
  const who = e.identity.name ?? e.identity.key;
  const where = c.origin ?? 'an inline contract';
  const items = breaches.map(breachItem);
  const fields = [...new Set(breaches.map((br) => br.field))];
  return {
    discriminator: 'contract',
    severity: breaches[0]?.severity ?? 'HIGH',
    summary: `${who} breached its integration contract (${shortList(items, 4)})`,
    evidence: [
      `${where}: contract for ${c.identity}, field${fields.length === 1 ? '' : 's'} ${fields.join(', ')}`,
      ...breaches.map((br) => br.detail),
      `call: ${e.action.name} at ${formatTime(e.timeMs)}${e.origin.ip !== undefined ? ` from ${e.origin.ip}` : ''}`,
    ],
    items,
  };
}

function detect(event: IdentityEvent, ctx: RuleContext): RuleMatch | undefined {
  const c = ctx.contract;
  if (!c) return undefined;
  const found = contractBreaches(event, c, ctx.baseline);
  if (found.length === 0) return undefined;
  found.sort((x, y) => SEVERITY_RANK[y.severity] - SEVERITY_RANK[x.severity]);
  return toMatch(event, c, found);
}

const WORKER = 'aws:123456789012:role/orders-worker';
/** The worker's declared integration: DynamoDB from its Lambda inside AWS, session keys, SDK only. */
const workerContract: Contract = {
  identity: WORKER,
  origin: 'contracts/orders.yaml',
  allowedAsns: [16509, 14618],
  allowedActions: [
    'dynamodb.amazonaws.com:GetItem',
    'dynamodb.amazonaws.com:PutItem',
    'dynamodb.amazonaws.com:Query',
  ],
  allowedCredentialKinds: ['session-key'],
  userAgentPatterns: ['aws-sdk-js*'],
};
/** A partner's API client: fixed egress networks (v4 and v6), two routes, one scope, business hours over midnight UTC. */
const partner: EventOverrides = {
  source: 'api-gateway',
  identity: {
    key: 'api:a1b2c3d4e5:client:partner-7',
    kind: 'api-client',
    name: 'partner-7',
    clientId: 'partner-7',
  },
  credential: { id: 'jti-fingerprint-7f3a', kind: 'bearer-token' },
  origin: {
    ip: '203.0.113.10',
    network: '203.0.113.0/24',
    asn: 64501,
    asOrg: 'Partner Hosting',
    country: 'JP',
    isAws: false,
    userAgent: 'partner-sync/4.2 (+https://partner.example)',
    userAgentFamily: 'partner-sync',
    userAgentClass: 'http-library',
  },
  action: { name: 'POST /orders', isReadOnly: false },
  outcome: { authn: 'success', authz: 'allowed', status: 201, scopes: ['orders:write'] },
};
const partnerContract: Contract = {
  identity: 'api:a1b2c3d4e5:client:partner-*',
  origin: 'contracts/partners.yaml',
  allowedNetworks: ['203.0.113.0/24', '2001:db8:7::/48'],
  allowedActions: ['POST /orders', 'GET /orders/*'],
  allowedScopes: ['orders:write', 'orders:read'],
  activeHoursUtc: { start: 22, end: 10 },
  rateEnvelope: { maxPerHour: 500, maxPerMinute: 30 },
};
const inPartnerHours = (minutes: number) => at(1, 23, minutes);

/** The identity's owners declared what it is for; any call outside that declaration is a finding, from the first event. */
export const contractViolation: DetectionRule = {
  id: 'contract-violation',
  title: 'Non-human identity breached its integration contract',
  severity: 'HIGH',
  asffTypes: [
    'Unusual Behaviors/Application',
    'Software and Configuration Checks/AWS Security Best Practices/Runtime Behavior Analysis',
  ],
  references: [
    'OWASP-NHI:NHI5',
    'OWASP-NHI:NHI3',
    'NIST-CSF-2.0:DE.CM-03',
    'NIST-CSF-2.0:DE.CM-09',
    'NIST-CSF-2.0:DE.AE-02',
    'MITRE:T1078.004',
  ],
  falsePositives: [
    'The integration changed and its contract file was not updated in the same change',
    'Egress or provider moved (new NAT, partner re-hosted) before the allowed networks were edited',
  ],
  runbook:
    'Confirm the breach with the identity’s owner: an intended change updates the contract file; an unexplained one is treated as a compromised credential (revoke, rotate, review the calls outside the contract).',
  defaults: {},
  needsLearning: false,
  detect,
  // Built when read (the harness, the docs), not when the Lambda loads the catalogue.
  get tests(): readonly RuleCase[] {
    return [
      {
        name: 'worker key used from DigitalOcean (ASN not allowed)',
        events: [
          ev({
            timeMs: at(0, 9),
            origin: {
              ip: '198.51.100.23',
              network: '198.51.100.0/24',
              asn: 14061,
              asOrg: 'DigitalOcean, LLC',
              country: 'NL',
              isAws: false,
            },
          }),
        ],
        contracts: [workerContract],
        fires: true,
      },
      {
        name: 'worker lists buckets (action outside allowedActions), even though IAM denied it',
        events: [
          ev({
            timeMs: at(0, 9),
            action: { name: 's3.amazonaws.com:ListBuckets', service: 's3.amazonaws.com' },
            outcome: { authz: 'denied', errorCode: 'AccessDenied' },
          }),
        ],
        contracts: [workerContract],
        fires: true,
      },
      {
        name: 'worker called with a long-lived AKIA key (credential kind not allowed)',
        events: [
          ev({ timeMs: at(0, 9), credential: { id: 'AKIAEXAMPLEWORKER999', kind: 'long-lived-key' } }),
        ],
        contracts: [workerContract],
        fires: true,
      },
      {
        name: 'worker called with the AWS CLI (user agent not allowed)',
        events: [
          ev({
            timeMs: at(0, 9),
            origin: {
              userAgent: 'aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux',
              userAgentFamily: 'aws-cli',
              userAgentClass: 'cli',
            },
          }),
        ],
        contracts: [workerContract],
        fires: true,
      },
      {
        name: 'partner calls from an IPv6 address outside its /48',
        events: [
          ev({
            ...partner,
            timeMs: inPartnerHours(5),
            origin: { ...partner.origin, ip: '2001:db8:8::15', network: '2001:db8:8::/48' },
          }),
        ],
        contracts: [partnerContract],
        fires: true,
      },
      {
        name: 'partner token carries an admin scope',
        events: [
          ev({
            ...partner,
            timeMs: inPartnerHours(5),
            outcome: { ...partner.outcome, scopes: ['orders:write', 'admin:*'] },
          }),
        ],
        contracts: [partnerContract],
        fires: true,
      },
      {
        name: 'partner calls at 12:00 UTC, outside its 22:00-10:00 window',
        events: [ev({ ...partner, timeMs: at(1, 12) })],
        contracts: [partnerContract],
        fires: true,
      },
      {
        name: 'partner makes 40 calls in one minute (maxPerMinute 30)',
        events: burst(partner, inPartnerHours(0), 40, 50_000),
        contracts: [partnerContract],
        fires: true,
      },
      {
        name: 'partner makes 600 calls in an hour, 10 a minute (maxPerHour 500)',
        events: burst(partner, at(1, 2), 600, 3_500_000),
        contracts: [partnerContract],
        fires: true,
      },
      {
        name: 'private API call not made through the allowed VPC endpoint',
        events: [ev({ ...partner, timeMs: inPartnerHours(5) })],
        contracts: [{ ...partnerContract, allowedVpcEndpoints: ['vpce-0a1b2c3d4e5f67890'] }],
        fires: true,
      },
      {
        name: 'worker’s ordinary week inside its contract (AWS ASN, allowed actions, SDK, session key)',
        events: history(),
        contracts: [workerContract],
        fires: false,
      },
      {
        name: 'partner inside its contract: IPv4 in CIDR, glob route, 23:00 in a window over midnight, 20 calls a minute',
        events: [
          ...burst(partner, inPartnerHours(0), 20, 55_000),
          ev({
            ...partner,
            timeMs: at(2, 9, 59),
            action: { name: 'GET /orders/{id}', isReadOnly: true },
            outcome: { ...partner.outcome, scopes: ['orders:read'] },
          }),
        ],
        contracts: [partnerContract],
        fires: false,
      },
      {
        name: 'partner from an IPv4-mapped IPv6 address inside its IPv4 network',
        events: [
          ev({
            ...partner,
            timeMs: inPartnerHours(5),
            origin: { ...partner.origin, ip: '::ffff:203.0.113.10' },
          }),
        ],
        contracts: [partnerContract],
        fires: false,
      },
      {
        name: 'CloudFormation creates a role on the worker’s behalf (service-made call, judged through its own CreateStack call)',
        events: [
          ev({
            timeMs: at(0, 9),
            action: { name: 'iam.amazonaws.com:CreateRole', service: 'iam.amazonaws.com' },
            origin: {
              ip: 'cloudformation.amazonaws.com',
              isIp: false,
              awsService: 'cloudformation.amazonaws.com',
              userAgent: 'cloudformation.amazonaws.com',
              userAgentFamily: 'cloudformation',
              userAgentClass: 'aws-internal',
            },
          }),
        ],
        contracts: [workerContract],
        fires: false,
      },
      {
        name: 'an identity without a contract does anything',
        events: [
          ev({
            timeMs: at(0, 9),
            identity: { key: 'aws:123456789012:role/reporting', name: 'reporting' },
            action: { name: 's3.amazonaws.com:ListBuckets' },
          }),
        ],
        contracts: [workerContract, partnerContract],
        fires: false,
      },
    ];
  },
};
