/**
 * Diff an integration contract against a baseline: what the identity did that its contract does
 * not allow (`nhi-watch contracts diff`), the review list before enforcing and the drift report after. Pure.
 */
import type { Dimension, IdentityBaseline } from './baseline.js';
import { cidrContains, isPrivateCidr, parseCidr } from './cidr.js';
import { activeHours } from './contract-draft.js';
import { CONTRACT_FIELD_ORDER } from './contracts-file.js';
import type { Contract } from './contracts.js';
import { firstMatchingGlob, matchesGlob } from './glob.js';
import { entriesOf } from './safe-record.js';

/** One thing a baseline did that its contract does not allow. */
export interface ContractDiffEntry {
  /** The contract field that does not allow it. */
  readonly field: string;
  /** The observed value (`AS14061`, an action, `hour 03`, …). */
  readonly value: string;
  /** Calls with that value (for hours: the mean calls in that hour of day). */
  readonly calls: number;
  readonly lastSeenMs?: number;
}

function undeclared(
  field: string,
  dim: Dimension,
  isAllowed: (value: string) => boolean,
  label: (value: string) => string = (v) => v,
): ContractDiffEntry[] {
  return entriesOf(dim)
    .filter(([v]) => !isAllowed(v))
    .map(([v, s]) => ({ field, value: label(v), calls: s.n, lastSeenMs: s.l }));
}

/** Whether a whole observed network (/24, /48) lies inside one of the allowed blocks. */
function networkAllowed(network: string, allowed: readonly string[]): boolean {
  const n = parseCidr(network);
  if (!n.ok) return false;
  return allowed.some((a) => {
    const c = parseCidr(a);
    return (
      c.ok &&
      c.value.prefix <= n.value.prefix &&
      cidrContains(c.value, { version: n.value.version, bytes: n.value.bytes })
    );
  });
}

/**
 * What the baseline did that the contract does not allow, most used first within each field: the
 * review list before a contract is enforced, and the drift report afterwards. Public networks are
 * judged by ASN when the contract lists ASNs.
 */
export function diffContract(c: Contract, b: IdentityBaseline): ContractDiffEntry[] {
  const d = b.dims;
  const out: ContractDiffEntry[] = [];
  if (c.allowedCredentialKinds) {
    const kinds = c.allowedCredentialKinds;
    out.push(
      ...undeclared('allowedCredentialKinds', d.credentialKinds, (k) => k === 'unknown' || kinds.includes(k)),
    );
  }
  if (c.allowedAsns) {
    const asns = c.allowedAsns;
    out.push(
      ...undeclared(
        'allowedAsns',
        d.asns,
        (a) => asns.includes(Number(a)),
        (a) => `AS${a}`,
      ),
    );
  }
  if (c.allowedNetworks) {
    const nets = c.allowedNetworks;
    const hasAsns = c.allowedAsns !== undefined;
    out.push(
      ...undeclared('allowedNetworks', d.networks, (n) => {
        if (networkAllowed(n, nets)) return true;
        const parsed = parseCidr(n);
        return hasAsns && parsed.ok && !isPrivateCidr(parsed.value);
      }),
    );
  }
  if (c.allowedVpcEndpoints) {
    const vpces = c.allowedVpcEndpoints;
    out.push(...undeclared('allowedVpcEndpoints', d.vpcEndpoints, (v) => vpces.includes(v)));
  }
  if (c.allowedActions) {
    const actions = c.allowedActions;
    out.push(...undeclared('allowedActions', d.actions, (a) => firstMatchingGlob(actions, a) !== undefined));
  }
  if (c.allowedScopes) {
    const scopes = c.allowedScopes;
    out.push(...undeclared('allowedScopes', d.scopes, (s) => firstMatchingGlob(scopes, s) !== undefined));
  }
  if (c.userAgentPatterns) {
    const patterns = c.userAgentPatterns;
    out.push(
      ...undeclared('userAgentPatterns', d.uaFamilies, (f) => patterns.some((p) => matchesGlob(p, f, true))),
    );
  }
  if (c.activeHoursUtc) {
    const { start, end } = c.activeHoursUtc;
    for (const h of [...activeHours(b)].sort((x, y) => x - y)) {
      const inside = start < end ? h >= start && h < end : h >= start || h < end;
      if (!inside)
        out.push({
          field: 'activeHoursUtc',
          value: `hour ${String(h).padStart(2, '0')}`,
          calls: b.rate.slots[h]?.m ?? 0,
        });
    }
  }
  const maxPerHour = c.rateEnvelope?.maxPerHour;
  const peak = Math.max(b.rate.peak, b.rate.bucketCount);
  if (maxPerHour !== undefined && peak > maxPerHour) {
    out.push({ field: 'rateEnvelope.maxPerHour', value: `busiest hour ${peak} calls`, calls: peak });
  }
  const order = new Map(CONTRACT_FIELD_ORDER.map((f, i) => [f, i]));
  const rank = (f: string) => order.get(f.split('.')[0] as string) ?? CONTRACT_FIELD_ORDER.length;
  return out.sort(
    (x, y) => rank(x.field) - rank(y.field) || y.calls - x.calls || (x.value < y.value ? -1 : 1),
  );
}
