/**
 * SNS alert rendering: a short subject and a readable plain-text body for people (e-mail), the
 * finding JSON for machines, and message attributes subscribers can filter on. Every
 * attacker-influenced string (user agent, path, session name, resource, organisation name) goes
 * through {@link neutralise} before it reaches the subject or the body, and every finding through
 * {@link scrubFinding} (no secret-shaped text leaves, whatever made the finding).
 */
import { describeChain } from './chains.js';
import type { Finding, Maturity } from './finding.js';
import { severityRank } from './finding.js';
import { clean, neutralise } from './neutralise.js';
import { scrubFinding } from './secrets.js';
import type { Severity } from './classification.js';

export { neutralise } from './neutralise.js';

/** An SNS message attribute (the shape of the SDK's `MessageAttributeValue` for string data). */
export interface SnsStringAttribute {
  /** `String.Array` values are a JSON array; SNS filter policies match any element. */
  readonly DataType: 'String' | 'String.Array';
  readonly StringValue: string;
}

/** One SNS message, ready to publish. */
export interface RenderedAlert {
  /** SNS Subject: printable ASCII, no line breaks, under 100 characters. */
  readonly subject: string;
  /** Plain-text body for e-mail. */
  readonly body: string;
  /** The finding (or, for a digest, `{kind, count, bySeverity, findings, omitted}`) as JSON, for machines. */
  readonly json: string;
  /** Message attributes: `kind`, `severity`, `ruleId`, `identity`, `account` (at most 10, the SQS raw-delivery limit). */
  readonly attributes: Readonly<Record<string, SnsStringAttribute>>;
}

/** Where findings can be looked up in Security Hub, for the pointer in the body. */
export interface SecurityHubLocation {
  readonly region: string;
  readonly accountId: string;
}

/** Options of {@link renderAlert}, {@link renderDigest} and {@link renderAlerts}. */
export interface AlertOptions {
  /** When set, the body says where the finding is in Security Hub (with a console link). @default no pointer (local runs) */
  readonly securityHub?: SecurityHubLocation;
  /** Evidence lines shown per finding. @default 20 */
  readonly maxEvidenceLines?: number;
  /** Findings listed in a digest body; the rest are counted. @default 50 */
  readonly maxDigestLines?: number;
  /** Upper bound of `json` in bytes (SNS messages are at most 256 KB in total). @default 120000 */
  readonly maxJsonBytes?: number;
  /** More findings than this in one batch are sent as one digest. @default 10 */
  readonly digestThreshold?: number;
}

const SUBJECT_MAX = 99;
const FIELD_MAX = 300;
const LABEL_WIDTH = 14;
const ATTRIBUTE_MAX = 1024;
const ATTRIBUTE_ARRAY_MAX = 100;

/** Render one finding as an SNS alert. */
export function renderAlert(finding: Finding, opts: AlertOptions = {}): RenderedAlert {
  const f = scrubFinding(finding);
  const subject = neutralise(
    `nhi-watch: ${f.severity} ${f.title} (${neutralise(who(f), 40, { ascii: true })})`,
    SUBJECT_MAX,
    {
      ascii: true,
    },
  );
  const attributes: Record<string, SnsStringAttribute> = {
    kind: str('finding'),
    severity: str(f.severity),
    ruleId: str(f.ruleId),
    identity: str(f.identityKey),
  };
  const account = f.accountId;
  if (account !== undefined && account !== '') attributes.account = str(account);
  if (f.incident !== undefined) attributes.incident = str(f.incident.id);
  return {
    subject,
    body: body(f, opts),
    json: boundedFindingJson(f, opts.maxJsonBytes ?? 120_000),
    attributes,
  };
}

/** Render many findings of one batch as a single digest message. */
export function renderDigest(findings: readonly Finding[], opts: AlertOptions = {}): RenderedAlert {
  const sorted = findings
    .map(scrubFinding)
    .sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || b.lastSeenMs - a.lastSeenMs);
  const bySeverity = countBy(sorted, (f) => f.severity);
  const identities = new Set(sorted.map((f) => f.identityKey));
  const notable = (['CRITICAL', 'HIGH', 'MEDIUM'] as const)
    .filter((s) => bySeverity.has(s))
    .map((s) => `${bySeverity.get(s)} ${s}`);
  const counts = notable.length > 0 ? ` (${notable.join(', ')})` : '';
  const subject = neutralise(
    `nhi-watch: ${plural(sorted.length, 'finding')}${counts} across ${plural(identities.size, 'identity', 'identities')}`,
    SUBJECT_MAX,
    { ascii: true },
  );

  const maxLines = opts.maxDigestLines ?? 50;
  const lines: string[] = [
    `nhi-watch found ${plural(sorted.length, 'finding')} on ${plural(identities.size, 'identity', 'identities')} in one batch.`,
    '',
    `By severity  ${[...bySeverity].map(([s, n]) => `${s} ${n}`).join(', ')}`,
    `By rule      ${[...countBy(sorted, (f) => f.ruleId)].map(([r, n]) => `${neutralise(r, 64)} ${n}`).join(', ')}`,
    '',
  ];
  for (const f of sorted.slice(0, maxLines)) {
    const from =
      f.sourceIp !== undefined
        ? ` from ${neutralise(f.sourceIp, 64)}${f.asn !== undefined ? ` AS${f.asn}` : ''}`
        : '';
    const times = f.count > 1 ? ` x${f.count}` : '';
    lines.push(
      `${f.severity.padEnd(13)} ${neutralise(f.ruleId, 64)}  ${neutralise(who(f), 80)}${from}${times}  ${utc(f.lastSeenMs)}`,
    );
    lines.push(`${' '.repeat(14)}${neutralise(f.summary, 200)}`);
    lines.push(`${' '.repeat(14)}id ${f.id}`);
    if (f.incident !== undefined)
      lines.push(
        `${' '.repeat(14)}incident ${f.incident.id} (${plural(f.incident.findings, 'finding')} since ${utc(f.incident.startMs)})`,
      );
  }
  if (sorted.length > maxLines)
    lines.push(
      '',
      `... and ${plural(sorted.length - maxLines, 'more finding')}, in the JSON attachment and Security Hub.`,
    );
  const hub = opts.securityHub;
  if (hub) {
    lines.push('', `Security Hub: account ${hub.accountId}, region ${hub.region}, product name nhi-watch.`);
    const url = consoleFindingsUrl(hub.region, 'ProductName', 'nhi-watch');
    if (url !== undefined) lines.push(url);
  }

  const attributes: Record<string, SnsStringAttribute> = {
    kind: str('digest'),
    severity: arr(sorted.map((f) => f.severity)),
    ruleId: arr(sorted.map((f) => f.ruleId)),
    identity: arr(sorted.map((f) => f.identityKey)),
  };
  const accounts = sorted.map((f) => f.accountId).filter((a): a is string => a !== undefined && a !== '');
  if (accounts.length > 0) attributes.account = arr(accounts);
  const incidents = sorted.map((f) => f.incident?.id).filter((a): a is string => a !== undefined);
  if (incidents.length > 0) attributes.incident = arr(incidents);
  return {
    subject,
    body: `${lines.join('\n')}\n`,
    json: digestJson(sorted, bySeverity, opts.maxJsonBytes ?? 120_000),
    attributes,
  };
}

/** A batch's alerts: one message per finding, or a single digest when there are more than `digestThreshold`. */
export function renderAlerts(findings: readonly Finding[], opts: AlertOptions = {}): RenderedAlert[] {
  if (findings.length === 0) return [];
  if (findings.length > (opts.digestThreshold ?? 10)) return [renderDigest(findings, opts)];
  return findings.map((f) => renderAlert(f, opts));
}

/** How much history a finding was judged against, for people. */
function maturityText(m: Maturity): string {
  const dims = Object.entries(m.distinct)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ');
  const history =
    m.calls === 0
      ? 'none: the identity’s first call'
      : `${m.days} days, ${m.calls} calls${dims !== '' ? ` (${dims})` : ''}`;
  const priors = m.priors.length > 0 ? `; priors: ${m.priors.join('; ')}` : '';
  return `${history}; ${m.isLearned ? 'learning complete' : 'during learning'}${priors}`;
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** Who a finding is about, for people: name, else principal, else key. */
const who = (f: Finding): string => f.identityName ?? f.principal ?? f.identityKey;

/** `s3.amazonaws.com:GetObject` → `s3:GetObject` (IAM notation); API routes unchanged. */
function displayAction(action: string): string {
  const m = /^([a-z0-9-]+)\.amazonaws\.com:([A-Za-z0-9]+)$/.exec(action);
  return m ? `${m[1]}:${m[2]}` : action;
}

const utc = (ms: number): string => `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;

function body(f: Finding, opts: AlertOptions): string {
  const n = (text: string | number | undefined, max = FIELD_MAX): string => neutralise(text, max);
  const out: string[] = [`${f.severity}: ${n(f.title, 256)}`, ''];
  const row = (label: string, value: string): void => {
    if (value !== '') out.push(`${label.padEnd(LABEL_WIDTH)}${value}`);
  };
  const cont = (value: string): void => {
    if (value !== '') out.push(`${' '.repeat(LABEL_WIDTH)}${value}`);
  };

  row('What', n(f.summary, 600));
  row(
    'Who',
    `${n(who(f), 200)} (${f.identityKind})${f.accountId !== undefined ? ` in account ${n(f.accountId, 32)}` : ''}`,
  );
  if (f.principal !== undefined && f.principal !== who(f)) cont(n(f.principal));
  if (f.identityKey !== who(f) && f.identityKey !== f.principal) cont(`key ${n(f.identityKey)}`);
  if (f.sessionName !== undefined) row('Session', n(f.sessionName, 128));
  row(
    'Credential',
    f.credentialId !== undefined ? `${n(f.credentialId, 128)} (${f.credentialKind})` : f.credentialKind,
  );
  if (f.chain !== undefined) row('Chain', n(describeChain(f.chain), 600));
  const network = [f.asn !== undefined ? `AS${f.asn}` : '', n(f.asOrg, 128)]
    .filter((x) => x !== '')
    .join(' ');
  const place = [network, f.country !== undefined ? `country ${n(f.country, 8)}` : '']
    .filter((x) => x !== '')
    .join('; ');
  row('From', [n(f.sourceIp, 128), place !== '' ? `(${place})` : ''].filter((x) => x !== '').join(' '));
  if (f.userAgent !== undefined) row('User agent', n(f.userAgent, 256));
  const where = [
    f.resource !== undefined ? `on ${n(f.resource)}` : '',
    f.region !== undefined ? `in ${n(f.region, 32)}` : '',
  ];
  row('Action', [n(displayAction(f.action)), ...where].filter((x) => x !== '').join(' '));
  row(
    'When',
    f.count > 1 || f.lastSeenMs !== f.firstSeenMs
      ? `${utc(f.firstSeenMs)} to ${utc(f.lastSeenMs)} (${f.count} events)`
      : `${utc(f.firstSeenMs)} (1 event)`,
  );

  if (f.items !== undefined && f.items.length > 0) {
    row('Breached', n(f.items[0], 200));
    for (const item of f.items.slice(1, 20)) cont(n(item, 200));
    if (f.items.length > 20) cont(`(${f.items.length - 20} more in the finding JSON)`);
  }
  if (f.maturity !== undefined) row('History', n(maturityText(f.maturity), 600));

  const inc = f.incident;
  if (inc !== undefined) {
    out.push(
      '',
      `Incident ${inc.id}: ${plural(inc.findings, 'finding')} of this identity since ${utc(inc.startMs)}, highest ${inc.severity}${
        f.alert === true && inc.alerts > 1 ? ' (this alert: the severity rose)' : ''
      }`,
    );
    const c = inc.campaign;
    if (c !== undefined) {
      const shown = c.identityKeys.slice(0, 5).map((k) => n(k, 200));
      const more = c.identities - shown.length;
      out.push(
        `  One source, ${n(c.source, 64)}, acted on ${plural(c.identities, 'identity', 'identities')} (${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}): their findings share this incident and its alerts.`,
      );
    }
    for (const x of inc.facts)
      out.push(
        `  ${utc(x.atMs).slice(11, 19)}  ${x.severity.padEnd(13)} ${n(x.ruleId, 64)}: ${n(x.text, 240)}`,
      );
    if (inc.factsOmitted > 0) out.push(`  (${inc.factsOmitted} more facts in Security Hub)`);
    out.push(
      '  Further findings of this incident update it in Security Hub; at most one more alert, if its severity rises.',
    );
  }

  const maxEvidence = opts.maxEvidenceLines ?? 20;
  if (f.evidence.length > 0) {
    out.push('', 'Evidence');
    for (const e of f.evidence.slice(0, maxEvidence)) out.push(`  - ${n(e)}`);
    if (f.evidence.length > maxEvidence)
      out.push(`  (${f.evidence.length - maxEvidence} more in the finding JSON)`);
  }
  if (f.runbook !== '') out.push('', 'Runbook', `  ${n(f.runbook, 1000)}`);
  out.push('');
  if (f.references.length > 0) row('References', f.references.map((r) => n(r, 64)).join(', '));
  row('Finding id', f.id);
  if (f.eventIds.length > 0) row('Event ids', f.eventIds.map((id) => n(id, 80)).join(', '));
  const hub = opts.securityHub;
  if (hub) {
    row('Security Hub', `account ${hub.accountId}, region ${hub.region}, finding Id above`);
    const url = consoleFindingsUrl(hub.region, 'Id', f.id);
    if (url !== undefined) cont(url);
  }
  return `${out.join('\n')}\n`;
}

/**
 * Security Hub console link filtered on one field (`Id`, `ProductName`) — a link nhi-watch builds
 * from its own values, the only one in the body. Undefined for partitions without a known console.
 */
export function consoleFindingsUrl(
  region: string,
  field: 'Id' | 'ProductName',
  value: string,
): string | undefined {
  if (!/^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/.test(region)) return undefined;
  const host = region.startsWith('cn-')
    ? 'console.amazonaws.cn'
    : region.startsWith('us-gov-')
      ? 'console.amazonaws-us-gov.com'
      : region.startsWith('us-iso')
        ? undefined
        : `${region}.console.aws.amazon.com`;
  if (host === undefined) return undefined;
  // The console's filter syntax `Field=\operator\:EQUALS\:value`, encoded twice as the console does.
  const filter = `${field}=${encodeURIComponent(`\\operator\\:EQUALS\\:${value}`)}`;
  return `https://${host}/securityhub/home?region=${region}#/findings?search=${encodeURIComponent(filter)}`;
}

function str(value: string): SnsStringAttribute {
  const v = clean(value, ATTRIBUTE_MAX);
  return { DataType: 'String', StringValue: v === '' ? '-' : v };
}

/** Distinct values as a String.Array attribute, bounded. */
function arr(values: readonly string[]): SnsStringAttribute {
  const distinct = [...new Set(values.map((v) => clean(v, ATTRIBUTE_MAX)).filter((v) => v !== ''))].slice(
    0,
    ATTRIBUTE_ARRAY_MAX,
  );
  return { DataType: 'String.Array', StringValue: JSON.stringify(distinct) };
}

function countBy<T, K>(xs: readonly T[], key: (x: T) => K): Map<K, number> {
  const m = new Map<K, number>();
  for (const x of xs) m.set(key(x), (m.get(key(x)) ?? 0) + 1);
  return m;
}

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/** The finding as JSON; when over `maxBytes`, its long free-text fields are cut (ids and counts never are). */
function boundedFindingJson(f: Finding, maxBytes: number): string {
  const full = JSON.stringify(f);
  if (bytes(full) <= maxBytes) return full;
  return JSON.stringify(shrink(f));
}

/** A copy of a finding with its attacker-sized fields capped. */
function shrink(f: Finding): Finding {
  const out: Record<string, unknown> = {
    ...f,
    evidence: f.evidence.slice(0, 20).map((e) => clean(e, 512)),
    isTruncated: true,
  };
  for (const k of [
    'userAgent',
    'resource',
    'sessionName',
    'summary',
    'discriminator',
    'principal',
    'identityName',
  ] as const) {
    const v = f[k];
    if (v !== undefined) out[k] = clean(v, 1024);
  }
  return out as unknown as Finding;
}

function digestJson(sorted: readonly Finding[], bySeverity: Map<Severity, number>, maxBytes: number): string {
  const head = { kind: 'digest', count: sorted.length, bySeverity: Object.fromEntries(bySeverity) };
  const parts: string[] = [];
  let used = bytes(JSON.stringify({ ...head, findings: [], omitted: sorted.length }));
  for (const f of sorted) {
    const s = boundedFindingJson(f, 8_192);
    if (used + bytes(s) + 1 > maxBytes) break;
    parts.push(s);
    used += bytes(s) + 1;
  }
  const omitted = sorted.length - parts.length;
  const prefix = JSON.stringify({ ...head, omitted }).slice(0, -1);
  return `${prefix},"findings":[${parts.join(',')}]}`;
}
