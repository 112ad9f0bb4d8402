import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Annotations, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Repository root: entries, lock file, tsconfig and data files are found from here, whoever imports lib/. */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

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

/** A file copied into the bundle at `bundlePath` (relative to the bundle root). */
export interface BundledFile {
  readonly source: string;
  readonly bundlePath: string;
}

/** Properties of {@link BundledFunction}. */
export interface BundledFunctionProps {
  /** Handler source, relative to the repository root, exporting `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly environment: Readonly<Record<string, string>>;
  /** Encrypts the function's log group and environment. */
  readonly encryptionKey: kms.IKey;
  readonly logRetentionDays: number;
  readonly memoryMb: number;
  readonly timeout: Duration;
  readonly reservedConcurrency: number;
  /** Where asynchronous invocations that exhaust their retries are sent. */
  readonly onFailureQueue: sqs.IQueue;
  /** Ship this IP intelligence database and point `NHI_IP_DB_PATH` at it. @default none shipped */
  readonly ipDatabase?: IpDatabaseSource;
  /** Extra files to copy into the bundle (contracts, suppressions). @default none */
  readonly files?: readonly BundledFile[];
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
 * locally installed esbuild (SDK included, so versions are the lockfile's), its own encrypted log group
 * with retention, its own role with no managed policies, bounded concurrency, and an on-failure queue.
 */
export class BundledFunction extends Construct {
  /** The function. */
  readonly function: NodejsFunction;
  /** Its execution role; grants are added by the caller, statement by statement. */
  readonly role: iam.Role;
  /** Its log group. */
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: BundledFunctionProps) {
    super(scope, id);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetentionDays as logs.RetentionDays,
      encryptionKey: props.encryptionKey,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `nhi-watch ${id}: writes its own logs; other grants are added explicitly`,
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    if (props.onFailureQueue.encryptionMasterKey !== undefined) {
      this.role.addToPrincipalPolicy(
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
    for (const file of props.files ?? []) {
      afterBundling.push(
        (out) => `mkdir -p ${shellQuote(path.posix.dirname(path.posix.join(out, file.bundlePath)))}`,
        (out) => `cp ${shellQuote(file.source)} ${shellQuote(path.posix.join(out, file.bundlePath))}`,
      );
    }

    this.function = new NodejsFunction(this, 'Function', {
      entry: path.join(PROJECT_ROOT, props.entry),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memoryMb,
      timeout: props.timeout,
      reservedConcurrentExecutions: props.reservedConcurrency,
      role: this.role,
      logGroup: this.logGroup,
      environment,
      environmentEncryption: props.encryptionKey,
      onFailure: new QueueDestination(props.onFailureQueue),
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      bundling: {
        forceDockerBundling: false,
        target: 'node22',
        format: OutputFormat.CJS,
        minify: true,
        sourceMap: true,
        sourcesContent: false, // stack traces need the mappings only: a third of the map's size
        externalModules: [],
        tsconfig: path.join(PROJECT_ROOT, 'tsconfig.json'),
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_inputDir: string, outputDir: string) =>
            afterBundling.map((command) => command(outputDir)),
        },
      },
    });
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Pinned to nodejs22.x on purpose: the bundle targets node22 and the test suite runs on the node@22 package, ' +
        'so what is tested is what runs; moving to nodejs24.x is a deliberate, tested upgrade.',
    });
  }
}
