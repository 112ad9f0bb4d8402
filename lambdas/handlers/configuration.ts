/**
 * The functions' detection configuration: `NHI_CONFIG` parsed and the contract files it names read.
 * Apart from the AWS wiring (production-aws.ts) so that a handler loads the SDK only when it first
 * runs, while this — which needs zod — stays in the handler's own module graph.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { parseConfigJson, DEFAULT_CONFIG, type NhiWatchConfig } from '../core/config.js';
import { ContractSet, type Contract } from '../core/contracts.js';
import { contractFormatOf, parseContractsJson } from '../core/contracts-file.js';
import { RULE_DEFAULTS, RULE_IDS } from '../core/rules/index.js';
import { ConfigurationError } from './env.js';

/** What the functions detect with: the engine configuration, suppressions and contracts. */
export interface Configuration {
  readonly config: NhiWatchConfig;
  readonly contracts: ContractSet;
}

/**
 * Parse `NHI_CONFIG` and read the contract files it names (relative to the function's root). Both are
 * JSON: the stack writes the contract files it ships as JSON, so the functions carry no YAML parser.
 */
export function loadConfiguration(nhiConfig: string | undefined): Configuration {
  let config = DEFAULT_CONFIG;
  if (nhiConfig !== undefined) {
    const parsed = parseConfigJson(nhiConfig, {
      knownRuleIds: RULE_IDS,
      ruleDefaults: RULE_DEFAULTS,
    });
    if (!parsed.ok) throw new ConfigurationError('NHI_CONFIG', parsed.reason);
    config = parsed.value;
  }
  const contracts: Contract[] = [];
  for (const file of config.contractsFiles) {
    const path = resolve(process.env.LAMBDA_TASK_ROOT ?? process.cwd(), file);
    if (contractFormatOf(path) !== 'json')
      throw new ConfigurationError(
        'NHI_CONFIG',
        `contractsFiles: ${file} must be a .json file: the functions read contract files as JSON (the stack converts YAML ones at synth)`,
      );
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new ConfigurationError(
        'NHI_CONFIG',
        `contractsFiles: cannot read ${path} (${(error as Error).message})`,
      );
    }
    const parsed = parseContractsJson(text, path);
    if (!parsed.ok) throw new ConfigurationError('NHI_CONFIG', parsed.reason);
    contracts.push(...parsed.value);
  }
  return { config, contracts: new ContractSet(contracts) };
}
