/**
 * `nhi-watch contracts draft|diff`: draft integration contracts from logs for owners to review —
 * leaving out what raised findings, within a time window, only for identities and values seen
 * often enough — and show the drift from the contracts in force exactly as the engine sees it
 * (the contract-violation rule itself), exiting non-zero on drift so a pull request can be gated.
 */
import { Option, type Command } from 'commander';
import { compileGlob } from '../lambdas/core/glob.js';
import { stringifyContracts } from '../lambdas/core/yaml-text.js';
import { loadLocalSetup, normaliseFiles, STDIN_PATH } from '../lambdas/local/replay.js';
import { diffEvents, draftFromEvents } from '../lambdas/local/contracts.js';
import { neutralise } from '../lambdas/core/neutralise.js';

/** Thrown for a usage problem in a contracts sub-command. */
export class ContractsUsageError extends Error {}

/** Exit status of `contracts diff` when the engine would flag drift. */
const EXIT_DRIFT = 3;

interface CommonFlags {
  readonly state?: string;
  readonly identity?: string;
  readonly config?: string;
}

interface DraftFlags extends CommonFlags {
  readonly format: 'yaml' | 'json';
  readonly since?: string;
  readonly until?: string;
  readonly minCalls: number;
  readonly minIdentityCalls: number;
  readonly minIdentityDays: number;
}

interface DiffFlags extends CommonFlags {
  readonly contracts: string[];
}

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function parseDate(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const t = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(t))
    throw new ContractsUsageError(`--${name} must be an ISO 8601 date, got "${value}"`);
  return t;
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function events(inputs: readonly string[], setupOptions: Parameters<typeof loadLocalSetup>[0]) {
  const setup = await loadLocalSetup(setupOptions);
  const input = await normaliseFiles(inputs, {
    intel: setup.intel,
    ...(inputs.includes(STDIN_PATH) ? { readStdin } : {}),
  });
  for (const w of input.warnings) process.stderr.write(`nhi-watch: warning: ${w}\n`);
  return { setup, events: input.events };
}

const selector = (glob: string | undefined) => {
  if (glob === undefined) return {};
  const g = compileGlob(glob);
  return { isSelected: (key: string) => g.test(key) };
};

async function runDraft(inputs: string[], flags: DraftFlags, out: NodeJS.WritableStream): Promise<number> {
  const sinceMs = parseDate('since', flags.since);
  const untilMs = parseDate('until', flags.until);
  const { setup, events: all } = await events(
    inputs,
    flags.config !== undefined ? { configPath: flags.config } : {},
  );
  const result = await draftFromEvents(all, setup, {
    ...(sinceMs !== undefined ? { sinceMs } : {}),
    ...(untilMs !== undefined ? { untilMs } : {}),
    minValueCalls: flags.minCalls,
    minIdentityCalls: flags.minIdentityCalls,
    minIdentityDays: flags.minIdentityDays,
    ...(flags.state !== undefined ? { statePath: flags.state } : {}),
    ...selector(flags.identity),
  });
  out.write(stringifyContracts(result.contracts, flags.format));
  process.stderr.write(
    `nhi-watch: drafted ${result.contracts.length} contract(s); left out ${result.excludedEvents} event(s) of ${result.findings} finding(s) and ${result.skipped.length} identit${result.skipped.length === 1 ? 'y' : 'ies'} seen too little\n`,
  );
  for (const s of result.skipped.slice(0, 20))
    process.stderr.write(`  not drafted: ${neutralise(s.key, 200)}: ${s.reason}\n`);
  if (result.skipped.length > 20) process.stderr.write(`  … and ${result.skipped.length - 20} more\n`);
  return 0;
}

async function runDiff(inputs: string[], flags: DiffFlags, out: NodeJS.WritableStream): Promise<number> {
  if (flags.contracts.length === 0) throw new ContractsUsageError('contracts diff needs --contracts FILE');
  const { setup, events: all } = await events(inputs, {
    ...(flags.config !== undefined ? { configPath: flags.config } : {}),
    contractPaths: flags.contracts,
  });
  const { drift } = await diffEvents(all, setup, {
    ...(flags.state !== undefined ? { statePath: flags.state } : {}),
    ...selector(flags.identity),
  });
  for (const d of drift) {
    out.write(
      `${neutralise(d.identityKey, 300)}: ${d.severity}, ${d.calls} call(s) in ${d.findings} finding(s), ${iso(d.firstSeenMs)} to ${iso(d.lastSeenMs)}\n`,
    );
    for (const b of d.breaches) out.write(`  ${neutralise(b, 300)}\n`);
  }
  const breaches = drift.reduce((n, d) => n + d.breaches.length, 0);
  out.write(
    `${breaches} breach(es) the engine flags on ${drift.length} identit${drift.length === 1 ? 'y' : 'ies'}\n`,
  );
  return drift.length > 0 ? EXIT_DRIFT : 0;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];
const count =
  (name: string) =>
  (value: string): number => {
    const v = Number(value);
    if (!Number.isInteger(v) || v < 1)
      throw new ContractsUsageError(`--${name} must be a positive integer, got "${value}"`);
    return v;
  };

/** Add `contracts draft` and `contracts diff` to the program; `setStatus` receives the exit status. */
export function addContractsCommand(program: Command, setStatus: (code: number) => void): void {
  const contracts = program
    .command('contracts')
    .description('draft integration contracts from logs, or show the drift from them that the engine flags');
  contracts
    .command('draft')
    .description(
      'draft a contract per identity from log files for its owners to review: events that raised findings are ' +
        'left out, and so are identities and values seen too little',
    )
    .argument('<inputs...>', `log files or directories (as for replay); ${STDIN_PATH} reads standard input`)
    .option(
      '--state <file>',
      'what an earlier replay learned, used to judge the events (read, never written)',
    )
    .option('--config <file>', 'detection configuration (docs/CONFIG.md)')
    .option('--since <date>', 'only events at or after this ISO 8601 date')
    .option('--until <date>', 'only events before this ISO 8601 date')
    .option(
      '--min-calls <n>',
      'origins, user agents, actions and scopes seen fewer times are left out',
      count('min-calls'),
      3,
    )
    .option(
      '--min-identity-calls <n>',
      'identities with fewer clean calls get no contract',
      count('min-identity-calls'),
      50,
    )
    .option(
      '--min-identity-days <n>',
      'identities active over fewer days get no contract',
      count('min-identity-days'),
      3,
    )
    .option('--identity <glob>', 'only identities whose key matches (`*` any run of characters)')
    .addOption(new Option('--format <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
    .action(async (inputs: string[], flags: DraftFlags) =>
      setStatus(await runDraft(inputs, flags, process.stdout)),
    );
  contracts
    .command('diff')
    .description(
      `replay log files with the contracts through the contract-violation rule and list each breach it raises; exit ${EXIT_DRIFT} on drift`,
    )
    .argument('<inputs...>', `log files or directories; ${STDIN_PATH} reads standard input`)
    .option('--contracts <file>', 'contract file (.yaml, .yml, .json); repeatable', collect, [])
    .option('--state <file>', 'what an earlier replay learned (rate envelopes need it; read, never written)')
    .option('--config <file>', 'detection configuration (suppressions apply as in replay)')
    .option('--identity <glob>', 'only identities whose key matches (`*` any run of characters)')
    .action(async (inputs: string[], flags: DiffFlags) =>
      setStatus(await runDiff(inputs, flags, process.stdout)),
    );
}
