/**
 * Real esbuild bundling (no Docker): what ships in a function's asset. Slower than the template tests, so
 * each bundle is built once.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Duration, type AssetStaging, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import {
  BundledFunction,
  IP_DB_MISSING_WARNING,
  type BundledFunctionProps,
} from '../../lib/constructs/bundled-function';
import { REPO_ROOT, SKIP_BUNDLING } from './synth';

let work: string;
beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'nhi-watch-bundling-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const bundle = (
  id: string,
  props: Partial<BundledFunctionProps> & Pick<BundledFunctionProps, 'entry'>,
  context: Record<string, unknown> = {},
): { fn: BundledFunction; assetDir: string; stack: Stack } => {
  const app = new App({ outdir: path.join(work, `${id}.out`), context });
  const stack = new Stack(app, id);
  const fn = new BundledFunction(stack, 'Fn', {
    description: 'test',
    environment: {},
    encryptionKey: new kms.Key(stack, 'Key'),
    logRetentionDays: 7,
    memoryMb: 256,
    timeout: Duration.seconds(10),
    reservedConcurrency: 1,
    onFailureQueue: new sqs.Queue(stack, 'Queue'),
    ...props,
  });
  const staging = fn.function.node.findChild('Code').node.findChild('Stage') as AssetStaging;
  return { fn, assetDir: staging.absoluteStagedPath, stack };
};

const environmentOf = (fn: BundledFunction): Record<string, unknown> =>
  Template.fromStack(Stack.of(fn)).toJSON()['Resources'][
    Stack.of(fn).getLogicalId(fn.function.node.defaultChild as CfnFunction)
  ].Properties.Environment.Variables as Record<string, unknown>;

describe('BundledFunction bundling', () => {
  describe('a handler with the SDK, an IP database and a contracts file', () => {
    let assetDir: string;
    let fn: BundledFunction;

    beforeAll(() => {
      const ipDb = path.join(work, 'ip-intel.bin');
      writeFileSync(ipDb, Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]));
      const contracts = path.join(work, 'contracts.yaml');
      writeFileSync(contracts, 'contracts: []\n');
      ({ fn, assetDir } = bundle('Full', {
        entry: 'lambdas/handlers/log-group-subscriber.ts',
        ipDatabase: { file: ipDb },
        files: [{ source: contracts, bundlePath: 'config/contracts.yaml' }],
      }));
    });

    it('is one self-contained file with its source map: the SDK is bundled, not taken from the runtime', () => {
      const code = readFileSync(path.join(assetDir, 'index.js'), 'utf8');
      const required = [...code.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]!);
      const packages = [...new Set(required)].filter(
        (name) => !name.startsWith('node:') && !builtinModules.includes(name),
      );
      // What is left are optional peers the SDK probes for (CRT signers); none of them is installed.
      const resolvable = packages.filter((name) => {
        try {
          require.resolve(name, { paths: [REPO_ROOT] });
          return true;
        } catch {
          return false;
        }
      });

      expect(resolvable).toEqual([]);
      expect(code).toContain('DescribeSubscriptionFilters');
      expect(existsSync(path.join(assetDir, 'index.js.map'))).toBe(true);
      expect(existsSync(path.join(assetDir, 'node_modules'))).toBe(false);
    });

    it('ships the IP database and the configured files, and points the runtime at them', () => {
      expect(readFileSync(path.join(assetDir, 'ip-intel.bin'))).toEqual(
        Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]),
      );
      expect(readFileSync(path.join(assetDir, 'config', 'contracts.yaml'), 'utf8')).toBe('contracts: []\n');
      expect(environmentOf(fn)).toMatchObject({
        NHI_IP_DB_PATH: '/var/task/ip-intel.bin',
        NODE_OPTIONS: '--enable-source-maps',
      });
    });

    it('stays well inside the Lambda package limit', () => {
      expect(statSync(path.join(assetDir, 'index.js')).size).toBeLessThan(5 * 1024 * 1024);
    });
  });

  it('builds the IP database with its script when the file is missing', () => {
    const ipDb = path.join(work, 'generated', 'ip-intel.bin');
    const script = path.join(work, 'build-ip-db.ts');
    writeFileSync(
      script,
      `import { mkdirSync, writeFileSync } from 'node:fs';\n` +
        `mkdirSync(${JSON.stringify(path.dirname(ipDb))}, { recursive: true });\n` +
        `writeFileSync(${JSON.stringify(ipDb)}, 'generated');\n`,
    );

    const { assetDir } = bundle('Generated', {
      entry: 'lambdas/handlers/cloudtrail-logs.ts',
      ipDatabase: { file: ipDb, buildScript: script },
    });

    expect(readFileSync(path.join(assetDir, 'ip-intel.bin'), 'utf8')).toBe('generated');
  });

  it('changes the asset, so a deployment updates the function, when a shipped file changes', () => {
    const contracts = path.join(work, 'changing.yaml');
    const hashWith = (content: string, id: string): string => {
      writeFileSync(contracts, content);
      const { fn } = bundle(id, {
        entry: 'lambdas/handlers/cloudtrail-logs.ts',
        files: [{ source: contracts, bundlePath: 'config/contracts.yaml' }],
      });
      return (fn.function.node.findChild('Code').node.findChild('Stage') as AssetStaging).assetHash;
    };

    expect(hashWith('contracts: []\n', 'Before')).not.toBe(
      hashWith('contracts: [{identity: deployer}]\n', 'After'),
    );
  });

  it('warns at synth, and sets no database path, when neither the database nor its script exists', () => {
    const { fn, stack } = bundle(
      'Missing',
      {
        entry: 'lambdas/handlers/cloudtrail-logs.ts',
        ipDatabase: { file: path.join(work, 'absent.bin'), buildScript: path.join(work, 'absent.ts') },
      },
      SKIP_BUNDLING,
    );

    const warnings = Annotations.fromStack(stack).findWarning('*', Match.anyValue());

    expect(warnings.map((w) => [w.id, w.entry.data])).toEqual([
      ['/Missing/Fn', expect.stringMatching(new RegExp(`without IP intelligence.*${IP_DB_MISSING_WARNING}`))],
    ]);
    expect(environmentOf(fn)['NHI_IP_DB_PATH']).toBeUndefined();
  });
});
