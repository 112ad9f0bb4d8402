/**
 * The `nhi-watch` command: run the engine locally over log files (replay), write labelled
 * synthetic traffic (simulate), or both on the embedded default dataset (demo, `npm start`).
 * Parses flags and calls core + local adapters; no detection logic here.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { renderTable, findingRecord, sortFindings, FORMATS, type Format } from './cli-format.js';
import { isAlerting } from '../lambdas/core/finding.js';
import {
  replayFiles,
  replayEvents,
  loadLocalSetup,
  InputFileError,
  ConfigFileError,
  type ReplayResult,
  type LocalSetup,
} from '../lambdas/local/replay.js';
import { simulate } from '../simulate/index.js';
import { toAsff } from '../lambdas/core/asff.js';
import { runContracts, ContractsUsageError } from './cli-contracts.js';
import { StateFileError } from '../lambdas/adapters/memory-store.js';

const USAGE = `Usage:
  nhi-watch replay FILES… [--format table|jsonl|asff] [--contracts FILE]… [--config FILE] [--state FILE]
  nhi-watch simulate [--seed N] [--days N] [--scale X] --out DIR
  nhi-watch demo [--format table|jsonl|asff]
  nhi-watch contracts draft --state FILE [--identity GLOB] [--format yaml|json]
  nhi-watch contracts diff --state FILE --contracts FILE… [--identity GLOB]

replay     run the detection engine over CloudTrail files (S3 {"Records":[…]}, JSON Lines, single
           records, LookupEvents output), CloudWatch Logs subscription payloads and API Gateway JSON
           access logs, each optionally .gz; directories are read recursively.
simulate   write a labelled synthetic fleet (cloudtrail.jsonl, apigw.jsonl, labels.jsonl, contracts.json).
demo       simulate --seed 1 in memory and replay it with its contracts (what \`npm start\` runs).
contracts  draft integration contracts from what a replay learned (--state), or list what observed
           behaviour does that the contracts do not allow.

Exit status: 0 when the input was processed (unusable lines are reported as a count),
2 on a usage error or an invalid configuration / contract file, 1 when a file cannot be read.`;

/** A usage error: exit 2 with a message naming what was wrong. */
class UsageError extends Error {}

const ASFF_CONTEXT = { region: 'us-east-1', accountId: '000000000000' };

function parseFormat(value: string | undefined): Format {
  const f = value ?? 'table';
  if (!(FORMATS as readonly string[]).includes(f))
    throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got "${f}"`);
  return f as Format;
}

function parseNumber(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new UsageError(`--${name} must be a positive number, got "${value}"`);
  return n;
}

function print(
  result: ReplayResult,
  format: Format,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): void {
  const findings = sortFindings(result.findings);
  // People see the alerts (at most two per incident); machines get every finding.
  const alerts = findings.filter(isAlerting);
  if (format === 'table') {
    out.write(`${renderTable(alerts, Math.max(120, process.stdout.columns ?? 160))}\n`);
    const incidents = new Set(findings.map((f) => f.incident?.id ?? f.id)).size;
    out.write(
      `${alerts.length} alert(s) for ${incidents} incident(s); ${findings.length - alerts.length} further finding(s) joined those incidents without alerting (--format jsonl lists every finding).\n`,
    );
  } else if (format === 'jsonl')
    for (const f of findings) out.write(`${JSON.stringify(findingRecord(f, ASFF_CONTEXT))}\n`);
  else out.write(`${JSON.stringify({ Findings: findings.map((f) => toAsff(f, ASFF_CONTEXT)) }, null, 2)}\n`);

  const rejected = [...result.rejects].sort((a, b) => b[1] - a[1]);
  const rejectedTotal = rejected.reduce((a, [, n]) => a + n, 0);
  err.write(
    `nhi-watch: ${result.events.toLocaleString('en-US')} events, ${result.identities.toLocaleString('en-US')} identities, ` +
      `${findings.length} findings (${result.suppressed} suppressed), ${rejectedTotal} unusable line(s)` +
      (result.redelivered > 0 ? `, ${result.redelivered} events already in the state file skipped` : '') +
      '\n',
  );
  for (const [reason, n] of rejected.slice(0, 10)) err.write(`  skipped ${n} × ${reason}\n`);
  for (const [reason, n] of result.identityErrors)
    err.write(`  ${n} identit${n === 1 ? 'y' : 'ies'} not evaluated: ${reason}\n`);
  for (const w of result.warnings) err.write(`  warning: ${w}\n`);
}

async function runReplay(
  args: string[],
  setupFor: (values: Record<string, unknown>) => Promise<LocalSetup>,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      format: { type: 'string' },
      contracts: { type: 'string', multiple: true },
      config: { type: 'string' },
      state: { type: 'string' },
    },
  });
  const format = parseFormat(values.format);
  if (positionals.length === 0) throw new UsageError('replay needs at least one FILE or directory');
  const setup = await setupFor(values);
  const progress = process.stderr.isTTY ? progressBar() : undefined;
  const result = await replayFiles(positionals, {
    ...setup,
    ...(values.state !== undefined ? { statePath: values.state } : {}),
    ...(progress ? { onProgress: progress } : {}),
  });
  progress?.(1, 1, true);
  print(result, format, process.stdout, process.stderr);
  return 0;
}

async function runSimulate(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      seed: { type: 'string' },
      days: { type: 'string' },
      scale: { type: 'string' },
      out: { type: 'string' },
    },
  });
  if (values.out === undefined) throw new UsageError('simulate needs --out DIR');
  const sim = simulate({
    seed: parseNumber('seed', values.seed, 1),
    days: parseNumber('days', values.days, 14),
    scale: parseNumber('scale', values.scale, 1),
  });
  await mkdir(values.out, { recursive: true });
  const jsonl = (rows: readonly unknown[]): string =>
    rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length > 0 ? '\n' : '');
  await writeFile(join(values.out, 'cloudtrail.jsonl'), jsonl(sim.cloudtrail));
  await writeFile(join(values.out, 'apigw.jsonl'), jsonl(sim.apiGateway));
  await writeFile(join(values.out, 'labels.jsonl'), jsonl(sim.labels));
  await writeFile(
    join(values.out, 'contracts.json'),
    `${JSON.stringify({ version: 1, contracts: sim.contracts }, null, 2)}\n`,
  );
  process.stderr.write(
    `nhi-watch: wrote ${sim.cloudtrail.length} CloudTrail events, ${sim.apiGateway.length} API Gateway lines, ` +
      `${sim.labels.length} label rows and ${sim.contracts.length} contracts to ${values.out}\n`,
  );
  return 0;
}

async function runDemo(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { format: { type: 'string' } } });
  const format = parseFormat(values.format);
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
  print(result, format, process.stdout, process.stderr);
  const attacks = new Set(sim.labels.map((l) => l.attackId)).size;
  process.stderr.write(
    `nhi-watch demo: ${attacks} labelled attack episodes were injected; try \`npx nhi-watch simulate --out sim/\` and \`npx nhi-watch replay sim/\`.\n`,
  );
  return 0;
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

/** Entry point: returns the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'replay':
        return await runReplay(rest, (v) =>
          loadLocalSetup({
            ...(v.config !== undefined ? { configPath: v.config as string } : {}),
            contractPaths: (v.contracts as string[] | undefined) ?? [],
          }),
        );
      case 'simulate':
        return await runSimulate(rest);
      case 'demo':
        return await runDemo(rest);
      case 'contracts':
        return await runContracts(rest, process.stdout);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(`${USAGE}\n`);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof ConfigFileError) {
      process.stderr.write(`nhi-watch: ${error.message}\n`);
      return 2;
    }
    if (
      error instanceof UsageError ||
      error instanceof ContractsUsageError ||
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      process.stderr.write(`nhi-watch: ${(error as Error).message}\n\n${USAGE}\n`);
      return 2;
    }
    if (error instanceof InputFileError || error instanceof StateFileError) {
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
