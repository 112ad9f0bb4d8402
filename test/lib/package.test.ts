/**
 * nhi-watch as a construct library, used the way another CDK app uses it: `npm pack` (which builds dist/),
 * the tarball installed into a scratch app under a temp dir with no network, the app type-checked against
 * the shipped declarations and synthesised — bundling the handlers from inside the installed package.
 *
 * npm cannot install offline here (its cache holds none of the dependencies), so the install is done as
 * npm lays it out: the tarball unpacked into `node_modules/nhi-watch`, and the packed package.json's
 * dependencies and peer dependencies — only those — linked from this repository's node_modules, with their
 * bins in `node_modules/.bin`. A dependency the package uses but does not declare is missing there.
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from './synth';

interface PackedManifest {
  readonly name: string;
  readonly main: string;
  readonly types: string;
  readonly dependencies: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
}

/** What the consumer app (below) prints: where `nhi-watch` resolved from. */
interface ConsumerReport {
  readonly resolved: string;
}

/** The consumer's own dependencies (every CDK app in TypeScript has them). */
const CONSUMER_DEV_DEPENDENCIES = ['@types/node'];

const CONSUMER_APP = `import { App, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { IdentityAccessLogging, NhiWatch, parseDeploymentConfig, type DeploymentConfig } from 'nhi-watch';

const config: DeploymentConfig = parseDeploymentConfig(
  {
    stackName: 'Consumer',
    cloudTrail: { mode: 'create', trailName: 'consumer-trail' },
    apiGateway: { logGroupNamePrefixes: ['/apigateway/access/'] },
    alertEmails: ['secops@example.com'],
  },
  { description: 'consumer app', baseDir: __dirname },
);
const app = new App({ outdir: process.argv[2] });
const stack = new Stack(app, 'Consumer');
const nhiWatch = new NhiWatch(stack, 'NhiWatch', { config });
const api = new apigateway.RestApi(stack, 'Orders', { cloudWatchRole: false });
api.root.addMethod('GET', new apigateway.MockIntegration());
new IdentityAccessLogging(stack, 'OrdersIdentityLogging', { stage: api.deploymentStage, nhiWatch });
app.synth();
process.stdout.write(JSON.stringify({ resolved: require.resolve('nhi-watch') }));
`;

const CONSUMER_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    skipLibCheck: true,
    types: ['node'],
  },
  files: ['app.ts'],
};

/** Link `name` from this repository's node_modules into `nodeModules`, with its bins, as npm installs it. */
function linkInstalled(nodeModules: string, name: string): void {
  const source = path.join(REPO_ROOT, 'node_modules', name);
  const target = path.join(nodeModules, name);
  mkdirSync(path.dirname(target), { recursive: true });
  symlinkSync(source, target, 'dir');
  const manifest = JSON.parse(readFileSync(path.join(source, 'package.json'), 'utf8')) as {
    bin?: string | Record<string, string>;
  };
  const bins =
    typeof manifest.bin === 'string' ? { [name.split('/').pop()!]: manifest.bin } : (manifest.bin ?? {});
  for (const [bin, file] of Object.entries(bins)) {
    mkdirSync(path.join(nodeModules, '.bin'), { recursive: true });
    symlinkSync(path.join(target, file), path.join(nodeModules, '.bin', bin));
  }
}

describe('the npm package', () => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'nhi-watch-consumer-'));
  const nodeModules = path.join(scratch, 'node_modules');
  const installed = path.join(nodeModules, 'nhi-watch');
  const outdir = path.join(scratch, 'cdk.out');
  let manifest: PackedManifest;
  let report: ConsumerReport;
  let template: { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };

  beforeAll(() => {
    // Pack (npm runs `prepare`, which builds dist/, and `prepack`, which builds the IP database when a
    // fresh clone has none) and install without a registry. The scripts' own output shares stdout
    // with npm's JSON report, which is the last thing printed: read from its opening bracket.
    const output = execFileSync('npm', ['pack', '--json', '--pack-destination', scratch], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const [packed] = JSON.parse(output.slice(output.search(/^\[/m))) as { filename: string }[];
    mkdirSync(installed, { recursive: true });
    execFileSync('tar', [
      '-xzf',
      path.join(scratch, packed!.filename),
      '-C',
      installed,
      '--strip-components=1',
    ]);
    manifest = JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf8')) as PackedManifest;
    for (const name of [
      ...Object.keys(manifest.dependencies),
      ...Object.keys(manifest.peerDependencies ?? {}),
      ...CONSUMER_DEV_DEPENDENCIES,
    ]) {
      linkInstalled(nodeModules, name);
    }

    // The consumer app: TypeScript compiled against the shipped declarations, then run to synthesise.
    writeFileSync(
      path.join(scratch, 'package.json'),
      JSON.stringify({
        name: 'consumer',
        version: '1.0.0',
        private: true,
        dependencies: { 'nhi-watch': '*' },
      }),
    );
    writeFileSync(path.join(scratch, 'tsconfig.json'), JSON.stringify(CONSUMER_TSCONFIG));
    writeFileSync(path.join(scratch, 'app.ts'), CONSUMER_APP);
    execFileSync(
      process.execPath,
      [path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', scratch],
      {
        cwd: scratch,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    report = JSON.parse(
      execFileSync(process.execPath, [path.join(scratch, 'app.js'), outdir], {
        cwd: scratch,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    ) as ConsumerReport;
    template = JSON.parse(
      readFileSync(path.join(outdir, 'Consumer.template.json'), 'utf8'),
    ) as typeof template;
  }, 600_000);

  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('is an installable library: compiled entry point and declarations, no private flag', () => {
    expect(manifest.name).toBe('nhi-watch');
    expect(manifest).not.toHaveProperty('private');
    expect(existsSync(path.join(installed, manifest.main))).toBe(true);
    expect(existsSync(path.join(installed, manifest.types))).toBe(true);
    // The construct library resolved inside the consumer's node_modules, not this repository.
    expect(report.resolved).toBe(path.join(installed, manifest.main));
  });

  it('ships only what it needs: no tests, benchmarks or TypeScript sources of lib/', () => {
    for (const dir of ['test', 'bench', 'lib', 'cdk.out'])
      expect(existsSync(path.join(installed, dir))).toBe(false);
  });

  it("synthesises the consumer's stack with nhi-watch and identity logging on the consumer's API", () => {
    const resources = Object.values(template.Resources);
    const ofType = (type: string): typeof resources => resources.filter((r) => r.Type === type);
    expect(ofType('AWS::DynamoDB::Table')).toHaveLength(1);
    expect(ofType('AWS::CloudTrail::Trail')).toHaveLength(1);
    const [stage] = ofType('AWS::ApiGateway::Stage');
    // The identity format, into a log group of nhi-watch's naming.
    expect(JSON.stringify(stage!.Properties['AccessLogSetting'])).toContain('$context.identity.userArn');
    expect(
      ofType('AWS::Logs::LogGroup').some((g) =>
        JSON.stringify(g.Properties['LogGroupName'] ?? '').includes('/nhi-watch/access-logs/'),
      ),
    ).toBe(true);
    // One subscription for the trail's group, one for the API's access-log group.
    expect(ofType('AWS::Logs::SubscriptionFilter')).toHaveLength(2);
  });

  it('bundles every handler from inside the installed package, with the IP database beside the detection functions', () => {
    const functions = Object.values(template.Resources).filter(
      (r) => r.Type === 'AWS::Lambda::Function' && r.Properties['Runtime'] === 'nodejs22.x',
    );
    // The CloudTrail and API Gateway functions and the prefix subscriber.
    expect(functions).toHaveLength(3);
    let withIpDatabase = 0;
    for (const fn of functions) {
      const key = (fn.Properties['Code'] as { S3Key: string }).S3Key;
      const assetDir = path.join(outdir, `asset.${key.replace(/\.zip$/, '')}`);
      expect(statSync(path.join(assetDir, 'index.js')).size).toBeGreaterThan(10_000);
      if (readdirSync(assetDir).includes('ip-intel.bin')) withIpDatabase++;
    }
    expect(withIpDatabase).toBe(2);
  });
});
