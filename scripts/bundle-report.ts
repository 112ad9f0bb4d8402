/**
 * What the log-processing handlers' bundles are made of: each handler is built with the stack's own
 * options (lib/handler-bundling.ts), then the report prints the files of the asset (code, source map,
 * the IP database: ip-intel.bin and the copied country package) and the largest contributors to index.js
 * by package, from esbuild's metafile (minified bytes in the output).
 *
 *   npx tsx scripts/bundle-report.ts [--top N] [--files] [--keep]
 *
 * `--files` lists input files instead of packages; `--keep` leaves the built assets in place.
 * Exits 1 when a handler's code without the IP database is over the 1 MB target (issue #5).
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { buildSync } from 'esbuild';
import { DEFAULT_IP_DATABASE, IP_DB_BUNDLE_NAME } from '../lib/constructs/bundled-function.js';
import { HANDLER_BUNDLING, copyModules, handlerEsbuildOptions } from '../lib/handler-bundling.js';

/** The functions that process logs (the prefix subscriber is small and carries no IP database). */
const HANDLERS = ['lambdas/handlers/cloudtrail-logs.ts', 'lambdas/handlers/api-gateway-logs.ts'];
/** Issue #5: index.js at most 1 MB, the IP database not counted. */
const TARGET_BYTES = 1024 * 1024;

const { values: args } = parseArgs({
  options: {
    top: { type: 'string', default: '15' },
    files: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const top = Number(args.top);

const sizeOf = (p: string): number => {
  const s = statSync(p);
  if (!s.isDirectory()) return s.size;
  return readdirSync(p).reduce((sum, name) => sum + sizeOf(path.join(p, name)), 0);
};
const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1).padStart(8)} KiB`;
const row = (label: string, bytes: number): string =>
  `  ${label.padEnd(44)} ${String(bytes).padStart(9)} B ${kb(bytes)}`;
const packageOf = (input: string): string => {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (m !== null) return m[1] as string;
  return input.replace(/^(lambdas\/[^/]+)\/.*/, 'nhi-watch $1');
};

const work = mkdtempSync(path.join(tmpdir(), 'nhi-watch-bundle-report-'));
let overTarget = false;
console.log(
  `esbuild options: target ${HANDLER_BUNDLING.target}, ${HANDLER_BUNDLING.format}, ` +
    `minify ${String(HANDLER_BUNDLING.minify)}, external [${[...HANDLER_BUNDLING.externalModules, ...HANDLER_BUNDLING.copiedModules].join(', ')}], ` +
    `copied beside the bundle [${HANDLER_BUNDLING.copiedModules.join(', ')}]`,
);
for (const entry of HANDLERS) {
  const outdir = path.join(work, path.basename(entry, '.ts'));
  const result = buildSync({ ...handlerEsbuildOptions(entry, outdir), metafile: true });
  copyModules(outdir);
  const ipDb = DEFAULT_IP_DATABASE.file;
  const code = statSync(path.join(outdir, 'index.js')).size;
  const map = statSync(path.join(outdir, 'index.js.map')).size;
  const copied = HANDLER_BUNDLING.copiedModules.map((name) => ({
    name,
    bytes: sizeOf(path.join(outdir, 'node_modules', name)),
  }));
  const ipDbBytes = existsSync(ipDb) ? statSync(ipDb).size : 0;
  const copiedBytes = copied.reduce((s, c) => s + c.bytes, 0);

  console.log(`\n${entry}`);
  console.log(row('index.js (code, without the IP database)', code));
  console.log(row('index.js.map', map));
  for (const c of copied) console.log(row(`node_modules/${c.name} (IP database: countries)`, c.bytes));
  console.log(row(`${IP_DB_BUNDLE_NAME} (IP database: ASNs)${ipDbBytes === 0 ? ' MISSING' : ''}`, ipDbBytes));
  console.log(row('asset without the IP database (code + map)', code + map));
  console.log(row('asset with the IP database', code + map + copiedBytes + ipDbBytes));
  const verdict = code <= TARGET_BYTES ? 'within' : 'OVER';
  console.log(`  ${verdict} the ${TARGET_BYTES} B target for code without the IP database`);
  if (code > TARGET_BYTES) overTarget = true;

  const totals = new Map<string, number>();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const key = args.files ? input : packageOf(input);
      totals.set(key, (totals.get(key) ?? 0) + bytesInOutput);
    }
  }
  const ranked = [...totals.entries()].sort((a, b) => b[1] - a[1]);
  console.log(`  largest ${args.files ? 'input files' : 'packages'} in index.js (minified bytes):`);
  for (const [name, bytes] of ranked.slice(0, top)) console.log(`  ${row(name, bytes)}`);
  const rest = ranked.slice(top).reduce((s, [, b]) => s + b, 0);
  if (rest > 0) console.log(`  ${row(`${ranked.length - top} more`, rest)}`);
}
if (args.keep) console.log(`\nassets kept in ${work}`);
else rmSync(work, { recursive: true, force: true });
process.exitCode = overTarget ? 1 : 0;
