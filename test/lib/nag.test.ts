import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CONFIG_CONTEXT_KEY, CONFIG_FILE_CONTEXT_KEY } from '../../lib/config';
import { buildNhiWatchApp } from '../../bin/app';
import { REPO_ROOT, SKIP_BUNDLING } from './synth';

interface Violation {
  readonly ruleName: string;
  readonly violatingConstructs: readonly { readonly constructPath: string }[];
}
interface ValidationReport {
  readonly pluginReports: readonly {
    readonly pluginName: string;
    readonly violations: readonly Violation[];
  }[];
}

/** Synthesises the app and returns the cdk-nag violations from the cloud assembly's validation report. */
const nagViolations = (app: App, outdir: string): string[] => {
  try {
    app.synth();
  } catch (error) {
    // A violation interrupts synth after writing the report; anything else is a real failure.
    if (!/Validation ?failed/i.test(`${(error as Error).name} ${(error as Error).message}`)) throw error;
  }
  const report = JSON.parse(
    readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'),
  ) as ValidationReport;
  return report.pluginReports.flatMap((plugin) =>
    plugin.violations.flatMap((v) => v.violatingConstructs.map((c) => `${v.ruleName} ${c.constructPath}`)),
  );
};

describe('cdk-nag AwsSolutions', () => {
  let outdir: string;
  let output: jest.SpyInstance;
  beforeEach(() => {
    outdir = mkdtempSync(path.join(tmpdir(), 'nhi-watch-nag-'));
    output = jest.spyOn(console, 'error').mockImplementation(() => undefined); // the CLI-style report
  });
  afterEach(() => {
    output.mockRestore();
    rmSync(outdir, { recursive: true, force: true });
  });

  it('reports an unacknowledged finding (the check below is live)', () => {
    const app = new App({ outdir });
    new sqs.Queue(new Stack(app, 'Unhardened'), 'Queue');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

    expect(nagViolations(app, outdir)).toEqual(
      expect.arrayContaining([
        'AwsSolutions-SQS3 Unhardened/Queue/Resource',
        'AwsSolutions-SQS4 Unhardened/Queue/Resource',
      ]),
    );
  });

  it('finds nothing unacknowledged in the shipped example (new trail, prefix subscriptions)', () => {
    const app = new App({
      outdir,
      context: { ...SKIP_BUNDLING, [CONFIG_FILE_CONTEXT_KEY]: 'examples/nhi-watch.config.json' },
    });
    buildNhiWatchApp(app, REPO_ROOT);

    expect(nagViolations(app, outdir)).toEqual([]);
  });

  it('finds nothing unacknowledged with an existing trail, named groups and Security Hub off', () => {
    const app = new App({
      outdir,
      context: {
        ...SKIP_BUNDLING,
        [CONFIG_CONTEXT_KEY]: {
          cloudTrail: { mode: 'existing', logGroupName: 'aws-cloudtrail-logs-123456789012' },
          apiGateway: { logGroupNames: ['api/orders/prod'] },
          securityHub: false,
        },
      },
    });
    buildNhiWatchApp(app, REPO_ROOT);

    expect(nagViolations(app, outdir)).toEqual([]);
  });

  it('gives every acknowledgement a specific reason', () => {
    const app = new App({
      outdir,
      context: { ...SKIP_BUNDLING, [CONFIG_FILE_CONTEXT_KEY]: 'examples/nhi-watch.config.json' },
    });
    const stack = buildNhiWatchApp(app, REPO_ROOT);

    const acknowledgements = stack.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((m) => Object.entries(m.data as Record<string, string>))
      // aws-cdk-lib records an id without a plugin prefix under `Annotation::`; cdk-nag matches it either way.
      .map(([id, reason]) => [id.replace(/^annotation::/i, ''), reason] as const);

    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const [id, reason] of acknowledgements) {
      expect(id).toMatch(/^AwsSolutions-/);
      expect(reason.length).toBeGreaterThan(60);
    }
    expect(new Set(acknowledgements.map(([id]) => id.replace(/\[.*$/, '')))).toEqual(
      new Set(['AwsSolutions-L1', 'AwsSolutions-SQS3', 'AwsSolutions-S1', 'AwsSolutions-IAM5']),
    );
  });
});
