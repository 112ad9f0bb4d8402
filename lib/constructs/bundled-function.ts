import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Annotations, Duration, RemovalPolicy, Stage, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  DEPS_LOCK_FILE,
  HANDLER_BUNDLING,
  PROJECT_ROOT,
  bundleExternals,
  installedModuleDir,
} from '../handler-bundling.js';

export { PROJECT_ROOT };

/** Where the IP intelligence database comes from at synth. */
export interface IpDatabaseSource {
  /** The database file, copied into the bundle as `ip-intel.bin`. */
  readonly file: string;
  /** Script (run with `npx tsx`) that builds `file` offline when it is missing. @default none */
  readonly buildScript?: string;
}

/** The database `scripts/build-ip-db.ts` generates from the pinned npm data packages. */
export const DEFAULT_IP_DATABASE: IpDatabaseSource = {
  file: path.join(PROJECT_ROOT, 'data', 'ip-intel.bin'),
  buildScript: path.join(PROJECT_ROOT, 'scripts', 'build-ip-db.ts'),
};
/** File name of the IP database inside the bundle. */
export const IP_DB_BUNDLE_NAME = 'ip-intel.bin';
/** Directory Lambda unpacks the bundle into. */
export const LAMBDA_TASK_ROOT = '/var/task';
/** Annotation id of the warning issued when the bundle cannot include the IP database. */
export const IP_DB_MISSING_WARNING = 'nhi-watch:IpIntelDatabaseMissing';

/**
 * A file put into the bundle at `bundlePath` (relative to the bundle root): a copy of `source`, or
 * `content` generated at synth (staged in the cloud assembly directory, then copied).
 */
export type BundledFile =
  | { readonly bundlePath: string; readonly source: string }
  | { readonly bundlePath: string; readonly content: string };

/** Properties of {@link BundledFunction}. */
export interface BundledFunctionProps {
  /** Handler source, relative to the repository root, exporting `handler`. */
  readonly entry: string;
  /** The function's description in the console. */
  readonly description: string;
  /** Environment variables (encrypted with `encryptionKey`); `NODE_OPTIONS` and `NHI_IP_DB_PATH` are added. */
  readonly environment: Readonly<Record<string, string>>;
  /** Encrypts the function's log group and environment. */
  readonly encryptionKey: kms.IKey;
  /** Retention of the function's log group. */
  readonly logRetentionDays: number;
  /** Memory size. */
  readonly memoryMb: number;
  /** Timeout of one invocation. */
  readonly timeout: Duration;
  /** Reserved (and so maximum) concurrency. */
  readonly reservedConcurrency: number;
  /** Where asynchronous invocations that exhaust their retries are sent. */
  readonly onFailureQueue: sqs.IQueue;
  /** Ship this IP intelligence database and point `NHI_IP_DB_PATH` at it. @default none shipped */
  readonly ipDatabase?: IpDatabaseSource;
  /** Extra files to copy into the bundle (contracts, suppressions). @default none */
  readonly files?: readonly BundledFile[];
  /**
   * Packages kept out of index.js and copied beside it into `node_modules/` (data the code reads at run
   * time). A function whose code does not import them passes `[]`. @default HANDLER_BUNDLING.copiedModules
   */
  readonly copiedModules?: readonly string[];
}

/**
 * On-failure destination granting exactly `sqs:SendMessage` (the stock SqsDestination also grants queue
 * reads and `kms:*` wildcards); the key permission for the encrypted queue is granted with the role.
 */
class QueueDestination implements lambda.IDestination {
  constructor(private readonly queue: sqs.IQueue) {}

  bind(_scope: Construct, fn: lambda.IFunction): lambda.DestinationConfig {
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'OnFailureDestination',
        actions: ['sqs:SendMessage'],
        resources: [this.queue.queueArn],
      }),
    );
    return { destination: this.queue.queueArn };
  }
}

const shellQuote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;

/**
 * One nhi-watch Lambda function the way every one of them must be: nodejs22.x on arm64, bundled with the
 * locally installed esbuild with the shared options of lib/handler-bundling.ts, its own encrypted log
 * group with retention, its own role with no managed policies, bounded concurrency, and an on-failure queue.
 *
 * The AWS SDK for JavaScript v3 is not bundled: `@aws-sdk/*` is resolved from the nodejs22.x runtime,
 * which ships every v3 client. Bundled and minified it was more than half of a log handler's code (about
 * 0.85 MB of 1.5 MB, parsed at every cold start), and the functions need nothing recent from it: DynamoDB
 * BatchGetItem, PutItem and UpdateItem, SNS Publish and PublishBatch, Security Hub
 * BatchImportFindings, SQS SendMessage and SendMessageBatch, CloudWatch Logs subscription filters, and
 * endpoints from `AWS_ENDPOINT_URL_<SERVICE>`, all supported by the SDK versions the runtime has carried.
 * The trade-off: production runs the runtime's SDK version, which AWS updates with the runtime, while the
 * tests run the version pinned in package-lock.json. To pin it in production too, remove `@aws-sdk/*`
 * from `HANDLER_BUNDLING.externalModules` (index.js grows by about 0.85 MB).
 */
export class BundledFunction extends Construct {
  /** The function. */
  readonly function: lambda.IFunction;
  /** Its execution role; grants are added by the caller, statement by statement. */
  readonly role: iam.IRole;
  /** Its log group. */
  readonly logGroup: logs.ILogGroup;

  constructor(scope: Construct, id: string, props: BundledFunctionProps) {
    super(scope, id);

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetentionDays as logs.RetentionDays,
      encryptionKey: props.encryptionKey,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.logGroup = logGroup;

    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `nhi-watch ${id}: writes its own logs; other grants are added explicitly`,
    });
    this.role = role;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );

    if (props.onFailureQueue.encryptionMasterKey !== undefined) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'OnFailureQueueKey',
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [props.onFailureQueue.encryptionMasterKey.keyArn],
        }),
      );
    }

    const environment: Record<string, string> = {
      NODE_OPTIONS: '--enable-source-maps', // stack traces point at the TypeScript sources
      ...props.environment,
    };
    // Shell commands run after esbuild, given the bundle's output directory.
    const afterBundling: ((outputDir: string) => string)[] = [];

    const ipDb = props.ipDatabase;
    if (ipDb !== undefined) {
      const hasDb = existsSync(ipDb.file);
      const script =
        ipDb.buildScript !== undefined && existsSync(ipDb.buildScript) ? ipDb.buildScript : undefined;
      if (hasDb || script !== undefined) {
        if (!hasDb && script !== undefined) {
          afterBundling.push(
            () =>
              `[ -f ${shellQuote(ipDb.file)} ] || (cd ${shellQuote(PROJECT_ROOT)} && npx tsx ${shellQuote(script)})`,
          );
        }
        afterBundling.push(
          (out) => `cp ${shellQuote(ipDb.file)} ${shellQuote(path.posix.join(out, IP_DB_BUNDLE_NAME))}`,
        );
        environment['NHI_IP_DB_PATH'] = `${LAMBDA_TASK_ROOT}/${IP_DB_BUNDLE_NAME}`;
      } else {
        Annotations.of(this).addWarningV2(
          IP_DB_MISSING_WARNING,
          `${ipDb.file} is missing and ${ipDb.buildScript ?? 'no build script'} does not exist: the function is ` +
            'deployed without IP intelligence (no ASN, organisation or country on origins).',
        );
      }
    }
    const bundling = {
      ...HANDLER_BUNDLING,
      copiedModules: props.copiedModules ?? HANDLER_BUNDLING.copiedModules,
    };
    for (const name of bundling.copiedModules) {
      const target = path.posix.join('node_modules', name);
      afterBundling.push(
        (out) => `mkdir -p ${shellQuote(path.posix.dirname(path.posix.join(out, target)))}`,
        (out) => `cp -RL ${shellQuote(installedModuleDir(name))} ${shellQuote(path.posix.join(out, target))}`,
      );
    }
    for (const file of props.files ?? []) {
      const source = 'source' in file ? file.source : this.stage(file.bundlePath, file.content);
      afterBundling.push(
        (out) => `mkdir -p ${shellQuote(path.posix.dirname(path.posix.join(out, file.bundlePath)))}`,
        (out) => `cp ${shellQuote(source)} ${shellQuote(path.posix.join(out, file.bundlePath))}`,
      );
    }

    const fn = new NodejsFunction(this, 'Function', {
      entry: path.join(PROJECT_ROOT, props.entry),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: DEPS_LOCK_FILE,
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memoryMb,
      timeout: props.timeout,
      reservedConcurrentExecutions: props.reservedConcurrency,
      role,
      logGroup,
      environment,
      environmentEncryption: props.encryptionKey,
      onFailure: new QueueDestination(props.onFailureQueue),
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      bundling: {
        forceDockerBundling: false,
        target: bundling.target,
        format: OutputFormat.CJS,
        minify: bundling.minify,
        sourceMap: bundling.sourceMap,
        sourcesContent: bundling.sourcesContent,
        externalModules: bundleExternals(bundling),
        tsconfig: bundling.tsconfig,
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_inputDir: string, outputDir: string) =>
            afterBundling.map((command) => command(outputDir)),
        },
      },
    });
    this.function = fn;
    Validations.of(fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Pinned to nodejs22.x on purpose: the bundle targets node22 and the test suite runs on the node@22 package, ' +
        'so what is tested is what runs; moving to nodejs24.x is a deliberate, tested upgrade.',
    });
  }

  /**
   * Write generated content where bundling can copy it from: the cloud assembly directory, under a name
   * derived from the content, so equal content is written once and nothing is left outside the assembly.
   */
  private stage(bundlePath: string, content: string): string {
    const outdir = Stage.of(this)?.outdir;
    if (outdir === undefined)
      throw new Error(`${this.node.path}: not inside an App, cannot stage ${bundlePath}`);
    const hash = createHash('sha256').update(content).digest('hex').slice(0, 32);
    const file = path.join(outdir, 'nhi-watch-bundled-files', hash, path.posix.basename(bundlePath));
    if (!existsSync(file)) {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, content);
    }
    return file;
  }
}
