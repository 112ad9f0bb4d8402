/**
 * The handler as the stack deploys it: bundled by esbuild with the options of
 * lib/constructs/bundled-function.ts (node22, CommonJS, minified, nothing external), and invoked
 * in a separate Node process as Lambda would. Catches what only the bundle gets wrong
 * (a dependency resolving a file at run time that the bundle inlined, ESM-only packages…).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { buildSync } from 'esbuild';

/** A bundled handler on disk. */
export interface Bundle {
  readonly dir: string;
  /** Invoke the bundle's `handler` with `event` in a fresh Node process (a cold start) with `env`. */
  invoke(event: unknown, env: NodeJS.ProcessEnv): Promise<{ result?: unknown; error?: string }>;
  remove(): void;
}

const RUNNER = `
const { handler } = require(process.argv[2]);
const event = JSON.parse(require('node:fs').readFileSync(process.argv[3], 'utf8'));
const context = { functionName: 'nhi-watch-bundle', functionVersion: '$LATEST', awsRequestId: 'bundle-test',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:nhi-watch-bundle', memoryLimitInMB: '512',
  getRemainingTimeInMillis: () => 60000 };
handler(event, context).then(
  (result) => process.send({ result }),
  (error) => process.send({ error: String(error && error.stack || error) }),
);`;

/** Bundle `entry` (a path from the repository root). */
export function bundleHandler(entry: string): Bundle {
  const dir = mkdtempSync(join(tmpdir(), 'nhi-watch-bundle-'));
  buildSync({
    entryPoints: [join(__dirname, '..', '..', entry)],
    outfile: join(dir, 'index.js'),
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    minify: true,
    logLevel: 'silent',
  });
  writeFileSync(join(dir, 'runner.js'), RUNNER);
  return {
    dir,
    invoke: (event, env) =>
      new Promise((resolve, reject) => {
        writeFileSync(join(dir, 'event.json'), JSON.stringify(event));
        const child = spawn(
          process.execPath,
          [join(dir, 'runner.js'), join(dir, 'index.js'), join(dir, 'event.json')],
          {
            env,
            stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
          },
        );
        let answer: { result?: unknown; error?: string } | undefined;
        let stderr = '';
        child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
        child.stdout?.resume();
        child.on('message', (m: { result?: unknown; error?: string }) => {
          answer = m;
          child.disconnect();
        });
        const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
        child.on('exit', (code) => {
          clearTimeout(timer);
          if (answer) resolve(answer);
          else reject(new Error(`bundle exited with ${code} without answering:\n${stderr}`));
        });
      }),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
