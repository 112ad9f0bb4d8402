/**
 * `nhi-watch identities [show KEY]`: the inventory of identities nhi-watch knows — from a local
 * state file (`replay --state`) or the deployed baseline table — with kind, account, credentials,
 * networks, top actions, activity, dormancy, findings and contract coverage. Observed values are
 * neutralised in the table and the detail view; JSON Lines and CSV carry them as data (CSV cells
 * that a spreadsheet would run as a formula are quoted with a leading apostrophe).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { IdentityBaseline } from '../lambdas/core/baseline.js';
import { compileGlob } from '../lambdas/core/glob.js';
import { inventory, type IdentityProfile, type ValueProfile } from '../lambdas/core/inventory.js';
import { neutralise } from '../lambdas/core/neutralise.js';
import { loadLocalSetup } from '../lambdas/local/replay.js';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { scanIdentities } from '../lambdas/adapters/dynamodb-inventory.js';
import { requiredOutput, stackOutputs } from '../lambdas/adapters/stack-outputs.js';
import { MemoryBaselineStore, MemoryFindingLedger, loadStateFile } from '../lambdas/adapters/memory-store.js';

/** Thrown for a usage problem in `identities`. */
export class IdentitiesUsageError extends Error {}

/** What the identities commands need from outside. */
export interface IdentitiesIo {
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream;
  readonly dynamoDb: (region: string | undefined) => DynamoDBClient;
  readonly cloudFormation: (region: string | undefined) => CloudFormationClient;
  readonly env: NodeJS.ProcessEnv;
}

/** The production wiring: stdout / stderr and the SDK's own credential, region and endpoint chain. */
export const processIdentitiesIo = (): IdentitiesIo => ({
  out: process.stdout,
  err: process.stderr,
  dynamoDb: (region) => new DynamoDBClient(region !== undefined ? { region } : {}),
  cloudFormation: (region) => new CloudFormationClient(region !== undefined ? { region } : {}),
  env: process.env,
});

interface SourceFlags {
  readonly state?: string;
  readonly table?: string;
  readonly stack?: string;
  readonly region?: string;
  readonly contracts: string[];
  readonly dormantDays: number;
  readonly asOf?: string;
  readonly identity?: string;
  readonly format: 'table' | 'jsonl' | 'csv';
}

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const n = (v: string | number | undefined, max = 200): string => neutralise(v ?? '', max);

/** Baselines (and findings per identity, when the source knows them) from the state file or the table. */
async function load(
  flags: SourceFlags,
  io: IdentitiesIo,
): Promise<{ baselines: IdentityBaseline[]; findings?: Map<string, number> }> {
  const sources = [flags.state, flags.table, flags.stack].filter((x) => x !== undefined).length;
  if (sources !== 1)
    throw new IdentitiesUsageError(
      'identities needs exactly one source: --state FILE (from `nhi-watch replay --state`), --stack NAME (the deployed stack) or --table NAME (its BaselineTableName output)',
    );
  if (flags.state !== undefined) {
    const store = new MemoryBaselineStore();
    const ledger = new MemoryFindingLedger();
    await loadStateFile(flags.state, store, ledger);
    const baselines: IdentityBaseline[] = [];
    for (const { record } of store.records.values()) if (record.type === 'identity') baselines.push(record);
    const findings = new Map<string, number>();
    for (const f of ledger.findings.values())
      findings.set(f.identityKey, (findings.get(f.identityKey) ?? 0) + 1);
    return { baselines, findings };
  }
  const region = flags.region ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION;
  let table = flags.table;
  if (flags.stack !== undefined) {
    const cloudFormation = io.cloudFormation(region);
    try {
      table = requiredOutput(
        await stackOutputs(cloudFormation, flags.stack),
        flags.stack,
        'BaselineTableName',
      );
    } finally {
      cloudFormation.destroy();
    }
  }
  const scanned = await scanIdentities(io.dynamoDb(region), table as string);
  if (scanned.undecodable.length > 0)
    io.err.write(`nhi-watch: ${scanned.undecodable.length} item(s) could not be decoded and were skipped\n`);
  return { baselines: scanned.identities };
}

async function profiles(flags: SourceFlags, io: IdentitiesIo): Promise<IdentityProfile[]> {
  const { baselines, findings } = await load(flags, io);
  const contracts =
    flags.contracts.length > 0
      ? (await loadLocalSetup({ contractPaths: flags.contracts })).contracts
      : undefined;
  let asOfMs: number | undefined;
  if (flags.asOf !== undefined) {
    asOfMs = Date.parse(flags.asOf);
    if (Number.isNaN(asOfMs))
      throw new IdentitiesUsageError(`--as-of "${flags.asOf}" is not an ISO 8601 date`);
  }
  const pattern = flags.identity !== undefined ? compileGlob(flags.identity) : undefined;
  return inventory(pattern ? baselines.filter((b) => pattern.test(b.key)) : baselines, {
    dormantDays: flags.dormantDays,
    ...(asOfMs !== undefined ? { asOfMs } : {}),
    ...(contracts !== undefined ? { contracts } : {}),
    ...(findings !== undefined ? { findingsByIdentity: findings } : {}),
  });
}

function pad(text: string, width: number): string {
  const t = Array.from(text);
  return (t.length > width ? `${t.slice(0, width - 1).join('')}…` : text).padEnd(width);
}

const top = (values: readonly ValueProfile[], k: number): string =>
  values
    .slice(0, k)
    .map((v) => v.value)
    .join(' ') + (values.length > k ? ` +${values.length - k}` : '');

/** One line per identity. */
export function renderIdentitiesTable(list: readonly IdentityProfile[]): string {
  const head = [
    pad('IDENTITY', 48),
    pad('KIND', 15),
    pad('ACCOUNT', 12),
    pad('CALLS', 8),
    pad('FIRST SEEN', 10),
    pad('LAST SEEN', 10),
    pad('DORMANT', 7),
    pad('CREDENTIALS', 16),
    pad('ASNS', 22),
    pad('COUNTRIES', 10),
    pad('FINDINGS', 8),
    'CONTRACT',
  ].join(' ');
  const rows = list.map((p) => {
    const longLived = p.credentials.filter((c) => c.isLongLived).length;
    return [
      pad(n(p.key), 48),
      pad(p.kind, 15),
      pad(n(p.accountId ?? '-'), 12),
      pad(String(p.calls), 8),
      pad(day(p.firstSeenMs), 10),
      pad(day(p.lastSeenMs), 10),
      pad(p.isDormant ? `${p.daysSilent}d` : 'no', 7),
      pad(`${p.credentials.length}${longLived > 0 ? ` (${longLived} long-lived)` : ''}`, 16),
      pad(n(top(p.asns, 3)) || '-', 22),
      pad(n(top(p.countries, 3)) || '-', 10),
      pad(p.findings === undefined ? '?' : String(p.findings), 8),
      n(p.contract ?? '-'),
    ].join(' ');
  });
  const dormant = list.filter((p) => p.isDormant).length;
  const longLived = list.filter((p) => p.credentials.some((c) => c.isLongLived)).length;
  return [
    head,
    ...rows,
    '',
    `${list.length} identit${list.length === 1 ? 'y' : 'ies'}: ${dormant} dormant, ${longLived} with long-lived credentials`,
  ].join('\n');
}

/** One identity's profile for a person. */
export function renderIdentityDetail(p: IdentityProfile): string {
  const lines = [n(p.key, 1024)];
  const row = (label: string, value: string | undefined): void => {
    if (value !== undefined && value !== '') lines.push(`  ${label.padEnd(16)}${value}`);
  };
  row('kind', p.kind);
  row('account', n(p.accountId));
  row('principal', n(p.principal, 1024));
  row('name', n(p.name));
  row('seen', `${iso(p.firstSeenMs)} to ${iso(p.lastSeenMs)}, ${p.calls} calls`);
  row(
    'dormant',
    p.isDormant ? `yes, silent for ${p.daysSilent} days` : `no (silent for ${p.daysSilent} days)`,
  );
  row('findings', p.findings === undefined ? 'not known from this source' : String(p.findings));
  row('contract', p.contract === undefined ? 'none' : n(p.contract, 512));
  lines.push('  credentials');
  for (const c of p.credentials)
    lines.push(
      `    ${n(c.id, 128)} ${c.kind}${c.isLongLived ? ' (long-lived)' : ''}: first used ${iso(c.firstUsedMs)}, last ${iso(c.lastUsedMs)}, ` +
        `${c.ageDays} days in use, ${c.calls} calls${c.isUsedInAws ? ', from AWS' : ''}${c.isUsedOutsideAws ? ', from outside AWS' : ''}`,
    );
  const section = (title: string, values: readonly ValueProfile[]): void => {
    if (values.length === 0) return;
    lines.push(`  ${title}`);
    for (const v of values)
      lines.push(
        `    ${pad(n(v.value, 256), 44)} ${String(v.calls).padStart(8)} calls, first ${day(v.firstSeenMs)}, last ${day(v.lastSeenMs)}`,
      );
  };
  section('asns', p.asns);
  section('networks', p.networks);
  section('countries', p.countries);
  section('user agents', p.userAgentFamilies);
  section('regions', p.regions);
  section('roles assumed', p.rolesAssumed);
  section(`top actions (${p.distinctActions} distinct)`, p.topActions);
  return lines.join('\n');
}

const CSV_COLUMNS = [
  'key',
  'kind',
  'accountId',
  'principal',
  'calls',
  'firstSeen',
  'lastSeen',
  'isDormant',
  'daysSilent',
  'credentials',
  'longLivedCredentials',
  'oldestCredentialDays',
  'asns',
  'countries',
  'networks',
  'topActions',
  'distinctActions',
  'findings',
  'contract',
] as const;

/** A CSV cell (RFC 4180), with formula-leading characters defused for spreadsheets. */
function csvCell(value: string | number | boolean | undefined): string {
  let s = value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The inventory as CSV, one row per identity (lists joined with spaces). */
export function renderIdentitiesCsv(list: readonly IdentityProfile[]): string {
  const rows = list.map((p) => {
    const values: Record<(typeof CSV_COLUMNS)[number], string | number | boolean | undefined> = {
      key: p.key,
      kind: p.kind,
      accountId: p.accountId,
      principal: p.principal,
      calls: p.calls,
      firstSeen: iso(p.firstSeenMs),
      lastSeen: iso(p.lastSeenMs),
      isDormant: p.isDormant,
      daysSilent: p.daysSilent,
      credentials: p.credentials.map((c) => `${c.id}:${c.kind}`).join(' '),
      longLivedCredentials: p.credentials.filter((c) => c.isLongLived).length,
      oldestCredentialDays: p.credentials.reduce((m, c) => Math.max(m, c.ageDays), 0),
      asns: p.asns.map((v) => v.value).join(' '),
      countries: p.countries.map((v) => v.value).join(' '),
      networks: p.networks.map((v) => v.value).join(' '),
      topActions: p.topActions.map((v) => v.value).join(' '),
      distinctActions: p.distinctActions,
      findings: p.findings,
      contract: p.contract,
    };
    return CSV_COLUMNS.map((c) => csvCell(values[c])).join(',');
  });
  return `${[CSV_COLUMNS.join(','), ...rows].join('\r\n')}\r\n`;
}

async function runList(flags: SourceFlags, io: IdentitiesIo): Promise<number> {
  const list = await profiles(flags, io);
  if (flags.format === 'jsonl') for (const p of list) io.out.write(`${JSON.stringify(p)}\n`);
  else if (flags.format === 'csv') io.out.write(renderIdentitiesCsv(list));
  else io.out.write(`${renderIdentitiesTable(list)}\n`);
  return 0;
}

async function runShow(key: string, flags: SourceFlags, io: IdentitiesIo): Promise<number> {
  const found = (await profiles(flags, io)).find((p) => p.key === key);
  if (found === undefined) {
    io.err.write(`nhi-watch: no identity ${n(key, 512)} in this source\n`);
    return 1;
  }
  io.out.write(flags.format === 'jsonl' ? `${JSON.stringify(found)}\n` : `${renderIdentityDetail(found)}\n`);
  return 0;
}

const positive = (value: string): number => {
  const v = Number(value);
  if (!Number.isFinite(v) || v <= 0)
    throw new InvalidArgumentError(`must be a positive number, got "${value}"`);
  return v;
};
const collect = (value: string, previous: string[]): string[] => [...previous, value];

function sourceOptions(cmd: Command, formats: readonly string[]): Command {
  return cmd
    .option('--state <file>', 'state file written by `nhi-watch replay --state FILE`')
    .option('--stack <name>', 'the deployed nhi-watch stack: its table (output BaselineTableName)')
    .option('--table <name>', 'the deployed baseline table (stack output BaselineTableName)')
    .option('--region <region>', 'region of the stack / table (default: $AWS_REGION, $AWS_DEFAULT_REGION)')
    .option(
      '--contracts <file>',
      'contract files, to show which contract covers each identity; repeatable',
      collect,
      [],
    )
    .option('--dormant-days <n>', 'silent this many days before "as of" = dormant', positive, 30)
    .option(
      '--as-of <date>',
      'reference time for dormancy and ages (default: the latest event in the source)',
    )
    .option('--identity <glob>', 'only identities whose key matches (`*` any run of characters)')
    .addOption(new Option('--format <format>', 'output format').choices(formats).default(formats[0]));
}

/** Add `identities` and `identities show KEY`; `setStatus` receives the exit status. */
export function addIdentitiesCommand(
  program: Command,
  setStatus: (code: number) => void,
  io: () => IdentitiesIo = processIdentitiesIo,
): void {
  const identities = sourceOptions(
    program
      .command('identities')
      .description(
        'the inventory of identities nhi-watch has learned: kind, account, credentials, networks, actions, activity, dormancy, findings, contract',
      ),
    ['table', 'jsonl', 'csv'],
  ).action(async (flags: SourceFlags) => setStatus(await runList(flags, io())));
  sourceOptions(
    identities.command('show').description('one identity in full').argument('<key>', 'identity key'),
    ['text', 'jsonl'],
  ).action(async (key: string, flags: SourceFlags) => setStatus(await runShow(key, flags, io())));
}
