/**
 * Deployment configuration of nhi-watch (where its logs come from, who is alerted, retention, sizing):
 * read from cdk.json context (`nhiWatch`) and / or a JSON or YAML file (`nhiWatchConfigFile`), validated
 * at synth so a mistake fails `cdk synth` with the setting's name instead of failing a deployment
 * half-way. Detection settings (learning, thresholds, suppressions, contracts) are not repeated here:
 * `detectionConfigFile` names the same file the CLI reads (docs/CONFIG.md), validated by the core.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { DEFAULT_CONFIG, type NhiWatchConfig as DetectionConfig } from '../lambdas/core/config.js';
import { contractFormatOf } from '../lambdas/core/contracts-file.js';
import { matchesGlob } from '../lambdas/core/glob.js';
import { RULE_DEFAULTS, RULE_IDS } from '../lambdas/core/rules/index.js';
import { parseConfigText, parseContracts } from '../lambdas/core/yaml-text.js';

/** Context key holding the configuration object (or its JSON text, as `cdk -c` passes strings). */
export const CONFIG_CONTEXT_KEY = 'nhiWatch';
/** Context key holding the path of a JSON / YAML configuration file, relative to the app's working directory. */
export const CONFIG_FILE_CONTEXT_KEY = 'nhiWatchConfigFile';

/** CloudWatch Logs retention periods AWS accepts, in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** ASFF severity labels, also the values of the `severity` SNS message attribute the alert sink sets. */
export const SEVERITY_LABELS = ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;

/** A CloudWatch Logs log group name or name prefix (1–512 of `[.-_/#A-Za-z0-9]`). */
const logGroupName = z
  .string()
  .min(1, 'must not be empty')
  .max(512, 'must be at most 512 characters')
  .regex(/^[.\-_/#A-Za-z0-9]+$/, 'may contain only letters, digits and . - _ / #');

const retentionDays = z
  .number()
  .int()
  .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
    message: `must be one of the CloudWatch Logs retention periods: ${LOG_RETENTION_DAYS.join(', ')}`,
  });

const cloudTrailSchema = z.discriminatedUnion(
  'mode',
  [
    z.strictObject({
      mode: z.literal('existing'),
      logGroupName,
    }),
    z.strictObject({
      mode: z.literal('create'),
      trailName: z
        .string()
        .regex(
          /^[A-Za-z0-9][A-Za-z0-9._-]{2,127}$/,
          'must be 3–128 letters, digits, . _ - starting with a letter or digit',
        )
        .optional(),
    }),
  ],
  { error: 'must be { "mode": "existing", "logGroupName": … } or { "mode": "create" }' },
);

const configSchema = z.strictObject({
  stackName: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, 'must start with a letter and contain only letters, digits and -')
    .default('NhiWatch'),
  cloudTrail: cloudTrailSchema,
  apiGateway: z
    .strictObject({
      logGroupNames: z.array(logGroupName).default([]),
      logGroupNamePrefixes: z.array(logGroupName).default([]),
    })
    .default({ logGroupNames: [], logGroupNamePrefixes: [] }),
  alertEmails: z.array(z.email('must be an e-mail address')).default([]),
  alertSeverities: z.array(z.enum(SEVERITY_LABELS)).min(1, 'must list at least one severity').optional(),
  operationsEmails: z.array(z.email('must be an e-mail address')).optional(),
  securityHub: z.boolean().default(true),
  ocsf: z
    .strictObject({
      eventBusName: z
        .string()
        .regex(/^[A-Za-z0-9._-]{1,256}$/, 'must be the name of an EventBridge bus in this account and region')
        .optional(),
    })
    .optional(),
  detectionConfigFile: z.string().min(1).optional(),
  retention: z
    .strictObject({
      functionLogDays: retentionDays.default(30),
      cloudTrailLogDays: retentionDays.default(90),
      trailArchiveDays: z.number().int().min(1).max(36500).default(365),
      onFailureQueueDays: z.number().int().min(1).max(14).default(14),
      accessLogDays: retentionDays.default(90),
    })
    .default({
      functionLogDays: 30,
      cloudTrailLogDays: 90,
      trailArchiveDays: 365,
      onFailureQueueDays: 14,
      accessLogDays: 90,
    }),
  functions: z
    .strictObject({
      memoryMb: z.number().int().min(128).max(10240).default(1024),
      timeoutSeconds: z.number().int().min(10).max(900).default(60),
      maxConcurrency: z.number().int().min(1).max(1000).default(5),
    })
    .default({ memoryMb: 1024, timeoutSeconds: 60, maxConcurrency: 5 }),
  logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
});

/** Where the CloudTrail events come from. */
export type CloudTrailSource =
  | { readonly mode: 'existing'; readonly logGroupName: string }
  | {
      readonly mode: 'create';
      /** Name of the new trail. @default - CloudFormation names it */
      readonly trailName?: string;
    };

/** What the functions detect with: the validated detection configuration and the contract files it names. */
export interface Detection {
  /** Learning, thresholds, suppressions, disabled rules (core defaults when no file is given). */
  readonly config: DetectionConfig;
  /** The detection configuration file, absolute. @default - none: the core defaults apply */
  readonly file?: string;
  /** Absolute paths of the contract files its `contractsFiles` entries match, each validated. */
  readonly contractFiles: readonly string[];
}

/** Validated deployment configuration with every default applied; file paths are absolute. */
export interface DeploymentConfig {
  readonly stackName: string;
  readonly cloudTrail: CloudTrailSource;
  readonly apiGateway: {
    readonly logGroupNames: readonly string[];
    readonly logGroupNamePrefixes: readonly string[];
  };
  readonly alertEmails: readonly string[];
  /** Severities e-mailed. @default - every finding is e-mailed */
  readonly alertSeverities?: readonly (typeof SEVERITY_LABELS)[number][];
  /** Recipients of operational alarms; defaults to `alertEmails`. */
  readonly operationsEmails: readonly string[];
  readonly securityHub: boolean;
  /**
   * Every finding also as an OCSF 1.1.0 Detection Finding on an EventBridge bus: an existing bus by
   * name, or (no name) a bus the stack creates. @default - no OCSF events
   */
  readonly ocsf?: { readonly eventBusName?: string };
  readonly detection: Detection;
  readonly retention: {
    readonly functionLogDays: number;
    readonly cloudTrailLogDays: number;
    readonly trailArchiveDays: number;
    readonly onFailureQueueDays: number;
    readonly accessLogDays: number;
  };
  readonly functions: {
    readonly memoryMb: number;
    readonly timeoutSeconds: number;
    readonly maxConcurrency: number;
  };
  readonly logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
}

/** Thrown at synth when the configuration is missing or invalid; the message names every bad setting. */
export class DeploymentConfigError extends Error {
  override readonly name = 'DeploymentConfigError';
  constructor(
    message: string,
    /** One entry per problem, each starting with the setting's dotted path. */
    readonly problems: readonly string[] = [],
  ) {
    super(message);
  }
}

/** Where a raw configuration came from: used in error messages and to resolve relative file paths. */
export interface ConfigOrigin {
  /** Human description, e.g. `file examples/nhi-watch.config.json`. */
  readonly description: string;
  /** Directory a relative `detectionConfigFile` is resolved against. */
  readonly baseDir: string;
}

const settingPath = (segments: readonly PropertyKey[]): string =>
  segments.reduce<string>((acc, segment) => {
    if (typeof segment === 'number') return `${acc}[${segment}]`;
    const name = String(segment);
    return acc === '' ? name : `${acc}.${name}`;
  }, '');

const describeIssues = (issues: readonly z.core.$ZodIssue[]): string[] =>
  issues.map((issue) => {
    const where = settingPath(issue.path);
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.map((key) => (where === '' ? key : `${where}.${key}`));
      return `${keys.join(', ')}: unknown setting`;
    }
    return `${where === '' ? '(root)' : where}: ${issue.message}`;
  });

const hasGlob = (pattern: string): boolean => /[*?]/.test(pattern);

/** Files under `baseDir` matching a `contractsFiles` entry (a path, or a glob where `*` also crosses `/`). */
const expandContractPattern = (baseDir: string, pattern: string): string[] => {
  const absolute = path.resolve(baseDir, pattern);
  if (!hasGlob(pattern)) return existsSync(absolute) && statSync(absolute).isFile() ? [absolute] : [];
  const segments = absolute.split(path.sep);
  const root = segments.slice(0, segments.findIndex(hasGlob)).join(path.sep) || path.sep;
  if (!existsSync(root) || !statSync(root).isDirectory()) return [];
  const glob = path.relative(root, absolute).split(path.sep).join('/');
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .filter((file) => matchesGlob(glob, path.relative(root, file).split(path.sep).join('/')))
    .sort();
};

/**
 * Reads the detection configuration the way the CLI does (core parser, rule ids and threshold names
 * checked against the catalogue), then every contract file it names; problems are prefixed with
 * `detectionConfigFile`.
 */
const loadDetection = (file: string | undefined, problems: string[]): Detection => {
  if (file === undefined) return { config: DEFAULT_CONFIG, contractFiles: [] };
  if (!existsSync(file) || !statSync(file).isFile()) {
    problems.push(`detectionConfigFile: file not found: ${file}`);
    return { config: DEFAULT_CONFIG, file, contractFiles: [] };
  }
  const parsed = parseConfigText(readFileSync(file, 'utf8'), {
    source: file,
    knownRuleIds: RULE_IDS,
    ruleDefaults: RULE_DEFAULTS,
  });
  if (!parsed.ok) {
    problems.push(...parsed.reason.split('\n').map((line) => `detectionConfigFile: ${line}`));
    return { config: DEFAULT_CONFIG, file, contractFiles: [] };
  }
  const contractFiles: string[] = [];
  parsed.value.contractsFiles.forEach((pattern, index) => {
    const setting = `detectionConfigFile: ${file}: contractsFiles[${index}]`;
    const matches = expandContractPattern(path.dirname(file), pattern);
    if (matches.length === 0) problems.push(`${setting}: ${pattern} matches no file`);
    for (const match of matches) {
      const format = contractFormatOf(match);
      if (format === undefined) {
        problems.push(`${setting}: ${match} must end in .yaml, .yml or .json`);
        continue;
      }
      const contracts = parseContracts(readFileSync(match, 'utf8'), match, format);
      if (!contracts.ok) problems.push(...contracts.reason.split('\n').map((line) => `${setting}: ${line}`));
      else if (!contractFiles.includes(match)) contractFiles.push(match);
    }
  });
  return { config: parsed.value, file, contractFiles };
};

/**
 * Validates a raw configuration object and applies defaults. Throws {@link DeploymentConfigError} listing
 * every problem by setting name.
 */
export const parseDeploymentConfig = (raw: unknown, origin: ConfigOrigin): DeploymentConfig => {
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = describeIssues(parsed.error.issues);
    throw new DeploymentConfigError(
      `Invalid nhi-watch configuration (${origin.description}):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      problems,
    );
  }
  const value = parsed.data;
  const problems: string[] = [];

  // One subscription filter per log group: a group listed twice would need two of its only two slots.
  const cloudTrailGroup = value.cloudTrail.mode === 'existing' ? value.cloudTrail.logGroupName : undefined;
  const seen = new Set<string>();
  value.apiGateway.logGroupNames.forEach((name, index) => {
    if (seen.has(name)) problems.push(`apiGateway.logGroupNames[${index}]: ${name} is listed twice`);
    if (name === cloudTrailGroup)
      problems.push(`apiGateway.logGroupNames[${index}]: ${name} is also cloudTrail.logGroupName`);
    seen.add(name);
  });
  value.apiGateway.logGroupNamePrefixes.forEach((prefix, index) => {
    if (cloudTrailGroup?.startsWith(prefix))
      problems.push(
        `apiGateway.logGroupNamePrefixes[${index}]: ${prefix} matches cloudTrail.logGroupName ${cloudTrailGroup}`,
      );
    if ('/aws/lambda/'.startsWith(prefix) || prefix.startsWith('/aws/lambda/'))
      problems.push(
        `apiGateway.logGroupNamePrefixes[${index}]: ${prefix} would match Lambda log groups, including nhi-watch's own`,
      );
  });

  const detection = loadDetection(
    value.detectionConfigFile === undefined
      ? undefined
      : path.resolve(origin.baseDir, value.detectionConfigFile),
    problems,
  );

  if (problems.length > 0) {
    throw new DeploymentConfigError(
      `Invalid nhi-watch configuration (${origin.description}):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      problems,
    );
  }

  const cloudTrail: CloudTrailSource =
    value.cloudTrail.mode === 'existing'
      ? { mode: 'existing', logGroupName: value.cloudTrail.logGroupName }
      : value.cloudTrail.trailName === undefined
        ? { mode: 'create' }
        : { mode: 'create', trailName: value.cloudTrail.trailName };

  return {
    stackName: value.stackName,
    cloudTrail,
    apiGateway: value.apiGateway,
    alertEmails: value.alertEmails,
    ...(value.alertSeverities === undefined ? {} : { alertSeverities: value.alertSeverities }),
    operationsEmails: value.operationsEmails ?? value.alertEmails,
    securityHub: value.securityHub,
    ...(value.ocsf === undefined
      ? {}
      : { ocsf: value.ocsf.eventBusName === undefined ? {} : { eventBusName: value.ocsf.eventBusName } }),
    detection,
    retention: value.retention,
    functions: value.functions,
    logLevel: value.logLevel,
  };
};

/** Minimal view of a construct node's context, so this module needs no CDK import and is easy to test. */
export interface ContextReader {
  tryGetContext(key: string): unknown;
}

const FILE_PATH_SETTINGS: readonly string[] = ['detectionConfigFile'];

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads the configuration from context: the file named by `nhiWatchConfigFile` (if any), then the
 * `nhiWatch` object on top of it (top-level keys replace the file's). `cwd` resolves the file path.
 */
export const loadDeploymentConfig = (
  context: ContextReader,
  cwd: string = process.cwd(),
): DeploymentConfig => {
  const fileSetting = context.tryGetContext(CONFIG_FILE_CONTEXT_KEY);
  const inlineSetting = context.tryGetContext(CONFIG_CONTEXT_KEY);
  if (fileSetting === undefined && inlineSetting === undefined) {
    throw new DeploymentConfigError(
      `No nhi-watch configuration: set context "${CONFIG_FILE_CONTEXT_KEY}" to a config file ` +
        `(e.g. cdk synth -c ${CONFIG_FILE_CONTEXT_KEY}=nhi-watch.config.json) or "${CONFIG_CONTEXT_KEY}" to an object in cdk.json.`,
    );
  }

  let fromFile: Record<string, unknown> = {};
  let origin: ConfigOrigin = { description: `cdk.json context "${CONFIG_CONTEXT_KEY}"`, baseDir: cwd };
  if (fileSetting !== undefined) {
    if (typeof fileSetting !== 'string' || fileSetting === '')
      throw new DeploymentConfigError(`${CONFIG_FILE_CONTEXT_KEY}: must be a file path`);
    const file = path.resolve(cwd, fileSetting);
    if (!existsSync(file))
      throw new DeploymentConfigError(`${CONFIG_FILE_CONTEXT_KEY}: file not found: ${file}`);
    let parsed: unknown;
    try {
      parsed = parseYaml(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new DeploymentConfigError(
        `${CONFIG_FILE_CONTEXT_KEY}: ${file} is not valid JSON or YAML (${(error as Error).message.split('\n')[0]})`,
      );
    }
    if (!isPlainObject(parsed))
      throw new DeploymentConfigError(`${CONFIG_FILE_CONTEXT_KEY}: ${file} must contain an object`);
    // Paths written in the file are relative to the file; paths from context, to the working directory.
    const fileDir = path.dirname(file);
    fromFile = Object.fromEntries(
      Object.entries(parsed).map(([key, value]) =>
        FILE_PATH_SETTINGS.includes(key) && typeof value === 'string'
          ? [key, path.resolve(fileDir, value)]
          : [key, value],
      ),
    );
    origin = {
      description:
        inlineSetting === undefined
          ? `file ${fileSetting}`
          : `file ${fileSetting} with context "${CONFIG_CONTEXT_KEY}"`,
      baseDir: cwd,
    };
  }

  let inline: Record<string, unknown> = {};
  if (inlineSetting !== undefined) {
    let value: unknown = inlineSetting;
    if (typeof value === 'string') {
      try {
        value = JSON.parse(value) as unknown;
      } catch {
        throw new DeploymentConfigError(`${CONFIG_CONTEXT_KEY}: context value is a string but not JSON`);
      }
    }
    if (!isPlainObject(value)) throw new DeploymentConfigError(`${CONFIG_CONTEXT_KEY}: must be an object`);
    inline = value;
  }

  return parseDeploymentConfig({ ...fromFile, ...inline }, origin);
};
