/**
 * Output formats of the `nhi-watch` command: a findings table for people, a detail view with the
 * whole evidence and runbook, JSON Lines for tools, ASFF for Security Hub. Attacker-controlled
 * text is neutralised before it reaches a terminal.
 */
import { toAsff } from '../lambdas/core/asff.js';
import { neutralise } from '../lambdas/core/alert.js';
import { clean } from '../lambdas/core/neutralise.js';
import { severityRank, type Finding } from '../lambdas/core/finding.js';
import { scrubFinding } from '../lambdas/core/secrets.js';

/** Output formats of `replay`. */
export const FORMATS = ['table', 'detail', 'jsonl', 'asff', 'ocsf'] as const;
/** One output format. */
export type Format = (typeof FORMATS)[number];

const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

/** Findings sorted most severe first, then by first sighting. */
export const sortFindings = (findings: readonly Finding[]): Finding[] =>
  [...findings].sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) ||
      a.firstSeenMs - b.firstSeenMs ||
      a.id.localeCompare(b.id),
  );

/** Where ASFF output is imported: the Security Hub account and region. */
export interface AsffTarget {
  readonly region: string;
  readonly accountId: string;
}

/**
 * One finding as a JSON Lines record: the fields tools key on, plus the ASFF form when the
 * importing account and region are known (`ctx`); without them there is no valid ProductArn.
 */
export function findingRecord(finding: Finding, ctx: AsffTarget | undefined): Record<string, unknown> {
  const f = scrubFinding(finding);
  const record: Record<string, unknown> = {
    id: f.id,
    ruleId: f.ruleId,
    severity: f.severity,
    identityKey: f.identityKey,
    credentialId: f.credentialId ?? null,
    title: f.title,
    summary: f.summary,
    firstSeen: iso(f.firstSeenMs),
    lastSeen: iso(f.lastSeenMs),
    count: f.count,
    sourceIp: f.sourceIp ?? null,
    asn: f.asn ?? null,
    asOrg: f.asOrg ?? null,
    country: f.country ?? null,
    action: f.action,
    evidence: f.evidence,
    eventIds: f.eventIds,
    runbook: f.runbook,
  };
  if (ctx !== undefined) record.asff = toAsff(f, ctx);
  return record;
}

function pad(text: string, width: number): string {
  const t = text.length > width ? `${text.slice(0, width - 1)}…` : text;
  return t.padEnd(width);
}

/** Shortens an identity key for the table: `aws:123456789012:role/deployer` → `role/deployer (…9012)`. */
export function shortIdentity(key: string): string {
  const m = /^aws:(\d{12}):(.+)$/.exec(key);
  if (m) return `${m[2]} (…${(m[1] as string).slice(-4)})`;
  return key;
}

/** A fixed-width table of findings and a per-rule summary, for a terminal. */
export function renderTable(unscrubbed: readonly Finding[], width = 160): string {
  const findings = unscrubbed.map(scrubFinding);
  const lines: string[] = [];
  const cols = { sev: 8, rule: 22, identity: 36, cred: 22, origin: 34, count: 5, first: 20 };
  const summaryWidth = Math.max(72, width - Object.values(cols).reduce((a, b) => a + b + 1, 0));
  lines.push(
    [
      pad('SEVERITY', cols.sev),
      pad('RULE', cols.rule),
      pad('IDENTITY', cols.identity),
      pad('CREDENTIAL', cols.cred),
      pad('ORIGIN', cols.origin),
      pad('COUNT', cols.count),
      pad('FIRST SEEN', cols.first),
      'WHAT',
    ].join(' '),
  );
  for (const f of sortFindings(findings)) {
    const origin = [f.sourceIp, f.asn !== undefined ? `AS${f.asn}` : undefined, f.asOrg, f.country]
      .filter(Boolean)
      .join(' ');
    lines.push(
      [
        pad(f.severity, cols.sev),
        pad(f.ruleId, cols.rule),
        pad(clean(shortIdentity(f.identityKey), 200), cols.identity),
        pad(clean(f.credentialId ?? '-', 64), cols.cred),
        pad(clean(origin || '-', 200), cols.origin),
        pad(String(f.count), cols.count),
        pad(iso(f.firstSeenMs), cols.first),
        neutralise(f.summary, summaryWidth),
      ].join(' '),
    );
  }
  const byRule = new Map<string, number>();
  for (const f of findings) byRule.set(f.ruleId, (byRule.get(f.ruleId) ?? 0) + 1);
  lines.push('');
  lines.push(
    `${findings.length} finding(s) from ${byRule.size} rule(s): ${[...byRule]
      .sort((a, b) => b[1] - a[1])
      .map(([r, n]) => `${r} ${n}`)
      .join(', ')}`,
  );
  return lines.join('\n');
}

/** Bound of one line of the detail view: long enough that no real evidence or runbook is cut. */
const DETAIL_MAX = 8_000;

/**
 * Every finding in full, for a person reading one incident: the title, who, credential, origin,
 * action, time span, then each evidence line and the runbook uncut (only neutralised).
 */
export function renderDetail(unscrubbed: readonly Finding[]): string {
  const findings = unscrubbed.map(scrubFinding);
  const n = (v: string | number | undefined): string => neutralise(v, DETAIL_MAX);
  const blocks: string[] = [];
  for (const f of sortFindings(findings)) {
    const lines: string[] = [`${f.severity}  ${n(f.title)}`, `  id          ${n(f.id)}`];
    const row = (label: string, value: string | undefined): void => {
      if (value !== undefined && value !== '') lines.push(`  ${label.padEnd(12)}${value}`);
    };
    row('rule', n(f.ruleId));
    row('what', n(f.summary));
    row('identity', `${n(f.identityKey)} (${f.identityKind})`);
    if (f.principal !== undefined && f.principal !== f.identityKey) row('principal', n(f.principal));
    row('session', n(f.sessionName));
    row('account', n(f.accountId));
    row('credential', `${n(f.credentialId ?? '-')} (${f.credentialKind})`);
    const origin = [f.sourceIp, f.asn !== undefined ? `AS${f.asn}` : undefined, f.asOrg, f.country]
      .filter((x) => x !== undefined && x !== '')
      .map((x) => n(x))
      .join(' ');
    row('origin', origin);
    row('user agent', n(f.userAgent));
    row('action', [n(f.action), f.resource !== undefined ? `on ${n(f.resource)}` : ''].join(' ').trim());
    row('region', n(f.region));
    row(
      'seen',
      `${iso(f.firstSeenMs)} to ${iso(f.lastSeenMs)} (${f.count} event${f.count === 1 ? '' : 's'})`,
    );
    row('event ids', f.eventIds.map((id) => n(id)).join(', '));
    row('references', f.references.join(', '));
    if (f.evidence.length > 0) {
      lines.push('  evidence');
      for (const e of f.evidence) lines.push(`    - ${n(e)}`);
    }
    if (f.runbook !== '') lines.push('  runbook', `    ${n(f.runbook)}`);
    blocks.push(lines.join('\n'));
  }
  blocks.push(`${findings.length} finding(s)`);
  return blocks.join('\n\n');
}
