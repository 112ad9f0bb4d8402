/**
 * What the log-processing handlers' bundles are made of: each handler is built with the stack's own
 * options (lib/handler-bundling.ts), then the report prints the files of the asset (code, source map,
 * the IP database: ip-intel.bin and the copied country package) and the largest contributors to index.js
 * by package, from esbuild's metafile (minified bytes in the output).
 *
 *   npx tsx scripts/bundle-report.ts [--top N] [--files] [--keep] [--cold N]
 *
 * `--files` lists input files instead of packages; `--keep` leaves the built assets in place.
 * `--cold N` also times module init: N fresh Node 22 processes (the Lambda runtime's major) each
 * `require()` index.js, with the function's NODE_OPTIONS and the AWS SDK resolved through NODE_PATH
 * as the runtime does; the median process time minus that of an empty Node process is reported.
 * Exits 1 when a handler's code without the IP database is over the 1 MB target (issue #5).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { buildSync } from 'esbuild';
import { DEFAULT_IP_DATABASE, IP_DB_BUNDLE_NAME } from '../lib/constructs/bundled-function.js';
import {
  HANDLER_BUNDLING,
  PROJECT_ROOT,
  copyModules,
  handlerEsbuildOptions,
  runtimeModulesDir,
} from '../lib/handler-bundling.js';

/** The functions that process logs (the prefix subscriber is small and carries no IP database). */
const HANDLERS = ['lambdas/handlers/cloudtrail-logs.ts', 'lambdas/handlers/api-gateway-logs.ts'];
/** Issue #5: index.js at most 1 MB, the IP database not counted. */
const TARGET_BYTES = 1024 * 1024;

const { values: args } = parseArgs({
  options: {
    top: { type: 'string', default: '15' },
    files: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    cold: { type: 'string', default: '0' },
  },
});
const top = Number(args.top);
const coldSpawns = Number(args.cold);
/** The Node binary of the Lambda runtime's major (the `node@22` dev dependency), else this process's. */
const NODE22 = existsSync(path.join(PROJECT_ROOT, 'node_modules/.bin/node'))
  ? path.join(PROJECT_ROOT, 'node_modules/.bin/node')
  : process.execPath;

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

/** Wall time of one fresh Node process running `code` with `env`, in milliseconds. */
const processMs = (code: string, env: NodeJS.ProcessEnv): number => {
  const started = process.hrtime.bigint();
  const run = spawnSync(NODE22, ['-e', code], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (run.status !== 0) throw new Error(`node -e ${code} failed: ${run.stderr.toString().slice(0, 1000)}`);
  return ms;
};

/** Median module-init time of index.js in `taskDir` over `spawns` fresh processes, minus an empty process. */
const coldInit = (taskDir: string, nodePath: string, spawns: number): { initMs: number; bareMs: number } => {
  const env = { PATH: process.env.PATH ?? '', NODE_PATH: nodePath, NODE_OPTIONS: '--enable-source-maps' };
  const load = `require(${JSON.stringify(path.join(taskDir, 'index.js'))})`;
  processMs(load, env); // warms the page cache
  const bare: number[] = [];
  const loaded: number[] = [];
  for (let i = 0; i < spawns; i++) {
    bare.push(processMs('', env));
    loaded.push(processMs(load, env));
  }
  return { initMs: median(loaded) - median(bare), bareMs: median(bare) };
};

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
const nodePath = runtimeModulesDir(path.join(work, 'runtime', 'node_modules'));
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
  if (coldSpawns > 0) {
    const { initMs, bareMs } = coldInit(outdir, nodePath, coldSpawns);
    console.log(
      `  cold module init: ${initMs.toFixed(1)} ms (median of ${coldSpawns} processes requiring index.js, ` +
        `minus an empty Node ${bareMs.toFixed(1)} ms)`,
    );
  }

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
