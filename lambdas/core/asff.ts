/**
 * Findings → AWS Security Finding Format (ASFF 2018-10-08) for Security Hub's BatchImportFindings,
 * imported through the account's default product (a custom integration).
 *
 * The shapes below are a structural subset of the SDK's `AwsSecurityFinding` (the core may not
 * import the SDK, even for types); test/core/asff.test.ts checks at compile time that they are
 * assignable to it and at run time that the output satisfies the SDK's own schema.
 *
 * Choices worth knowing:
 * - `AwsAccountId` is the importing account (`ctx.accountId`): with the default product ARN,
 *   Security Hub only accepts findings whose AwsAccountId is the calling account. The account
 *   of the identity itself is in the resources' ARNs and `ProductFields`.
 * - `UpdatedAt` is the later of the last matching event and `ctx.nowIso`, so a re-import of the
 *   same Id (a repeat, a higher count) always carries a later UpdatedAt and updates the finding.
 * - `Workflow`, `Note`, `UserDefinedFields` and `VerificationState` belong to the analyst and are
 *   never sent; severity and types also go in `FindingProviderFields`, the provider's channel.
 * - `Compliance.Status` is left out: its values describe the result of a standards check
 *   (PASSED / WARNING = "information missing" / FAILED), which a behavioural detection is not.
 *   The framework references go in `Compliance.RelatedRequirements`.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { chainDepth, describeChain } from './chains.js';
import type { Finding } from './finding.js';
import { clean, neutralise, truncate } from './neutralise.js';
import { scrubFinding } from './secrets.js';
import type { Severity } from './classification.js';

/** ASFF schema version Security Hub expects. */
export const ASFF_SCHEMA_VERSION = '2018-10-08';

/** Documented ASFF limits nhi-watch respects. */
export const ASFF_LIMITS = {
  titleChars: 256,
  descriptionChars: 1024,
  productFieldsKeys: 50,
  productFieldKeyChars: 128,
  productFieldValueChars: 2048,
  /** Keys Security Hub adds to ProductFields itself (`aws/securityhub/*`), kept free. */
  productFieldsReservedKeys: 8,
  relatedRequirements: 32,
  relatedFindings: 10,
  types: 50,
  resources: 32,
  recommendationTextChars: 512,
  severityOriginalChars: 64,
  apiCallNameChars: 128,
  findingBytes: 240 * 1024,
} as const;

/** AWS partitions a resource or product ARN can be in. */
export type AwsPartition = 'aws' | 'aws-cn' | 'aws-us-gov' | 'aws-us-iso' | 'aws-us-iso-b';

/** ASFF severity. */
export interface AsffSeverity {
  readonly Label: Severity;
  readonly Original: string;
}

/** A resource of a finding (actor or target), with the details nhi-watch knows. */
export interface AsffResource {
  readonly Type: string;
  readonly Id: string;
  readonly Partition?: AwsPartition;
  readonly Region?: string;
  readonly ResourceRole?: 'Actor' | 'Target';
  readonly Details?: {
    readonly AwsIamRole?: { readonly RoleName?: string; readonly Path?: string };
    readonly AwsIamUser?: { readonly UserName?: string; readonly Path?: string };
    readonly AwsIamAccessKey?: {
      readonly AccessKeyId?: string;
      readonly PrincipalName?: string;
      readonly PrincipalType?: string;
      readonly AccountId?: string;
    };
    readonly AwsApiGatewayStage?: { readonly StageName?: string };
    readonly AwsApiGatewayV2Stage?: { readonly StageName?: string };
    readonly Other?: Readonly<Record<string, string>>;
  };
}

/** The API call a finding is about, with where it came from. */
export interface AsffAwsApiCallAction {
  readonly Api?: string;
  readonly ServiceName?: string;
  readonly CallerType?: 'remoteip' | 'domain';
  readonly RemoteIpDetails?: {
    readonly IpAddressV4?: string;
    readonly Organization?: { readonly Asn?: number; readonly AsnOrg?: string };
    readonly Country?: { readonly CountryCode?: string };
  };
  readonly DomainDetails?: { readonly Domain?: string };
  readonly FirstSeen?: string;
  readonly LastSeen?: string;
}

/** The subset of ASFF nhi-watch emits; assignable to the SDK's `AwsSecurityFinding`. */
export interface AsffFinding {
  readonly SchemaVersion: typeof ASFF_SCHEMA_VERSION;
  readonly Id: string;
  readonly ProductArn: string;
  readonly ProductName: string;
  readonly CompanyName: string;
  readonly GeneratorId: string;
  readonly AwsAccountId: string;
  readonly Types: string[];
  readonly CreatedAt: string;
  readonly UpdatedAt: string;
  readonly FirstObservedAt: string;
  readonly LastObservedAt: string;
  readonly Severity: AsffSeverity;
  readonly Title: string;
  readonly Description: string;
  readonly Remediation?: { readonly Recommendation: { readonly Text: string } };
  readonly SourceUrl?: string;
  readonly ProductFields: Record<string, string>;
  readonly Resources: AsffResource[];
  readonly Compliance?: { readonly RelatedRequirements: string[] };
  /** The other findings of the same incident (at most {@link ASFF_LIMITS.relatedFindings}). */
  readonly RelatedFindings?: { readonly ProductArn: string; readonly Id: string }[];
  readonly RecordState: 'ACTIVE';
  readonly Action: { readonly ActionType: 'AWS_API_CALL'; readonly AwsApiCallAction: AsffAwsApiCallAction };
  readonly FindingProviderFields: { readonly Severity: AsffSeverity; readonly Types: string[] };
}

/** Where the finding is imported. */
export interface AsffContext {
  /** Region of the Security Hub the finding is imported into. */
  readonly region: string;
  /** Account that calls BatchImportFindings (and owns the default product). */
  readonly accountId: string;
  /**
   * Processing time (ISO 8601). When later than the last event it becomes `UpdatedAt`, so a
   * re-import always updates the finding.
   * @default the finding's lastSeen
   */
  readonly nowIso?: string;
  /** A page about the finding (e.g. the rule's documentation). @default none */
  readonly sourceUrl?: string;
  /** @default 'nhi-watch' */
  readonly productName?: string;
  /** @default 'nhi-watch' */
  readonly companyName?: string;
}

const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;
const IAM_ARN =
  /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):iam::(\d{12}):(role|user)(\/(?:[^/]+\/)*)([^/]+)$/;
const STAGE_ARN =
  /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):apigateway:([a-z0-9-]+)::\/(restapis|apis)\/([^/]+)\/stages\/([^/]+)$/;
const ACCESS_KEY = /^(AKIA|ASIA)[A-Z0-9]{12,124}$/;
const CLOUDTRAIL_ACTION = /^([a-z0-9.-]+\.amazonaws\.com):(.+)$/;

/** Partition of a region name. */
export function partitionOf(region: string): AwsPartition {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-us-iso-b';
  if (region.startsWith('us-iso-')) return 'aws-us-iso';
  return 'aws';
}

/** ARN partition segment → ASFF partition name (they differ for the ISO partitions). */
const arnPartition = (p: string): AwsPartition =>
  p === 'aws-iso' ? 'aws-us-iso' : p === 'aws-iso-b' ? 'aws-us-iso-b' : (p as AwsPartition);

/** The account's default product ARN: where custom findings are imported. */
export function defaultProductArn(region: string, accountId: string): string {
  return `arn:${partitionOf(region)}:securityhub:${region}:${accountId}:product/${accountId}/default`;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** Convert one finding to ASFF. Pure; throws only when `ctx` itself is invalid (a deployment error). */
export function toAsff(unscrubbed: Finding, ctx: AsffContext): AsffFinding {
  const finding = scrubFinding(unscrubbed);
  if (!ACCOUNT.test(ctx.accountId))
    throw new TypeError(`toAsff: accountId must be 12 digits, got ${JSON.stringify(ctx.accountId)}`);
  if (!REGION.test(ctx.region))
    throw new TypeError(`toAsff: region ${JSON.stringify(ctx.region)} is not an AWS region name`);
  const nowMs = ctx.nowIso === undefined ? Number.NaN : Date.parse(ctx.nowIso);
  if (ctx.nowIso !== undefined && Number.isNaN(nowMs))
    throw new TypeError(`toAsff: nowIso ${JSON.stringify(ctx.nowIso)} is not a timestamp`);

  const firstSeen = iso(finding.firstSeenMs);
  const lastSeen = iso(Math.max(finding.firstSeenMs, finding.lastSeenMs));
  const updatedAt = !Number.isNaN(nowMs) && nowMs > finding.lastSeenMs ? iso(nowMs) : lastSeen;
  const severity: AsffSeverity = { Label: finding.severity, Original: finding.severity };
  const types = asffTypes(finding);
  const requirements = [...new Set(finding.references.map((r) => clean(r, 256)))].slice(
    0,
    ASFF_LIMITS.relatedRequirements,
  );

  const out: AsffFinding = {
    SchemaVersion: ASFF_SCHEMA_VERSION,
    Id: clean(finding.id, 512),
    ProductArn: defaultProductArn(ctx.region, ctx.accountId),
    ProductName: clean(ctx.productName ?? 'nhi-watch', 128),
    CompanyName: clean(ctx.companyName ?? 'nhi-watch', 128),
    GeneratorId: clean(`nhi-watch/${finding.ruleId}`, 512),
    AwsAccountId: ctx.accountId,
    Types: types,
    CreatedAt: firstSeen,
    UpdatedAt: updatedAt,
    FirstObservedAt: firstSeen,
    LastObservedAt: lastSeen,
    Severity: severity,
    Title: title(finding),
    Description: description(finding),
    ProductFields: productFields(finding, firstSeen),
    Resources: resources(finding, ctx),
    RecordState: 'ACTIVE',
    Action: { ActionType: 'AWS_API_CALL', AwsApiCallAction: apiCallAction(finding, firstSeen, lastSeen) },
    FindingProviderFields: { Severity: { ...severity }, Types: [...types] },
  };
  const runbook = clean(finding.runbook, ASFF_LIMITS.recommendationTextChars);
  const optional: { -readonly [K in keyof AsffFinding]?: AsffFinding[K] } = {};
  if (runbook !== '') optional.Remediation = { Recommendation: { Text: runbook } };
  if (ctx.sourceUrl !== undefined && ctx.sourceUrl !== '') optional.SourceUrl = clean(ctx.sourceUrl, 2048);
  if (requirements.length > 0) optional.Compliance = { RelatedRequirements: requirements };
  const related = relatedFindings(finding);
  if (related.length > 0)
    optional.RelatedFindings = related.map((id) => ({ ProductArn: out.ProductArn, Id: id }));
  return { ...out, ...optional };
}

/** Ids of the other findings of the finding's incident, in the order they joined it. */
function relatedFindings(f: Finding): string[] {
  const ids: string[] = [];
  for (const fact of f.incident?.facts ?? []) {
    const id = clean(fact.findingId, 512);
    if (id !== '' && id !== f.id && !ids.includes(id)) ids.push(id);
  }
  return ids.slice(0, ASFF_LIMITS.relatedFindings);
}

/** The incident's facts in order, one line each (`09:14:05Z HIGH new-action: …`), for ProductFields. */
function incidentSequence(f: Finding): string | undefined {
  const inc = f.incident;
  if (inc === undefined) return undefined;
  const lines = inc.facts.map(
    (x) => `${iso(x.atMs).slice(11, 19)}Z ${x.severity} ${x.ruleId}: ${neutralise(x.text, 160)}`,
  );
  if (inc.factsOmitted > 0) lines.push(`(${inc.factsOmitted} more)`);
  return lines.join(' | ');
}

/** The rule's ASFF types (at most 50); a behavioural default when a rule declares none. */
function asffTypes(f: Finding): string[] {
  const types = [...new Set(f.asffTypes.map((t) => clean(t, 256)).filter((t) => t !== ''))].slice(
    0,
    ASFF_LIMITS.types,
  );
  return types.length > 0 ? types : ['Unusual Behaviors/User'];
}

/** Who the finding is about, for people: name, else principal, else key. */
const who = (f: Finding): string => f.identityName ?? f.principal ?? f.identityKey;

function title(f: Finding): string {
  return neutralise(`${f.title} (${who(f)})`, ASFF_LIMITS.titleChars);
}

/** Summary then evidence lines, whole lines only, within 1024 characters. */
function description(f: Finding): string {
  const max = ASFF_LIMITS.descriptionChars;
  const summary = neutralise(f.summary === '' ? f.title : f.summary, 400);
  const lines = [summary];
  let used = summary.length;
  let omitted = 0;
  for (const e of f.evidence) {
    const line = `- ${neutralise(e, 300)}`;
    // Keep room for the "(N more…)" note.
    if (omitted === 0 && used + 1 + line.length <= max - 40) {
      lines.push(line);
      used += 1 + line.length;
    } else {
      omitted += 1;
    }
  }
  if (omitted > 0) lines.push(`(${omitted} more evidence line${omitted === 1 ? '' : 's'} not shown)`);
  return truncate(lines.join('\n'), max);
}

/** nhi-watch's own fields, prefixed, string-valued, within Security Hub's key and value limits. */
function productFields(f: Finding, firstSeen: string): Record<string, string> {
  const fields: [string, string | number | undefined, number?][] = [
    ['ruleId', f.ruleId],
    ['identityKey', f.identityKey],
    ['identityKind', f.identityKind],
    ['principal', f.principal],
    ['identityName', f.identityName],
    ['sessionName', f.sessionName, 256],
    ['identityAccountId', f.accountId],
    ['credentialId', f.credentialId],
    ['credentialKind', f.credentialKind],
    ['sourceIp', f.sourceIp],
    ['asn', f.asn === undefined ? undefined : `AS${f.asn}`],
    ['asOrg', f.asOrg],
    ['country', f.country],
    ['userAgent', f.userAgent, 1024],
    ['action', f.action, 512],
    ['resource', f.resource, 1024],
    ['region', f.region],
    ['eventSource', f.source],
    ['count', f.count],
    ['firstSeen', firstSeen],
    ['windowStart', iso(f.windowStartMs)],
    ['discriminator', f.discriminator, 512],
    ['eventIds', f.eventIds.join(','), 1024],
    ['alert', f.alert === undefined ? undefined : String(f.alert)],
    ['incidentId', f.incident?.id],
    ['incidentStart', f.incident === undefined ? undefined : iso(f.incident.startMs)],
    ['incidentSeverity', f.incident?.severity],
    ['incidentFindings', f.incident?.findings],
    ['incidentSequence', incidentSequence(f)],
    ['incidentSource', f.incident?.campaign?.source],
    ['incidentIdentities', f.incident?.campaign?.identities],
    ['items', f.items?.join(', ')],
    ['maturityDays', f.maturity?.days],
    ['maturityCalls', f.maturity?.calls],
    [
      'maturityDistinct',
      f.maturity === undefined
        ? undefined
        : Object.entries(f.maturity.distinct)
            .map(([k, n]) => `${k}=${n}`)
            .join(','),
    ],
    ['maturityLearned', f.maturity === undefined ? undefined : String(f.maturity.isLearned)],
    ['priors', f.maturity?.priors.join('; ')],
    ['runbook', f.runbook],
    // Whose credential it was (identity chains): the readable chain, its root and depth.
    ['chain', f.chain === undefined ? undefined : describeChain(f.chain), 1024],
    ['chainRoot', f.chain?.root.identityKey, 512],
    ['chainDepth', f.chain === undefined ? undefined : chainDepth(f.chain)],
  ];
  const out: Record<string, string> = {};
  const budget = ASFF_LIMITS.productFieldsKeys - ASFF_LIMITS.productFieldsReservedKeys;
  for (const [name, value, max] of fields) {
    if (value === undefined || Object.keys(out).length >= budget) continue;
    const v = clean(value, max ?? ASFF_LIMITS.productFieldValueChars);
    if (v !== '') out[`nhi-watch/${name}`] = v;
  }
  return out;
}

function resources(f: Finding, ctx: AsffContext): AsffResource[] {
  const region = f.region !== undefined && REGION.test(f.region) ? f.region : ctx.region;
  const partition = partitionOf(region);
  const out: AsffResource[] = [identityResource(f, region, partition)];
  const cred = credentialResource(f, region, partition);
  if (cred) out.push(cred);
  const target = targetResource(f, region, partition);
  if (target) out.push(target);
  return out.slice(0, ASFF_LIMITS.resources);
}

/** The identity as the actor: an IAM role / user / account resource when its ARN says so, else Other. */
function identityResource(f: Finding, region: string, partition: AwsPartition): AsffResource {
  const base = { Region: region, ResourceRole: 'Actor' as const };
  const iam = f.principal === undefined ? null : IAM_ARN.exec(f.principal);
  if (iam && (f.identityKind === 'iam-role' || f.identityKind === 'iam-user')) {
    const [arn, p, , kind, path, name] = iam as unknown as [
      string,
      string,
      string,
      'role' | 'user',
      string,
      string,
    ];
    if (kind === 'role') {
      return {
        ...base,
        Type: 'AwsIamRole',
        Id: arn,
        Partition: arnPartition(p),
        Details: { AwsIamRole: { RoleName: name, Path: path } },
      };
    }
    return {
      ...base,
      Type: 'AwsIamUser',
      Id: arn,
      Partition: arnPartition(p),
      Details: { AwsIamUser: { UserName: name, Path: path } },
    };
  }
  if (f.identityKind === 'root' && f.accountId !== undefined && ACCOUNT.test(f.accountId)) {
    return { ...base, Type: 'AwsAccount', Id: `AWS::::Account:${f.accountId}`, Partition: partition };
  }
  const other: Record<string, string> = {
    identityKey: clean(f.identityKey, 1024),
    identityKind: f.identityKind,
  };
  if (f.principal !== undefined) other.principal = clean(f.principal, 1024);
  if (f.identityName !== undefined) other.name = clean(f.identityName, 1024);
  if (f.accountId !== undefined) other.accountId = clean(f.accountId, 64);
  const id = f.principal !== undefined && f.principal.startsWith('arn:') ? f.principal : f.identityKey;
  return { ...base, Type: 'Other', Id: clean(id, 512), Partition: partition, Details: { Other: other } };
}

/** The credential as an actor: an IAM access key resource for AKIA / ASIA ids, Other for tokens, API keys, certificates. */
function credentialResource(f: Finding, region: string, partition: AwsPartition): AsffResource | undefined {
  const id = f.credentialId;
  if (id === undefined || id === '') return undefined;
  const base = { Region: region, Partition: partition, ResourceRole: 'Actor' as const };
  if (ACCESS_KEY.test(id)) {
    const details: {
      AccessKeyId: string;
      PrincipalName?: string;
      PrincipalType?: string;
      AccountId?: string;
    } = { AccessKeyId: id };
    if (f.identityName !== undefined) details.PrincipalName = clean(f.identityName, 256);
    const type =
      f.identityKind === 'iam-user'
        ? 'IAMUser'
        : f.identityKind === 'iam-role'
          ? 'AssumedRole'
          : f.identityKind === 'root'
            ? 'Root'
            : undefined;
    if (type !== undefined) details.PrincipalType = type;
    if (f.accountId !== undefined && ACCOUNT.test(f.accountId)) details.AccountId = f.accountId;
    return {
      ...base,
      Type: 'AwsIamAccessKey',
      Id: `AWS::IAM::AccessKey:${id}`,
      Details: { AwsIamAccessKey: details },
    };
  }
  return {
    ...base,
    Type: 'Other',
    Id: clean(`nhi-watch:credential:${f.credentialKind}:${id}`, 512),
    Details: { Other: { credentialKind: f.credentialKind, credentialId: clean(id, 1024) } },
  };
}

/** What was acted on: the API Gateway stage (REST or HTTP) or another resource named by ARN. */
function targetResource(f: Finding, region: string, partition: AwsPartition): AsffResource | undefined {
  const r = f.resource;
  if (r === undefined) return undefined;
  const stage = STAGE_ARN.exec(r);
  if (stage) {
    const [arn, p, stageRegion, api, , name] = stage as unknown as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const details =
      api === 'restapis'
        ? { AwsApiGatewayStage: { StageName: name } }
        : { AwsApiGatewayV2Stage: { StageName: name } };
    return {
      Type: api === 'restapis' ? 'AwsApiGatewayStage' : 'AwsApiGatewayV2Stage',
      Id: arn,
      Partition: arnPartition(p),
      Region: REGION.test(stageRegion) ? stageRegion : region,
      ResourceRole: 'Target',
      Details: details,
    };
  }
  if (!r.startsWith('arn:')) return undefined;
  return { Type: 'Other', Id: clean(r, 512), Partition: partition, Region: region, ResourceRole: 'Target' };
}

/** The API call: CloudTrail `service:Name` split into ServiceName / Api; API Gateway `METHOD route` kept whole. */
function apiCallAction(f: Finding, firstSeen: string, lastSeen: string): AsffAwsApiCallAction {
  const m = CLOUDTRAIL_ACTION.exec(f.action);
  const out: { -readonly [K in keyof AsffAwsApiCallAction]: AsffAwsApiCallAction[K] } = {
    FirstSeen: firstSeen,
    LastSeen: lastSeen,
  };
  if (m) {
    out.ServiceName = clean(m[1], ASFF_LIMITS.apiCallNameChars);
    out.Api = clean(m[2], ASFF_LIMITS.apiCallNameChars);
  } else if (f.action !== '') {
    out.Api = clean(f.action, ASFF_LIMITS.apiCallNameChars);
    if (f.source === 'api-gateway') out.ServiceName = 'execute-api.amazonaws.com';
  }
  const ip = f.sourceIp;
  if (ip !== undefined && (isIPv4(ip) || isIPv6(ip))) {
    const remote: {
      -readonly [K in keyof NonNullable<AsffAwsApiCallAction['RemoteIpDetails']>]: NonNullable<
        AsffAwsApiCallAction['RemoteIpDetails']
      >[K];
    } = {};
    if (isIPv4(ip)) remote.IpAddressV4 = ip;
    const org: { Asn?: number; AsnOrg?: string } = {};
    if (f.asn !== undefined) org.Asn = f.asn;
    if (f.asOrg !== undefined) org.AsnOrg = clean(f.asOrg, 256);
    if (Object.keys(org).length > 0) remote.Organization = org;
    if (f.country !== undefined && /^[A-Z]{2}$/.test(f.country)) remote.Country = { CountryCode: f.country };
    out.CallerType = 'remoteip';
    out.RemoteIpDetails = remote;
  } else if (ip !== undefined && ip !== '') {
    out.CallerType = 'domain';
    out.DomainDetails = { Domain: clean(ip, 256) };
  }
  return out;
}
