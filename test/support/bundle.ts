/**
 * The handler as the stack deploys it: bundled by esbuild with the stack's own options
 * (lib/handler-bundling.ts), the packages the stack copies beside index.js copied the same way,
 * and invoked in a separate Node process as Lambda would. Catches what only the bundle gets wrong
 * (a dependency resolving a file at run time that the bundle inlined, ESM-only packages, an
 * external package that is not shipped…).
 *
 * The AWS SDK is left out of the bundle, as the stack leaves it: Lambda's nodejs22.x runtime provides
 * it in /var/runtime/node_modules, which is on the runtime's NODE_PATH. The test lays the bundle out
 * the same way: index.js and what the stack ships beside it in `task/` (as /var/task), the repository's
 * installed `@aws-sdk` packages (and nothing else: no other package the bundle could wrongly rely on)
 * in `runtime/node_modules/` (as /var/runtime/node_modules), named by NODE_PATH.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { buildSync } from 'esbuild';

import { copyModules, handlerEsbuildOptions, runtimeModulesDir } from '../../lib/handler-bundling';

/** A bundled handler on disk. */
export interface Bundle {
  /** The function's code as Lambda unpacks it (index.js, index.js.map, shipped packages). */
  readonly taskDir: string;
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
  const taskDir = join(dir, 'task');
  buildSync({ ...handlerEsbuildOptions(entry, taskDir), logLevel: 'silent' });
  copyModules(taskDir);
  const runtimeModules = runtimeModulesDir(join(dir, 'runtime', 'node_modules'));
  writeFileSync(join(dir, 'runner.js'), RUNNER);
  return {
    taskDir,
    invoke: (event, env) =>
      new Promise((resolve, reject) => {
        writeFileSync(join(dir, 'event.json'), JSON.stringify(event));
        const child = spawn(
          process.execPath,
          [join(dir, 'runner.js'), join(taskDir, 'index.js'), join(dir, 'event.json')],
          {
            env: { ...env, NODE_PATH: runtimeModules },
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
