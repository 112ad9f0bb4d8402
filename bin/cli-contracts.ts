/**
 * `nhi-watch contracts draft|diff`: turn what a replay learned (the `--state` file) into a contract
 * for owners to review, and show how observed behaviour drifts from the contracts in force.
 */
import { parseArgs } from 'node:util';
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

/** Run `contracts draft` or `contracts diff`; returns the exit status. */
export async function runContracts(args: readonly string[], out: NodeJS.WritableStream): Promise<number> {
  const [sub, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    options: {
      state: { type: 'string' },
      identity: { type: 'string' },
      format: { type: 'string' },
      contracts: { type: 'string', multiple: true },
    },
  });
  const all = await identities(values.state);
  const pattern = values.identity !== undefined ? compileGlob(values.identity) : undefined;
  const selected = pattern ? all.filter((b) => pattern.test(b.key)) : all;
  if (sub === 'draft') {
    const format = values.format ?? 'yaml';
    if (format !== 'yaml' && format !== 'json')
      throw new ContractsUsageError(`--format must be yaml or json, got "${format}"`);
    out.write(
      stringifyContracts(
        selected.map((b) => draftContract(b)),
        format,
      ),
    );
    return 0;
  }
  if (sub === 'diff') {
    const paths = values.contracts ?? [];
    if (paths.length === 0) throw new ContractsUsageError('contracts diff needs --contracts FILE');
    const setup = await loadLocalSetup({ contractPaths: paths });
    let drift = 0;
    for (const b of selected) {
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
  throw new ContractsUsageError(`contracts needs a sub-command: draft or diff, got "${sub ?? ''}"`);
}
