import { calls, formatTime, historyLine } from '../baseline-facts.js';
import {
  SENSITIVE_ACTION_BY_ID,
  isCataloguedCall,
  type SensitiveAction,
} from '../catalogue/sensitive-actions.js';
import { firstMatchingGlob } from '../glob.js';
import { entriesOf, getOwn } from '../safe-record.js';
import type { IdentityBaseline } from '../baseline.js';
import type { IdentityEvent } from '../identity-event.js';
import { describePopulation, isPopulationMature, populationAction } from '../priors.js';
import { describeOrigin, duration } from './evidence.js';
import { flag, num, type DetectionRule, type RuleContext, type Severity } from './rule.js';

const DAY_MS = 86_400_000;
const LEVELS: readonly Severity[] = ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];
const LEVEL: Record<SensitiveAction['severity'], number> = { LOW: 1, MEDIUM: 2, HIGH: 3 };

/** Roles AWS creates and uses itself (service-linked roles): their calls are AWS's, not a workload's. */
export const isServiceLinkedRole = (e: IdentityEvent): boolean =>
  (e.identity.principal?.includes(':role/aws-service-role/') ?? false) ||
  (e.identity.name?.startsWith('AWSServiceRoleFor') ?? false);

/** A call that failed for another reason than a denial (bad parameters, missing resource, dry run) changed nothing. */
const failedWithoutEffect = (e: IdentityEvent): boolean =>
  e.outcome.authz !== 'denied' && e.outcome.errorCode !== undefined && e.outcome.errorCode !== '';

/**
 * The identity's own routine of catalogued changes to one service, other than `name`: how many
 * distinct such actions, their calls, and the days between the first and the last.
 */
function serviceRoutine(
  b: IdentityBaseline,
  name: string,
): { distinct: number; calls: number; spanMs: number; service: string } | undefined {
  const colon = name.indexOf(':');
  if (colon <= 0) return undefined;
  const service = name.slice(0, colon);
  let distinct = 0;
  let n = 0;
  let first = Infinity;
  let last = -Infinity;
  for (const [action, stat] of entriesOf(b.dims.actions)) {
    if (action === name || !action.startsWith(`${service}:`)) continue;
    if (!isCataloguedCall(service, action.slice(colon + 1))) continue;
    distinct += 1;
    n += stat.n;
    if (stat.f < first) first = stat.f;
    if (stat.l > last) last = stat.l;
  }
  return distinct === 0 ? undefined : { distinct, calls: n, spanMs: last - first, service };
}

/** What the contract says about the action: declared, outside, or nothing (no action list). */
function contractSays(event: IdentityEvent, ctx: RuleContext): 'declared' | 'outside' | undefined {
  const allowed = ctx.contract?.allowedActions;
  if (allowed === undefined) return undefined;
  return firstMatchingGlob(allowed, event.action.name) === undefined ? 'outside' : 'declared';
}

/**
 * A catalogued sensitive action (defense evasion, persistence, privilege escalation, exposure,
 * execution…) by a non-human identity, judged from its first event: severity from the catalogue,
 * weighed by the identity's own history, its peers and its account.
 */
export const sensitiveAction: DetectionRule = {
  id: 'sensitive-action',
  title: 'Sensitive action by a non-human identity',
  severity: 'MEDIUM',
  asffTypes: [
    'TTPs/Defense Evasion',
    'TTPs/Persistence',
    'TTPs/Privilege Escalation',
    'Effects/Data Exposure',
  ],
  references: [
    'OWASP-NHI:NHI5',
    'OWASP-NHI:NHI7',
    'NIST-CSF-2.0:DE.CM-09',
    'NIST-CSF-2.0:DE.AE-02',
    'MITRE:T1562.008',
    'MITRE:T1098',
    'MITRE:T1537',
  ],
  falsePositives: [
    'Deployment and platform pipelines change IAM, logging and sharing as their job: once the identity has done an action often enough over several days (routineMinCalls, routineMinDays) it is quiet; declare such actions in the identity’s contract to lower the severity at once.',
    'An identity that already makes several other catalogued changes to the same service over days (an IAM reconciler, a Terraform role: routineServiceActions) is administering it: a change it has not made before is one level lower, not silent.',
    'Security tooling (scanners, Config, CSPM) and AWS service-linked roles read and change configuration; service-linked roles are ignored, calls made through an AWS service are lowered one level.',
    'People in the console or on SSO sessions are reported LOW at most: nhi-watch watches workloads; the finding stays as an audit trail.',
  ],
  runbook:
    'Confirm with the owner of the identity that the change was intended (a change ticket, a pipeline run); if not, revert the change (restart logging, remove the policy, unshare the snapshot), revoke the identity’s sessions and rotate its credentials, then search CloudTrail for what else it did since its first sensitive call.',
  defaults: {
    /** Calls of the action in the identity's own history that make it routine (with routineMinDays). */
    routineMinCalls: 5,
    /** Days between the identity's first and last call of the action that make it routine. */
    routineMinDays: 3,
    /** Other catalogued actions of the same service in the identity's own history (with routineMinCalls calls over routineMinDays) that make it an administrator of the service (one level lower). */
    routineServiceActions: 3,
    /** Identities of the same kind in the account already doing the action that make it common for peers (one level lower). */
    peerCommonIdentities: 3,
    /** Days of account history before "first time anyone in this account" counts (one level higher). */
    populationMatureDays: 7,
    /** Identities the account must have shown before "first time anyone in this account" counts. */
    populationMatureIdentities: 3,
    /** One level higher when a long-lived access key makes the call, and it takes effect, from a public address outside AWS: the credential most often leaked, used where no workload role runs. */
    staticKeyOutsideAws: true,
  },
  needsLearning: false,
  detect: (event, ctx) => {
    const match = event.action.sensitive;
    if (match === undefined) return undefined;
    const entry = SENSITIVE_ACTION_BY_ID.get(match.id);
    if (entry === undefined || entry.signal !== 'single') return undefined;
    if (event.outcome.authn === 'failure' || failedWithoutEffect(event) || isServiceLinkedRole(event))
      return undefined;

    const t = ctx.thresholds;
    const name = event.action.name;
    const b = ctx.baseline;
    const own = getOwn(b.dims.actions, name);
    if (own && own.n >= num(t, 'routineMinCalls') && own.l - own.f >= num(t, 'routineMinDays') * DAY_MS)
      return undefined;

    const who = event.identity.name ?? event.identity.key;
    const refs = [...entry.mitre.map((m) => `MITRE ${m}`), ...entry.owasp.map((o) => `OWASP ${o}`)].join(
      ', ',
    );
    const evidence: string[] = [
      `${name}${event.action.resource !== undefined ? ` on ${event.action.resource}` : ''}: ${entry.why} (${entry.tactic}; ${refs})`,
    ];
    let level = LEVEL[entry.severity];

    if (own) {
      evidence.push(
        `${who} did it ${calls(own.n)} before, first ${formatTime(own.f)}: not yet routine (${num(t, 'routineMinCalls')} calls over ${num(t, 'routineMinDays')} days)`,
      );
    } else if (b.eventCount === 0) {
      evidence.push(`${who} is new: this is its first call seen`);
    } else {
      evidence.push(`first time for ${who}; ${historyLine(b)}`);
    }
    const routine = serviceRoutine(b, name);
    if (
      routine !== undefined &&
      routine.distinct >= num(t, 'routineServiceActions') &&
      routine.calls >= num(t, 'routineMinCalls') &&
      routine.spanMs >= num(t, 'routineMinDays') * DAY_MS
    ) {
      level -= 1;
      evidence.push(
        `${who} administers ${routine.service} routinely: ${routine.distinct} other catalogued actions of it, ${calls(routine.calls)} over ${duration(routine.spanMs)}`,
      );
    }

    const priors = ctx.priors;
    const peers = populationAction(priors?.kind, name);
    const inAccount = populationAction(priors?.account, name);
    if (priors?.kind !== undefined && peers !== undefined && peers.i >= num(t, 'peerCommonIdentities')) {
      level -= 1;
      evidence.push(
        `common for its peers: ${peers.i} ${priors.peerKind} identities of the account do it (${calls(peers.n)} since ${formatTime(peers.f)})`,
      );
    } else if (
      inAccount === undefined &&
      isPopulationMature(
        priors?.account,
        event.timeMs,
        num(t, 'populationMatureDays'),
        num(t, 'populationMatureIdentities'),
      )
    ) {
      level += 1;
      evidence.push(`first time anyone in the account did it; ${describePopulation(priors.account)}`);
    } else if (inAccount !== undefined) {
      evidence.push(
        `seen in the account before: ${inAccount.i} identities, ${calls(inAccount.n)} since ${formatTime(inAccount.f)}`,
      );
    }

    const contract = contractSays(event, ctx);
    if (contract === 'declared') {
      level -= 1;
      evidence.push('declared in the identity’s contract (allowedActions)');
    } else if (contract === 'outside') {
      level += 1;
      evidence.push('outside the identity’s contract (allowedActions)');
    }

    const o = event.origin;
    if (
      flag(t, 'staticKeyOutsideAws') &&
      event.outcome.authz !== 'denied' &&
      event.credential.kind === 'long-lived-key' &&
      o.isIp &&
      !o.isAws &&
      !o.isPrivate &&
      o.awsService === undefined
    ) {
      level += 1;
      evidence.push(
        'made with a long-lived access key from a public address outside AWS: the credential most often leaked, used where no workload role runs',
      );
    }

    if (event.outcome.authz === 'denied') {
      level -= 1;
      evidence.push(`denied (${event.outcome.errorCode ?? 'access denied'}): an attempt, nothing changed`);
    }
    if (o.awsService !== undefined || o.userAgentClass === 'aws-internal') {
      level -= 1;
      evidence.push(`made through ${o.awsService ?? 'an AWS service'} on the identity’s behalf`);
    }
    if (priors?.peerKind === 'human' || o.userAgentClass === 'console' || o.userAgentClass === 'browser') {
      level = Math.min(level, 1);
      evidence.push('a person’s session (console, browser or SSO): reported LOW at most');
    }
    if (level <= 0) return undefined;
    if (!ctx.isLearned && b.eventCount > 0)
      evidence.push(
        `during ${who}’s learning period (${calls(b.eventCount)} over ${duration(event.timeMs - b.firstSeenMs)})`,
      );
    evidence.push(`from ${describeOrigin(event)}`);

    return {
      discriminator: `sensitive:${entry.id}`,
      summary: `${who} ${entry.why} (${name})`,
      evidence,
      severity: LEVELS[Math.min(level, 4)] as Severity,
    };
  },
};
