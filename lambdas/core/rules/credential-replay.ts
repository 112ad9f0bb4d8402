import type { CredentialState, Dimension } from '../baseline.js';
import { entriesOf, getOwn, hasOwn, keysOf } from '../safe-record.js';
import type { CredentialKind, IdentityEvent } from '../identity-event.js';
import { describeOrigin, formatTally, iso } from './evidence.js';
import { list, num, type DetectionRule, type Severity } from './rule.js';

/** Role-session name of EC2 instance-profile credentials: the instance id. */
const INSTANCE_SESSION = /^i-[0-9a-f]{8}(?:[0-9a-f]{9})?$/i;

/** Credentials that live minutes to hours: two networks within their lifetime cannot both be the workload. */
const SHORT_LIVED: ReadonlySet<CredentialKind> = new Set<CredentialKind>(['session-key', 'bearer-token']);

type Reason = 'instance-outside' | 'instance-elsewhere' | 'aws-to-outside' | 'outside-to-aws' | 'new-asn';

/** A session key, token, API key or certificate seen from two origins that cannot both be its workload: it was copied. */
export const credentialReplay: DetectionRule = {
  id: 'credential-replay',
  title: 'Credential used from origins that cannot both be its workload',
  severity: 'HIGH',
  asffTypes: ['TTPs/Credential Access', 'Unusual Behaviors/Application'],
  references: [
    'OWASP-NHI:NHI2',
    'NIST-CSF-2.0:DE.CM-01',
    'NIST-CSF-2.0:DE.CM-03',
    'NIST-CSF-2.0:DE.AE-03',
    'MITRE:T1550.001',
    'MITRE:T1552.005',
    'MITRE:T1078.004',
  ],
  falsePositives: [
    'EC2 or Lambda egress routed through an on-premises proxy or a third-party NAT (Direct Connect / VPN with internet breakout): the workload itself appears outside AWS.',
    'A client whose egress alternates between providers (multi-homed office, a VPN hosted on EC2, mobile networks) presenting one token from both.',
    'A partner moving its API-key or certificate clients to a new hosting provider.',
  ],
  runbook:
    'Revoke the credential now (revoke role sessions issued before now / rotate the API key or certificate / revoke the token), then compare the two origins in the evidence and search CloudTrail for every call made with this credential id from the unexpected one.',
  defaults: {
    /** Uses of the credential already in the baseline before a change of origin counts (the EC2 instance case needs none). */
    minPriorUses: 1,
    /** Calls an EC2 instance must have made with its credentials from its own AWS network before another network counts. */
    instanceMinOwnUses: 3,
    /** Credential kinds compared. Long-lived access keys are left to new-source: they are legitimately used from many places. */
    credentialKinds: ['session-key', 'bearer-token', 'api-key', 'mtls-certificate'],
  },
  needsLearning: false,
  detect: (event, ctx) => {
    const cred = event.credential;
    const id = cred.id;
    if (id === undefined || id === '') return undefined;
    const o = event.origin;
    if (!o.isIp || o.awsService !== undefined) return undefined;
    if (!list(ctx.thresholds, 'credentialKinds').includes(cred.kind)) return undefined;
    const prev: CredentialState | undefined = getOwn(ctx.baseline.credentials, id);
    const elsewhere = instanceElsewhere(event, prev, num(ctx.thresholds, 'instanceMinOwnUses'));
    if (elsewhere !== undefined) {
      return {
        discriminator: `credential:${id}`,
        summary: `${cred.kind} ${id} of ${event.identity.name ?? event.identity.key} ${SUMMARY['instance-elsewhere']}`,
        evidence: [
          `${cred.kind} ${id}: first used ${iso(prev?.f ?? event.timeMs)}, last ${iso(prev?.l ?? event.timeMs)}, earlier uses: ${prev?.n ?? 0}`,
          `the instance called from ${elsewhere}`,
          `now from ${describeOrigin(event)}`,
          EXPLANATION['instance-elsewhere'](event),
        ],
        severity: 'HIGH',
      };
    }
    // A private address (VPC endpoint, NAT) says nothing about where any other key is.
    if (o.isPrivate) return undefined;
    const isInstanceCredential =
      !o.isAws &&
      cred.kind === 'session-key' &&
      event.identity.kind === 'iam-role' &&
      event.identity.sessionName !== undefined &&
      INSTANCE_SESSION.test(event.identity.sessionName);
    if (prev === undefined && !isInstanceCredential) return undefined;
    // The common case: a workload inside AWS whose credential never left it.
    if (o.isAws && prev !== undefined && !prev.hasOutside) return undefined;

    const reason = replayReason(event, prev, isInstanceCredential, num(ctx.thresholds, 'minPriorUses'));
    if (reason === undefined) return undefined;

    const severity: Severity =
      reason === 'outside-to-aws' || (reason === 'new-asn' && !SHORT_LIVED.has(cred.kind))
        ? 'MEDIUM'
        : 'HIGH';
    const evidence = [
      prev
        ? `${cred.kind} ${id}: first used ${iso(prev.f)}, last ${iso(prev.l)}, earlier uses: ${prev.n}`
        : `${cred.kind} ${id}: no earlier use recorded`,
    ];
    if (prev)
      evidence.push(
        `earlier origins: ${formatTally(new Map(entriesOf(prev.origins).map(([k, v]) => [k, v.n])))} (${sides(prev)})`,
      );
    evidence.push(`now from ${describeOrigin(event)}`, EXPLANATION[reason](event));
    return {
      discriminator: `credential:${id}`,
      summary: `${cred.kind} ${id} of ${event.identity.name ?? event.identity.key} ${SUMMARY[reason]}`,
      evidence,
      severity,
    };
  },
};

/**
 * EC2 instance-profile credentials (session name = instance id) that the instance used from its own
 * AWS network, now presented from another AWS network or from a private address that is not a VPC
 * endpoint: another host holds a copy. Returns the instance's own networks, or undefined.
 */
function instanceElsewhere(
  event: IdentityEvent,
  prev: CredentialState | undefined,
  minOwnUses: number,
): string | undefined {
  const o = event.origin;
  const session = event.identity.sessionName;
  if (event.credential.kind !== 'session-key' || session === undefined || !INSTANCE_SESSION.test(session))
    return undefined;
  if (prev === undefined || prev.nets === undefined || o.network === undefined) return undefined;
  // Compared within one address family: a dual-stack instance calls from an IPv4 and an IPv6 network.
  const isV6 = o.network.includes(':');
  const nets = prev.nets;
  const own = keysOf(nets).filter((k) => !k.startsWith('priv:') && k.includes(':') === isV6);
  let ownUses = 0;
  for (const k of own) ownUses += getOwn(nets, k)?.n ?? 0;
  if (own.length === 0 || ownUses < Math.max(1, minOwnUses)) return undefined;
  let key: string;
  if (o.isAws) key = o.network;
  else if (o.isPrivate && o.vpcEndpointId === undefined) key = `priv:${o.network}`;
  else return undefined;
  if (hasOwn(prev.nets, key)) return undefined;
  return own.slice(0, 5).join(', ');
}

/** Why this use cannot be the same workload as the earlier ones, or undefined. */
function replayReason(
  event: IdentityEvent,
  prev: CredentialState | undefined,
  isInstanceCredential: boolean,
  minPriorUses: number,
): Reason | undefined {
  const o = event.origin;
  if (isInstanceCredential) return 'instance-outside';
  if (prev === undefined || prev.n < minPriorUses) return undefined;
  if (o.isAws) return prev.hasOutside ? 'outside-to-aws' : undefined;
  if (prev.hasAwsNetwork === true) return 'aws-to-outside';
  if (prev.hasOutside && o.asn !== undefined && !hasOwn(prev.origins, `AS${o.asn}`) && hasAsn(prev.origins))
    return 'new-asn';
  return undefined;
}

const hasAsn = (origins: Dimension): boolean => {
  for (const k of keysOf(origins)) if (k.startsWith('AS')) return true;
  return false;
};

const sides = (c: CredentialState): string =>
  c.hasAwsNetwork === true && c.hasOutside
    ? 'inside and outside AWS'
    : c.hasAwsNetwork === true
      ? 'AWS networks only'
      : c.hasOutside
        ? 'outside AWS only'
        : 'private or service origins only';

const SUMMARY: Record<Reason, string> = {
  'instance-outside': 'is EC2 instance-profile credentials used outside AWS',
  'instance-elsewhere': 'is EC2 instance-profile credentials used from another host inside AWS',
  'aws-to-outside': 'was used inside AWS and is now presented from outside AWS',
  'outside-to-aws': 'was used outside AWS and is now presented from an AWS address',
  'new-asn': 'is presented from a network it was never used from',
};

const EXPLANATION: Record<Reason, (e: IdentityEvent) => string> = {
  'instance-outside': (e) =>
    `session ${e.identity.sessionName ?? ''} marks EC2 instance-profile credentials: only that instance can fetch them from its metadata service, and it calls from AWS addresses`,
  'instance-elsewhere': (e) =>
    `session ${e.identity.sessionName ?? ''} marks EC2 instance-profile credentials: the instance calls from its own network, so a call from another AWS network (or a private address that is not a VPC endpoint) is another host using a copy`,
  'aws-to-outside': () => 'a credential that lived inside AWS left it: a copy is in use outside the workload',
  'outside-to-aws': () =>
    'a credential used only outside AWS so far is now presented from an AWS address (another host holds a copy)',
  'new-asn': (e) =>
    `AS${e.origin.asn ?? '?'} is new for this credential: every earlier use came from other networks`,
};
