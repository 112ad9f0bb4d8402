import { asnLabel, describeTop, distinctValues, hasValue, historyLine, isAwsAsn } from '../baseline-facts.js';
import { keysOf } from '../safe-record.js';
import type { IdentityBaseline } from '../baseline.js';
import type { IdentityEvent } from '../identity-event.js';
import { flag, num, type DetectionRule, type RuleMatch } from './rule.js';

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
};
