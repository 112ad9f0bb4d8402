import { calls, callsThisHour, callsThisMinute, formatTime, quoteUntrusted } from '../baseline-facts.js';
import type { IdentityBaseline } from '../baseline.js';
import { firstContainingCidr } from '../cidr.js';
import type { Contract } from '../contracts.js';
import { firstMatchingGlob, matchesGlob } from '../glob.js';
import type { IdentityEvent } from '../identity-event.js';
import type { DetectionRule, RuleContext, RuleMatch, Severity } from './rule.js';

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
};
