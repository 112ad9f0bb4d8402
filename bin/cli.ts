/**
 * The `nhi-watch` command: run the engine locally over log files (replay), write labelled
 * synthetic traffic (simulate), or both on the embedded default dataset (demo, `npm start`);
 * draft and diff integration contracts. Parses flags (commander: per-command `--help`,
 * `--version`) and calls core + local adapters; no detection logic here.
 */
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import {
  renderTable,
  renderDetail,
  findingRecord,
  sortFindings,
  FORMATS,
  type AsffTarget,
  type Format,
} from './cli-format.js';
import {
  replayFiles,
  replayEvents,
  loadLocalSetup,
  InputFileError,
  ConfigFileError,
  STDIN_PATH,
  type ReplayResult,
} from '../lambdas/local/replay.js';
import { simulate } from '../simulate/index.js';
import { toAsff } from '../lambdas/core/asff.js';
import { toOcsf } from '../lambdas/core/ocsf.js';
import { isAlerting, severityRank, type Finding } from '../lambdas/core/finding.js';
import type { Severity } from '../lambdas/core/classification.js';
import { addContractsCommand, ContractsUsageError } from './cli-contracts.js';
import { addFindingsCommand, processFindingsIo, type FindingsIo } from './cli-findings.js';
import {
  addIdentitiesCommand,
  IdentitiesUsageError,
  processIdentitiesIo,
  type IdentitiesIo,
} from './cli-identities.js';
import { BaselineStoreError } from '../lambdas/adapters/dynamodb-store.js';
import { SecurityHubFindingsError } from '../lambdas/adapters/security-hub-findings.js';
import { StackLookupError } from '../lambdas/adapters/stack-outputs.js';
import { StateFileError } from '../lambdas/adapters/memory-store.js';
import { BACKFILL_HELP, BACKFILL_USAGE, BackfillUsageError, runBackfill } from './backfill.js';
import { CheckpointError } from '../lambdas/local/backfill.js';

/** Exit status when findings at or above `--fail-on` were found, or contracts drifted. */
export const EXIT_FINDINGS = 3;

const EXIT_STATUS_HELP = `
Exit status: 0 when the input was processed (unusable lines are reported as a count),
${EXIT_FINDINGS} when --fail-on SEVERITY is given and a finding at or above it was raised,
2 on a usage error or an invalid configuration / contract file, 1 when a file cannot be read.`;

/** A usage error raised after parsing (a missing account for ASFF, say): exit 2 with the message. */
export class UsageError extends Error {}

const SEVERITIES: readonly Severity[] = ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];

function version(): string {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

const positiveNumber =
  (name: string) =>
  (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0)
      throw new InvalidArgumentError(`--${name} must be a positive number, got "${value}"`);
    return n;
  };

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/**
 * The Security Hub account and region ASFF is written for: flags first, then the environment
 * (`AWS_ACCOUNT_ID`; `AWS_REGION`, then `AWS_DEFAULT_REGION`, as the AWS SDKs read it).
 * Undefined when either is unknown; a format that needs them then fails with a usage error.
 */
export function asffTarget(
  flags: { accountId?: string; region?: string },
  env: NodeJS.ProcessEnv,
): AsffTarget | undefined {
  const accountId = flags.accountId ?? env.AWS_ACCOUNT_ID;
  const region = flags.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (accountId === undefined || accountId === '' || region === undefined || region === '') return undefined;
  if (!/^\d{12}$/.test(accountId))
    throw new UsageError(`the Security Hub account must be 12 digits, got "${accountId}"`);
  if (!/^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/.test(region))
    throw new UsageError(`"${region}" is not an AWS region name`);
  return { accountId, region };
}

interface OutputOptions {
  readonly format: Format;
  readonly failOn?: Severity;
  readonly accountId?: string;
  readonly region?: string;
}

/** Output options shared by replay and demo. */
function addOutputOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        '--format <format>',
        'table (one line per finding), detail (evidence and runbook in full), jsonl, asff, or ocsf (OCSF 1.1.0 Detection Findings, one per line)',
      )
        .choices(FORMATS)
        .default('table'),
    )
    .addOption(
      new Option(
        '--fail-on <severity>',
        `exit ${EXIT_FINDINGS} when a finding at or above this severity is raised (for CI)`,
      ).choices(SEVERITIES),
    )
    .option('--account-id <id>', 'Security Hub account for ASFF output (default: $AWS_ACCOUNT_ID)')
    .option(
      '--region <region>',
      'Security Hub region for ASFF output (default: $AWS_REGION, $AWS_DEFAULT_REGION)',
    );
}

/** The ASFF target of these options; a usage error when the format is asff and it is unknown. */
function checkAsffTarget(opts: OutputOptions): AsffTarget | undefined {
  const target = asffTarget(opts, process.env);
  if ((opts.format === 'asff' || opts.format === 'ocsf') && target === undefined)
    throw new UsageError(
      `--format ${opts.format} needs the account and region: --account-id and --region, or AWS_ACCOUNT_ID and AWS_REGION`,
    );
  return target;
}

/** Print the findings in the chosen format and the run's counts; returns the exit status. */
function print(result: ReplayResult, opts: OutputOptions): number {
  const out = process.stdout;
  const err = process.stderr;
  const target = checkAsffTarget(opts);
  const findings = sortFindings(result.findings);
  // People see the alerts (at most two per incident); machines get every finding.
  const alerts = findings.filter(isAlerting);
  const incidentsLine = (): string => {
    const incidents = new Set(findings.map((f) => f.incident?.id ?? f.id)).size;
    return `${alerts.length} alert(s) for ${incidents} incident(s); ${findings.length - alerts.length} further finding(s) joined those incidents without alerting (--format jsonl lists every finding).\n`;
  };
  if (opts.format === 'table') {
    out.write(`${renderTable(alerts, Math.max(120, process.stdout.columns ?? 160))}\n`);
    out.write(incidentsLine());
  } else if (opts.format === 'detail') {
    out.write(`${renderDetail(alerts)}\n`);
    out.write(incidentsLine());
  } else if (opts.format === 'jsonl')
    for (const f of findings) out.write(`${JSON.stringify(findingRecord(f, target))}\n`);
  else if (opts.format === 'ocsf' && target !== undefined)
    for (const f of findings)
      out.write(`${JSON.stringify(toOcsf(f, { ...target, productVersion: version() }, 'create'))}\n`);
  else if (target !== undefined)
    out.write(`${JSON.stringify({ Findings: findings.map((f) => toAsff(f, target)) }, null, 2)}\n`);

  const rejected = [...result.rejects].sort((a, b) => b[1] - a[1]);
  const rejectedTotal = rejected.reduce((a, [, n]) => a + n, 0);
  err.write(
    `nhi-watch: ${result.events.toLocaleString('en-US')} events, ${result.identities.toLocaleString('en-US')} identities, ` +
      `${findings.length} findings (${result.suppressed} suppressed), ${rejectedTotal} unusable line(s)` +
      (result.redelivered > 0 ? `, ${result.redelivered} events already in the state file skipped` : '') +
      '\n',
  );
  for (const [reason, n] of rejected.slice(0, 10)) err.write(`  skipped ${n} × ${reason}\n`);
  if (result.late > 0)
    err.write(
      `  ${result.late} event(s) arrived later than the reorder buffer reaches and were folded out of time order\n`,
    );
  for (const [reason, n] of result.identityErrors)
    err.write(`  ${n} identit${n === 1 ? 'y' : 'ies'} not evaluated: ${reason}\n`);
  for (const w of result.warnings) err.write(`  warning: ${w}\n`);
  return failStatus(findings, opts.failOn, err);
}

/** `--fail-on`: the exit status for CI, with a line saying why it is not 0. */
function failStatus(
  findings: readonly Finding[],
  failOn: Severity | undefined,
  err: NodeJS.WritableStream,
): number {
  if (failOn === undefined) return 0;
  const over = findings.filter((f) => severityRank(f.severity) >= severityRank(failOn)).length;
  if (over === 0) return 0;
  err.write(`nhi-watch: ${over} finding(s) at or above ${failOn} (--fail-on): exit ${EXIT_FINDINGS}\n`);
  return EXIT_FINDINGS;
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

interface ReplayFlags extends OutputOptions {
  readonly contracts: string[];
  readonly config?: string;
  readonly state?: string;
}

async function runReplay(inputs: string[], flags: ReplayFlags): Promise<number> {
  // Fail on a missing ASFF target before the (possibly long) replay, not after.
  checkAsffTarget(flags);
  const setup = await loadLocalSetup({
    ...(flags.config !== undefined ? { configPath: flags.config } : {}),
    contractPaths: flags.contracts,
  });
  const progress = process.stderr.isTTY ? progressBar() : undefined;
  const result = await replayFiles(inputs, {
    ...setup,
    ...(flags.state !== undefined ? { statePath: flags.state } : {}),
    ...(progress ? { onProgress: progress } : {}),
    ...(inputs.includes(STDIN_PATH) ? { readStdin } : {}),
  });
  progress?.(1, 1, true);
  return print(result, flags);
}

interface SimulateFlags {
  readonly seed: number;
  readonly days: number;
  readonly scale: number;
  readonly out: string;
}

async function runSimulate(flags: SimulateFlags): Promise<number> {
  const sim = simulate({ seed: flags.seed, days: flags.days, scale: flags.scale });
  await mkdir(flags.out, { recursive: true });
  const jsonl = (rows: readonly unknown[]): string =>
    rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length > 0 ? '\n' : '');
  await writeFile(join(flags.out, 'cloudtrail.jsonl'), jsonl(sim.cloudtrail));
  await writeFile(join(flags.out, 'apigw.jsonl'), jsonl(sim.apiGateway));
  await writeFile(join(flags.out, 'labels.jsonl'), jsonl(sim.labels));
  await writeFile(
    join(flags.out, 'contracts.json'),
    `${JSON.stringify({ version: 1, contracts: sim.contracts }, null, 2)}\n`,
  );
  process.stderr.write(
    `nhi-watch: wrote ${sim.cloudtrail.length} CloudTrail events, ${sim.apiGateway.length} API Gateway lines, ` +
      `${sim.labels.length} label rows and ${sim.contracts.length} contracts to ${flags.out}\n`,
  );
  return 0;
}

async function runDemo(flags: OutputOptions): Promise<number> {
  checkAsffTarget(flags);
  process.stderr.write(
    'nhi-watch demo: simulating 14 days of a fleet of non-human identities (seed 1) with injected attacks…\n',
  );
  const sim = simulate({ seed: 1, days: 14, scale: 1 });
  const setup = await loadLocalSetup({ inlineContracts: sim.contracts });
  const progress = process.stderr.isTTY ? progressBar() : undefined;
  const result = await replayEvents(
    { cloudtrail: sim.cloudtrail, apiGateway: sim.apiGateway },
    { ...setup, ...(progress ? { onProgress: progress } : {}) },
  );
  progress?.(1, 1, true);
  const status = print(result, flags);
  const attacks = new Set(sim.labels.map((l) => l.attackId)).size;
  process.stderr.write(
    `nhi-watch demo: ${attacks} labelled attack episodes were injected; try \`npx nhi-watch simulate --out sim/\` and \`npx nhi-watch replay sim/\`.\n`,
  );
  return status;
}

/** A progress bar on stderr for large inputs, redrawn at most every 100 ms. */
function progressBar(): (done: number, total: number, isFinal?: boolean) => void {
  let last = 0;
  let isDrawn = false;
  return (done, total, isFinal = false) => {
    if (isFinal) {
      if (isDrawn) process.stderr.write('\r\x1b[K');
      return;
    }
    // Small inputs finish before a bar would help: draw only from five batches (5,000 events) up.
    const t = performance.now();
    if (total < 5 || t - last < 100) return;
    last = t;
    isDrawn = true;
    const width = 30;
    const ratio = Math.min(1, done / total);
    const filled = Math.round(ratio * width);
    process.stderr.write(
      `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(ratio * 100).toFixed(0).padStart(3)}%`,
    );
  };
}

/** What tests replace: the Security Hub wiring of `findings`. */
export interface CliOverrides {
  readonly findingsIo?: () => FindingsIo;
  readonly identitiesIo?: () => IdentitiesIo;
}

/** The command tree; `setStatus` receives each action's exit status. */
export function buildProgram(setStatus: (code: number) => void, overrides: CliOverrides = {}): Command {
  const program = new Command('nhi-watch')
    .description(
      'Identity-behaviour monitoring for non-human identities: run the detection engine on your logs, ' +
        'simulate a fleet, draft and check integration contracts.',
    )
    .version(version(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help for the command')
    .exitOverride()
    // Options after a subcommand are the subcommand's (`identities show KEY --state F`).
    .enablePositionalOptions()
    .showHelpAfterError()
    .configureOutput({
      writeOut: (s) => process.stdout.write(s),
      writeErr: (s) => process.stderr.write(s),
    })
    .addHelpText('after', EXIT_STATUS_HELP);

  addOutputOptions(
    program
      .command('replay')
      .description(
        'run the detection engine over CloudTrail files (S3 {"Records":[…]}, JSON Lines, single records, ' +
          'LookupEvents output), CloudWatch Logs subscription payloads and API Gateway JSON access logs, ' +
          'each optionally .gz; directories are read recursively',
      )
      .argument('<inputs...>', `log files or directories; ${STDIN_PATH} reads standard input`)
      .option('--contracts <file>', 'integration contracts (.yaml, .yml, .json); repeatable', collect, [])
      .option('--config <file>', 'detection configuration (docs/CONFIG.md)')
      .option(
        '--state <file>',
        'keep baselines and findings in this file, so successive replays keep learning',
      ),
  )
    .addHelpText('after', EXIT_STATUS_HELP)
    .action(async (inputs: string[], flags: ReplayFlags) => setStatus(await runReplay(inputs, flags)));

  program
    .command('simulate')
    .description(
      'write a labelled synthetic fleet (cloudtrail.jsonl, apigw.jsonl, labels.jsonl, contracts.json)',
    )
    .requiredOption('--out <dir>', 'directory to write to')
    .option('--seed <n>', 'random seed', positiveNumber('seed'), 1)
    .option('--days <n>', 'days of traffic', positiveNumber('days'), 14)
    .option('--scale <x>', 'fleet size factor', positiveNumber('scale'), 1)
    .action(async (flags: SimulateFlags) => setStatus(await runSimulate(flags)));

  addOutputOptions(
    program
      .command('demo')
      .description('simulate --seed 1 in memory and replay it with its contracts (what `npm start` runs)'),
  ).action(async (flags: OutputOptions) => setStatus(await runDemo(flags)));

  addContractsCommand(program, setStatus);
  addFindingsCommand(program, setStatus, overrides.findingsIo ?? processFindingsIo);
  addIdentitiesCommand(program, setStatus, overrides.identitiesIo ?? processIdentitiesIo);

  // backfill parses its own options (bin/backfill.ts): commander passes its arguments through.
  program
    .command('backfill')
    .description(
      'warm the deployed baselines (DynamoDB table --table) from a CloudTrail S3 archive or a replay --state file',
    )
    .argument('[args...]', 'see the usage below')
    .allowUnknownOption()
    .allowExcessArguments()
    .helpOption(false)
    .addHelpText('after', `\nUsage:\n${BACKFILL_USAGE}\n\n${BACKFILL_HELP}\n`)
    .action(async (args: string[], _flags: unknown, cmd: Command) => {
      if (args.includes('--help') || args.includes('-h')) {
        cmd.outputHelp();
        return;
      }
      setStatus(await runBackfill(args));
    });
  return program;
}

/** Entry point: returns the exit status. */
export async function main(argv: readonly string[], overrides: CliOverrides = {}): Promise<number> {
  let status = 0;
  const program = buildProgram((code) => {
    status = code;
  }, overrides);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return status;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; everything commander rejects (unknown command or option,
      // missing argument, bad choice, no command at all) is a usage error.
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? 0 : 2;
    }
    if (error instanceof ConfigFileError) {
      process.stderr.write(`nhi-watch: ${error.message}\n`);
      return 2;
    }
    if (
      error instanceof UsageError ||
      error instanceof ContractsUsageError ||
      error instanceof IdentitiesUsageError ||
      error instanceof BackfillUsageError ||
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true
    ) {
      process.stderr.write(`nhi-watch: ${(error as Error).message}\n(run with --help for usage)\n`);
      return 2;
    }
    if (
      error instanceof InputFileError ||
      error instanceof StateFileError ||
      error instanceof SecurityHubFindingsError ||
      error instanceof BaselineStoreError ||
      error instanceof CheckpointError ||
      error instanceof StackLookupError
    ) {
      process.stderr.write(`nhi-watch: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(
        `nhi-watch: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = 1;
    },
  );
}
