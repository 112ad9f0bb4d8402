/**
 * `nhi-watch contracts draft|diff`: turn what a replay learned (the `--state` file) into a contract
 * for owners to review, and show how observed behaviour drifts from the contracts in force.
 */
import { Option, type Command } from 'commander';
import type { IdentityBaseline } from '../lambdas/core/baseline.js';
import { compileGlob } from '../lambdas/core/glob.js';
import { diffContract } from '../lambdas/core/contract-diff.js';
import { draftContract } from '../lambdas/core/contract-draft.js';
import { stringifyContracts } from '../lambdas/core/yaml-text.js';
import { loadLocalSetup } from '../lambdas/local/replay.js';
import { MemoryBaselineStore, MemoryFindingLedger, loadStateFile } from '../lambdas/adapters/memory-store.js';

/** Thrown for a usage problem in a contracts sub-command. */
export class ContractsUsageError extends Error {}

async function identities(statePath: string | undefined): Promise<IdentityBaseline[]> {
  if (statePath === undefined)
    throw new ContractsUsageError(
      'contracts needs --state FILE (written by `nhi-watch replay --state FILE`)',
    );
  const store = new MemoryBaselineStore();
  await loadStateFile(statePath, store, new MemoryFindingLedger());
  const out: IdentityBaseline[] = [];
  for (const { record } of store.records.values()) if (record.type === 'identity') out.push(record);
  if (out.length === 0)
    throw new ContractsUsageError(`${statePath} holds no identities: replay some logs into it first`);
  return out.sort((a, b) => a.key.localeCompare(b.key));
}

interface ContractsFlags {
  readonly state?: string;
  readonly identity?: string;
  readonly format: 'yaml' | 'json';
  readonly contracts: string[];
}

async function selected(flags: ContractsFlags): Promise<IdentityBaseline[]> {
  const all = await identities(flags.state);
  const pattern = flags.identity !== undefined ? compileGlob(flags.identity) : undefined;
  return pattern ? all.filter((b) => pattern.test(b.key)) : all;
}

async function runDraft(flags: ContractsFlags, out: NodeJS.WritableStream): Promise<number> {
  out.write(
    stringifyContracts(
      (await selected(flags)).map((b) => draftContract(b)),
      flags.format,
    ),
  );
  return 0;
}

async function runDiff(flags: ContractsFlags, out: NodeJS.WritableStream): Promise<number> {
  if (flags.contracts.length === 0) throw new ContractsUsageError('contracts diff needs --contracts FILE');
  const chosen = await selected(flags);
  const setup = await loadLocalSetup({ contractPaths: flags.contracts });
  let drift = 0;
  for (const b of chosen) {
    const c = setup.contracts.forIdentity(b.key);
    if (!c) continue;
    const entries = diffContract(c, b);
    drift += entries.length;
    out.write(
      `${b.key}: ${entries.length === 0 ? 'within its contract' : `${entries.length} observed value(s) the contract does not allow`}\n`,
    );
    for (const e of entries) out.write(`  ${e.field}: ${e.value} (${e.calls} call(s))\n`);
  }
  out.write(`${drift} difference(s)\n`);
  return 0;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Add `contracts draft` and `contracts diff` to the program; `setStatus` receives the exit status. */
export function addContractsCommand(program: Command, setStatus: (code: number) => void): void {
  const contracts = program
    .command('contracts')
    .description(
      'draft integration contracts from what a replay learned (--state), or list what observed behaviour ' +
        'does that the contracts do not allow',
    );
  contracts
    .command('draft')
    .description('write a contract per identity in the state file, for its owners to review')
    .option('--state <file>', 'state file written by `nhi-watch replay --state FILE`')
    .option('--identity <glob>', 'only identities whose key matches (`*` any run of characters)')
    .addOption(new Option('--format <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
    .action(async (flags: ContractsFlags) => setStatus(await runDraft(flags, process.stdout)));
  contracts
    .command('diff')
    .description('list what each identity did that its contract does not allow')
    .option('--state <file>', 'state file written by `nhi-watch replay --state FILE`')
    .option('--contracts <file>', 'contract file (.yaml, .yml, .json); repeatable', collect, [])
    .option('--identity <glob>', 'only identities whose key matches (`*` any run of characters)')
    .action(async (flags: ContractsFlags) => setStatus(await runDiff(flags, process.stdout)));
}
