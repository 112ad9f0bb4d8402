/**
 * The Lambda bundle as deployed: built with esbuild exactly as the CDK stack's NodejsFunction
 * does (bundle, minify, source map, node22, CommonJS, platform node, AWS SDK bundled, no
 * externals), its size with and without the IP database, and its cold module-init time in a
 * fresh Node 22 process (the Lambda runtime's major).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';

import { build } from 'esbuild';

import { median } from './harness.js';

/** Repository root (bench/ sits directly under it). */
export const ROOT = resolve(__dirname, '..');
/** The Node binary of the Lambda runtime's major (the `node@22` dev dependency); falls back to this process's. */
export const NODE22 = existsSync(join(ROOT, 'node_modules/.bin/node')) ? join(ROOT, 'node_modules/.bin/node') : process.execPath;
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
  /** code + map. */
  readonly withoutIpDbBytes: number;
  readonly withIpDbBytes: number;
  /** gzip -6 of code + map + db: roughly the zip Lambda stores. */
  readonly compressedBytes: number;
  readonly outDir: string;
}

/** Build one handler the way the stack does, into `outDir`. */
export async function bundleHandler(entry: string, outDir: string): Promise<BundleSize> {
  const outfile = join(outDir, 'index.js');
  await build({
    entryPoints: [join(ROOT, entry)],
    outfile,
    bundle: true,
    minify: true,
    sourcemap: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    mainFields: ['module', 'main'],
    tsconfig: join(ROOT, 'tsconfig.json'),
    logLevel: 'error',
  });
  const codeBytes = (await stat(outfile)).size;
  const mapBytes = (await stat(`${outfile}.map`)).size;
  const ipDbBytes = existsSync(IP_DB_FILE) ? (await stat(IP_DB_FILE)).size : 0;
  const parts = [readFileSync(outfile), readFileSync(`${outfile}.map`), ...(ipDbBytes > 0 ? [readFileSync(IP_DB_FILE)] : [])];
  return {
    entry,
    codeBytes,
    mapBytes,
    ipDbBytes,
    withoutIpDbBytes: codeBytes + mapBytes,
    withIpDbBytes: codeBytes + mapBytes + ipDbBytes,
    compressedBytes: parts.reduce((a, b) => a + gzipSync(b).length, 0),
    outDir,
  };
}

/** Cold module-init figures, medians over fresh processes. */
export interface ColdInit {
  readonly spawns: number;
  /** require() of the bundle, timed inside the process. */
  readonly requireMs: number;
  /** Same with `--enable-source-maps` (the stack sets NODE_OPTIONS to it when source maps are on). */
  readonly requireWithSourceMapsMs: number;
  /** Whole process (spawn → exit after require) minus an empty process. */
  readonly processOverBareMs: number;
  readonly bareProcessMs: number;
}

function runNode(args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; stdout: string }> {
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
      if (code === 0) resolvePromise({ ms, stdout });
      else reject(new Error(`node ${args.join(' ')} exited with ${String(code)}: ${stderr.slice(0, 2000)}`));
    });
  });
}

/**
 * Time module init of a bundle: N fresh Node 22 processes each `require()` it (top-level code
 * runs: clients built, configuration read, IP database loaded) and exit. `env` is the function's
 * environment (table, topic…), pointing at nothing that is contacted during init.
 */
export async function coldInit(bundleDir: string, env: Readonly<Record<string, string>>, spawns = 15): Promise<ColdInit> {
  const probe = join(bundleDir, 'probe-init.js');
  await writeFile(
    probe,
    [
      "const t0 = process.hrtime.bigint();",
      "const m = require('./index.js');",
      "if (typeof m.handler !== 'function') throw new Error('bundle exports no handler');",
      "process.stdout.write(String(Number(process.hrtime.bigint() - t0) / 1e6));",
    ].join('\n'),
  );
  const empty = join(bundleDir, 'probe-empty.js');
  await writeFile(empty, '');
  const baseEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKIDBENCHMARK', AWS_SECRET_ACCESS_KEY: 'benchmark', LAMBDA_TASK_ROOT: bundleDir, ...env };
  const bare: number[] = [];
  const whole: number[] = [];
  const req: number[] = [];
  const reqMaps: number[] = [];
  // One untimed round warms the page cache.
  await runNode([probe], baseEnv);
  for (let i = 0; i < spawns; i++) {
    bare.push((await runNode([empty], baseEnv)).ms);
    const r = await runNode([probe], baseEnv);
    whole.push(r.ms);
    req.push(Number(r.stdout));
    reqMaps.push(Number((await runNode(['--enable-source-maps', probe], baseEnv)).stdout));
  }
  return {
    spawns,
    requireMs: median(req),
    requireWithSourceMapsMs: median(reqMaps),
    processOverBareMs: median(whole) - median(bare),
    bareProcessMs: median(bare),
  };
}

/** A fresh temporary directory for one bundle; the caller removes it with {@link removeDir}. */
export const tempBundleDir = (name: string): Promise<string> => mkdtemp(join(tmpdir(), `nhi-watch-bench-${name}-`));
/** Remove a temporary bundle directory. */
export const removeDir = (dir: string): Promise<void> => rm(dir, { recursive: true, force: true });
