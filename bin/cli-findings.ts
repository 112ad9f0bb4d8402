/**
 * `nhi-watch findings list|show|update|archive`: the analyst's view of nhi-watch findings in
 * Security Hub — find them, read one in full, set the workflow status with a note, and archive
 * the ones that stopped recurring. Everything shown is neutralised (findings carry
 * attacker-controlled text).
 */
import { SecurityHubClient, type AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { defaultProductArn } from '../lambdas/core/asff.js';
import { neutralise } from '../lambdas/core/neutralise.js';
import {
  NHI_WATCH_PREFIX,
  SecurityHubFindings,
  WORKFLOW_STATUSES,
  type FindingQuery,
  type WorkflowStatus,
} from '../lambdas/adapters/security-hub-findings.js';

/** What the findings commands need from outside: where to write, the Security Hub client, the clock. */
export interface FindingsIo {
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream;
  /** A Security Hub client for the region (undefined: the SDK's own configuration). */
  readonly securityHub: (region: string | undefined) => SecurityHubClient;
  readonly nowMs: () => number;
  readonly env: NodeJS.ProcessEnv;
}

/** The production wiring: stdout / stderr, the SDK's credential and endpoint chain, the wall clock. */
export const processFindingsIo = (): FindingsIo => ({
  out: process.stdout,
  err: process.stderr,
  securityHub: (region) => new SecurityHubClient(region !== undefined ? { region } : {}),
  nowMs: () => Date.now(),
  env: process.env,
});

const SEVERITIES = ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
const DURATION = /^(\d+(?:\.\d+)?)\s*(m|h|d|w)$/;
const UNIT_MS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `7d`, `24h`, `30m`, `2w` before now, or an ISO 8601 date / time; epoch ms. */
export function parseWhen(value: string, nowMs: number): number {
  const d = DURATION.exec(value.trim());
  if (d) return nowMs - Number(d[1]) * (UNIT_MS[d[2] as string] as number);
  const t = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(t))
    throw new InvalidArgumentError(
      `"${value}" is neither a duration (30m, 24h, 7d, 2w) nor an ISO 8601 date`,
    );
  return t;
}

/** Parse a number of days (`--older-than 30`, or a duration `30d`, `12h`) into milliseconds. */
function parseAge(value: string): number {
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * UNIT_MS.d!;
  const d = DURATION.exec(value.trim());
  if (!d) throw new InvalidArgumentError(`"${value}" is not a number of days or a duration (12h, 30d, 2w)`);
  return Number(d[1]) * (UNIT_MS[d[2] as string] as number);
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** A repeatable option restricted to `choices`. */
const collectChoice =
  (choices: readonly string[]) =>
  (value: string, previous: string[]): string[] => {
    if (!choices.includes(value))
      throw new InvalidArgumentError(`"${value}" is not one of ${choices.join(', ')}`);
    return [...previous, value];
  };

const n = (v: string | number | undefined, max = 200): string => neutralise(v ?? '', max);
const field = (f: AwsSecurityFinding, name: string): string | undefined =>
  f.ProductFields?.[`${NHI_WATCH_PREFIX}${name}`];
/** The account and region Security Hub is asked in: flags, then the environment. */
function target(flags: { accountId?: string; region?: string }, env: NodeJS.ProcessEnv) {
  const region = flags.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const accountId = flags.accountId ?? env.AWS_ACCOUNT_ID;
  return {
    region,
    productArn:
      region !== undefined && accountId !== undefined && /^\d{12}$/.test(accountId)
        ? defaultProductArn(region, accountId)
        : undefined,
  };
}

function pad(text: string, width: number): string {
  const t = Array.from(text);
  return (t.length > width ? `${t.slice(0, width - 1).join('')}…` : text).padEnd(width);
}

/** One line per finding, most recently updated first, with the id `show` and `update` take. */
export function renderFindingsTable(findings: readonly AwsSecurityFinding[]): string {
  const head = [
    pad('UPDATED', 20),
    pad('SEVERITY', 8),
    pad('WORKFLOW', 10),
    pad('IDENTITY', 40),
    pad('COUNT', 5),
    pad('ID', 64),
    'TITLE',
  ].join(' ');
  const rows = findings.map((f) =>
    [
      pad((f.UpdatedAt ?? '').replace(/\.\d+Z$/, 'Z'), 20),
      pad(f.Severity?.Label ?? '-', 8),
      pad(f.RecordState === 'ARCHIVED' ? 'ARCHIVED' : (f.Workflow?.Status ?? '-'), 10),
      pad(n(field(f, 'identityKey') ?? '-'), 40),
      pad(field(f, 'count') ?? '-', 5),
      pad(n(f.Id, 512), 64),
      n(f.Title, 160),
    ].join(' '),
  );
  return [head, ...rows, '', `${findings.length} finding(s)`].join('\n');
}

/** One finding in full: description (summary and evidence), runbook, nhi-watch's fields, resources, workflow and note. */
export function renderFindingDetail(f: AwsSecurityFinding): string {
  const lines: string[] = [`${f.Severity?.Label ?? '-'}  ${n(f.Title, 512)}`];
  const row = (label: string, value: string | undefined): void => {
    if (value !== undefined && value !== '') lines.push(`  ${label.padEnd(14)}${value}`);
  };
  row('id', n(f.Id, 512));
  row('product', n(f.ProductArn, 512));
  row('account', n(f.AwsAccountId));
  row('workflow', `${f.Workflow?.Status ?? '-'}, record ${f.RecordState ?? '-'}`);
  row('created', f.CreatedAt);
  row('updated', f.UpdatedAt);
  row('observed', `${f.FirstObservedAt ?? '?'} to ${f.LastObservedAt ?? '?'}`);
  if (f.Note?.Text !== undefined)
    row('note', `${n(f.Note.Text, 512)} (${n(f.Note.UpdatedBy)}, ${f.Note.UpdatedAt ?? ''})`);
  lines.push('  description');
  for (const l of (f.Description ?? '').split('\n')) lines.push(`    ${n(l, 2048)}`);
  const runbook = f.Remediation?.Recommendation?.Text ?? field(f, 'runbook');
  if (runbook !== undefined) lines.push('  runbook', `    ${n(runbook, 4096)}`);
  lines.push('  fields');
  for (const [k, v] of Object.entries(f.ProductFields ?? {}).sort())
    if (k.startsWith(NHI_WATCH_PREFIX))
      lines.push(`    ${n(k.slice(NHI_WATCH_PREFIX.length), 64).padEnd(18)}${n(v, 2048)}`);
  lines.push('  resources');
  for (const r of f.Resources ?? [])
    lines.push(`    ${n(r.ResourceRole ?? '', 8).padEnd(8)} ${n(r.Type, 64)} ${n(r.Id, 512)}`);
  return lines.join('\n');
}

interface ListFlags {
  readonly severity: string[];
  readonly rule: string[];
  readonly identity: string[];
  readonly account: string[];
  readonly since?: string;
  readonly until?: string;
  readonly status: WorkflowStatus[];
  readonly archived?: boolean;
  readonly limit: number;
  readonly format: 'table' | 'jsonl';
  readonly accountId?: string;
  readonly region?: string;
}

async function runList(flags: ListFlags, io: FindingsIo): Promise<number> {
  const now = io.nowMs();
  const where = target(flags, io.env);
  const query: FindingQuery = {
    severities: flags.severity,
    ruleIds: flags.rule,
    identityKeys: flags.identity,
    accountIds: flags.account,
    workflowStatuses: flags.status,
    recordStates: flags.archived === true ? ['ARCHIVED'] : ['ACTIVE'],
    ...(flags.since !== undefined ? { sinceMs: parseWhen(flags.since, now) } : {}),
    ...(flags.until !== undefined ? { untilMs: parseWhen(flags.until, now) } : {}),
    ...(where.productArn !== undefined ? { productArn: where.productArn } : {}),
  };
  const findings = await new SecurityHubFindings(io.securityHub(where.region)).list(query, flags.limit);
  if (flags.format === 'jsonl') for (const f of findings) io.out.write(`${JSON.stringify(f)}\n`);
  else io.out.write(`${renderFindingsTable(findings)}\n`);
  return 0;
}

interface ShowFlags {
  readonly format: 'text' | 'json';
  readonly accountId?: string;
  readonly region?: string;
}

async function runShow(id: string, flags: ShowFlags, io: FindingsIo): Promise<number> {
  const where = target(flags, io.env);
  const [finding] = await new SecurityHubFindings(io.securityHub(where.region)).list(
    {
      ids: [id],
      recordStates: ['ACTIVE', 'ARCHIVED'],
      ...(where.productArn ? { productArn: where.productArn } : {}),
    },
    1,
  );
  if (finding === undefined) {
    io.err.write(`nhi-watch: no nhi-watch finding with id ${n(id, 512)}\n`);
    return 1;
  }
  io.out.write(
    flags.format === 'json' ? `${JSON.stringify(finding, null, 2)}\n` : `${renderFindingDetail(finding)}\n`,
  );
  return 0;
}

interface UpdateFlags {
  readonly status: WorkflowStatus;
  readonly note?: string;
  readonly by?: string;
  readonly region?: string;
  readonly accountId?: string;
}

async function runUpdate(ids: string[], flags: UpdateFlags, io: FindingsIo): Promise<number> {
  const where = target(flags, io.env);
  const by = flags.by ?? io.env.USER ?? 'nhi-watch-cli';
  const result = await new SecurityHubFindings(io.securityHub(where.region)).updateWorkflow(
    ids,
    flags.status,
    flags.note !== undefined ? { text: flags.note, updatedBy: by } : undefined,
  );
  for (const id of result.updated) io.out.write(`${n(id, 512)}: ${flags.status}\n`);
  for (const f of result.failed)
    io.err.write(`nhi-watch: ${n(f.id, 512)} not updated: ${n(f.reason, 512)}\n`);
  return result.failed.length > 0 ? 1 : 0;
}

interface ArchiveFlags {
  readonly olderThan: number;
  readonly dryRun?: boolean;
  readonly limit: number;
  readonly region?: string;
  readonly accountId?: string;
}

async function runArchive(flags: ArchiveFlags, io: FindingsIo): Promise<number> {
  const where = target(flags, io.env);
  const now = io.nowMs();
  const result = await new SecurityHubFindings(io.securityHub(where.region)).archiveStale(
    now - flags.olderThan,
    now,
    {
      dryRun: flags.dryRun === true,
      limit: flags.limit,
      ...(where.productArn !== undefined ? { productArn: where.productArn } : {}),
    },
  );
  for (const id of result.updated) io.out.write(`${n(id, 512)}\n`);
  for (const f of result.failed)
    io.err.write(`nhi-watch: ${n(f.id, 512)} not archived: ${n(f.reason, 512)}\n`);
  io.err.write(
    `nhi-watch: ${result.updated.length} finding(s) not observed for ${(flags.olderThan / UNIT_MS.d!).toFixed(1)} days ${
      flags.dryRun === true ? 'would be archived (--dry-run)' : 'archived'
    }\n`,
  );
  return result.failed.length > 0 ? 1 : 0;
}

const positiveInt = (value: string): number => {
  const v = Number(value);
  if (!Number.isInteger(v) || v <= 0)
    throw new InvalidArgumentError(`must be a positive integer, got "${value}"`);
  return v;
};

function targetOptions(cmd: Command): Command {
  return cmd
    .option('--region <region>', 'Security Hub region (default: $AWS_REGION, $AWS_DEFAULT_REGION)')
    .option(
      '--account-id <id>',
      "narrow to this account's default product (default: $AWS_ACCOUNT_ID; without it, every nhi-watch/ finding the caller can see)",
    );
}

/** Add `findings list|show|update|archive`; `setStatus` receives the exit status. */
export function addFindingsCommand(
  program: Command,
  setStatus: (code: number) => void,
  io: () => FindingsIo = processFindingsIo,
): void {
  const findings = program
    .command('findings')
    .description(
      'list, read, triage and archive nhi-watch findings in Security Hub (AWS credentials as the AWS CLI uses them)',
    );
  targetOptions(
    findings
      .command('list')
      .description('nhi-watch findings, most recently updated first (active ones unless --archived)')
      .option(
        `--severity <label>`,
        `severity label (${SEVERITIES.join(', ')}); repeatable`,
        collectChoice(SEVERITIES),
        [],
      )
      .option('--rule <id>', 'rule id; repeatable', collect, [])
      .option(
        '--identity <key>',
        'identity key as nhi-watch writes it (aws:123456789012:role/name); repeatable',
        collect,
        [],
      )
      .option(
        '--account <id>',
        'account whose Security Hub holds the finding (AwsAccountId); repeatable',
        collect,
        [],
      )
      .option('--since <when>', 'last observed since: a duration (30m, 24h, 7d, 2w) or an ISO 8601 date')
      .option('--until <when>', 'last observed before: a duration or an ISO 8601 date')
      .option(
        '--status <status>',
        `workflow status (${WORKFLOW_STATUSES.join(', ')}); repeatable`,
        collectChoice(WORKFLOW_STATUSES),
        [],
      )
      .option('--archived', 'list archived findings instead of active ones')
      .option('--limit <n>', 'at most this many', positiveInt, 100)
      .addOption(
        new Option('--format <format>', 'output format').choices(['table', 'jsonl']).default('table'),
      ),
  ).action(async (flags: ListFlags) => setStatus(await runList(flags, io())));
  targetOptions(
    findings
      .command('show')
      .description('one finding in full: evidence, runbook, fields, resources, workflow and note')
      .argument('<id>', 'finding id (nhi-watch/<rule>/<hash>)')
      .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text')),
  ).action(async (id: string, flags: ShowFlags) => setStatus(await runShow(id, flags, io())));
  targetOptions(
    findings
      .command('update')
      .description('set the workflow status of findings, with a note (BatchUpdateFindings)')
      .argument('<ids...>', 'finding ids')
      .addOption(
        new Option('--status <status>', 'new workflow status')
          .choices(WORKFLOW_STATUSES)
          .makeOptionMandatory(),
      )
      .option('--note <text>', 'note to attach (replaces the current note)')
      .option('--by <name>', "who updates (the note's UpdatedBy; default: $USER)"),
  ).action(async (ids: string[], flags: UpdateFlags) => setStatus(await runUpdate(ids, flags, io())));
  targetOptions(
    findings
      .command('archive')
      .description(
        'archive active findings not observed for a while (RecordState ARCHIVED, re-imported as their provider); ' +
          'a finding that recurs is imported as ACTIVE again',
      )
      .requiredOption(
        '--older-than <days>',
        'days without an observation (or a duration: 12h, 30d, 2w)',
        parseAge,
      )
      .option('--dry-run', 'list what would be archived, change nothing')
      .option('--limit <n>', 'at most this many', positiveInt, 10_000),
  ).action(async (flags: ArchiveFlags) => setStatus(await runArchive(flags, io())));
}
