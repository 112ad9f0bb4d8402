/**
 * The configuration and contract files as people write them, YAML or JSON: the CLI and the stack
 * (at synth) read them here. The only core module importing the YAML parser, so the Lambdas — which
 * receive the configuration as JSON in `NHI_CONFIG` and contract files the stack wrote as JSON —
 * do not carry it.
 */
import { LineCounter, parseDocument, stringify } from 'yaml';
import {
  MAX_CONFIG_BYTES,
  configFailure,
  parseConfigJson,
  resolveConfig,
  type ConfigParseOptions,
  type ConfigResult,
} from './config.js';
import type { Contract } from './contracts.js';
import {
  contractsFailure,
  contractsFileContent,
  contractsToJson,
  parseContractsData,
  parseContractsJson,
  type ContractFormat,
} from './contracts-file.js';
import type { ParseResult } from './identity-event.js';

/** Parse configuration text (a file's content), YAML or JSON by `opts.format` or the source's extension. */
export function parseConfigText(text: string, opts: ConfigParseOptions): ConfigResult {
  const format = opts.format ?? (/\.json$/i.test(opts.source) ? 'json' : 'yaml');
  if (format === 'json') {
    const { format: _format, ...jsonOpts } = opts;
    return parseConfigJson(text, jsonOpts);
  }
  if (Buffer.byteLength(text, 'utf8') > MAX_CONFIG_BYTES)
    return configFailure(opts.source, [{ path: '', message: `larger than ${MAX_CONFIG_BYTES} bytes` }]);
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return configFailure(
      opts.source,
      // The first line of a pretty YAML error ends with "at line L, column C:".
      doc.errors.map((e) => ({
        path: '',
        message: `not valid YAML: ${(e.message.split('\n')[0] ?? e.code).replace(/:$/, '')}`,
      })),
    );
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    return configFailure(opts.source, [
      { path: '', message: `not valid YAML: ${e instanceof Error ? e.message : String(e)}` },
    ]);
  }
  return resolveConfig(raw, opts);
}

/**
 * Parse and validate a contract file written in `format`. `origin` (the file's path) prefixes every
 * error and is kept on each contract for evidence; errors as `parseContractsData`, plus the line and
 * column of YAML syntax errors.
 */
export function parseContracts(
  textIn: string,
  origin: string,
  format: ContractFormat,
): ParseResult<Contract[]> {
  if (format === 'json') return parseContractsJson(textIn, origin);
  const lines = new LineCounter();
  const doc = parseDocument(textIn, { uniqueKeys: true, prettyErrors: false, lineCounter: lines });
  if (doc.errors.length > 0) {
    return contractsFailure(
      origin,
      doc.errors.map((e) => {
        const pos = lines.linePos(e.pos[0]);
        return `line ${pos.line}, column ${pos.col}: invalid YAML: ${e.message.split('\n')[0] ?? e.code}`;
      }),
    );
  }
  return parseContractsData(doc.toJS({ maxAliasCount: 100 }) as unknown, origin);
}

/** Write contracts as a version-1 file in `format` (the in-memory `origin` is not written). */
export function stringifyContracts(contracts: readonly Contract[], format: ContractFormat): string {
  return format === 'json'
    ? contractsToJson(contracts)
    : stringify(contractsFileContent(contracts), { lineWidth: 0 });
}
