/**
 * Test-side reading of simulator output: an independent, minimal interpretation of raw CloudTrail
 * records and access-log lines (identity key, action, origin, credential), so the tests check the
 * generated traffic the way a detector would see it rather than trusting the generator's own state.
 */
import type { Contract } from '../../lambdas/core/contracts';
import { networkOf } from '../../simulate/networks';
import type { ApiGatewayAccessLogLine, CloudTrailRecord, SimulationResult } from '../../simulate/types';

/** The facts of one event that behaviour rules look at. */
export interface EventFacts {
  readonly source: 'cloudtrail' | 'api-gateway';
  readonly eventId: string;
  readonly timeMs: number;
  readonly identity: string;
  readonly action: string;
  readonly ip?: string;
  readonly asn?: number;
  readonly country?: string;
  readonly userAgent: string;
  readonly userAgentFamily: string;
  readonly credentialId?: string;
  readonly credentialKind: string;
  readonly invokedBy?: string;
  readonly errorCode?: string;
  readonly status?: number;
  readonly scopes: readonly string[];
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** The value at a path inside parsed JSON, or undefined. */
export const at = (value: unknown, ...path: string[]): unknown => {
  let current = value;
  for (const step of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[step];
  }
  return current;
};

/** The string at a path inside parsed JSON, or undefined. */
export const atString = (value: unknown, ...path: string[]): string | undefined => {
  const found = at(value, ...path);
  return typeof found === 'string' ? found : undefined;
};

/** First token of the user agent (`aws-sdk-js`, `Boto3`, `aws-cli`, `APN`, `curl` …). */
export const userAgentFamily = (userAgent: string): string => userAgent.split(/[/ ]/)[0] ?? '';

const roleFromSessionArn = (arn: string): string => {
  const match = /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\//.exec(arn);
  return match ? `arn:aws:iam::${match[1]}:role/${match[2]}` : arn;
};

const keyFromArn = (arn: string): string => {
  const match = /^arn:aws:iam::(\d{12}):(role|user)\/(.+)$/.exec(arn);
  return match ? `aws:${match[1]}:${match[2]}/${match[3]}` : arn;
};

const origin = (ip: string | undefined): Pick<EventFacts, 'ip' | 'asn' | 'country'> => {
  if (ip === undefined || !IPV4.test(ip)) return {};
  const network = networkOf(ip);
  return network ? { ip, asn: network.asn, country: network.country } : { ip };
};

/** Facts of a CloudTrail record. */
export const cloudTrailFacts = (record: CloudTrailRecord): EventFacts => {
  const identity = record.userIdentity;
  const type = atString(identity, 'type');
  let key: string;
  if (type === 'AssumedRole')
    key = keyFromArn(atString(identity, 'sessionContext', 'sessionIssuer', 'arn') ?? '');
  else if (type === 'IAMUser') key = keyFromArn(atString(identity, 'arn') ?? '');
  else if (type === 'WebIdentityUser' || type === 'SAMLUser')
    key = keyFromArn(atString(record.requestParameters, 'roleArn') ?? '');
  else if (type === 'AWSService') key = `aws:service:${atString(identity, 'invokedBy') ?? ''}`;
  else key = `unknown:${atString(identity, 'accessKeyId') ?? ''}`;
  const accessKeyId = atString(identity, 'accessKeyId');
  const credentialKind = accessKeyId?.startsWith('AKIA')
    ? 'long-lived-key'
    : accessKeyId?.startsWith('ASIA')
      ? 'session-key'
      : type === 'WebIdentityUser' || type === 'SAMLUser'
        ? 'bearer-token'
        : 'none';
  const invokedBy = atString(identity, 'invokedBy');
  return {
    source: 'cloudtrail',
    eventId: record.eventID,
    timeMs: Date.parse(record.eventTime),
    identity: key,
    action: `${record.eventSource.split('.')[0] ?? ''}:${record.eventName}`,
    ...origin(record.sourceIPAddress),
    userAgent: record.userAgent,
    userAgentFamily: userAgentFamily(record.userAgent),
    ...(accessKeyId === undefined ? {} : { credentialId: accessKeyId }),
    credentialKind,
    ...(invokedBy === undefined ? {} : { invokedBy }),
    ...(record.errorCode === undefined ? {} : { errorCode: record.errorCode }),
    scopes: [],
  };
};

/** Facts of an API Gateway access-log line. */
export const apiGatewayFacts = (line: ApiGatewayAccessLogLine): EventFacts => {
  let identity: string;
  let credentialId: string | undefined;
  let credentialKind: string;
  if (line.clientId !== undefined && line.issuer !== undefined) {
    identity = `api:${line.apiId}:${line.issuer.replace(/^https?:\/\//, '')}:${line.clientId}`;
    credentialId = line.jti;
    credentialKind = 'bearer-token';
  } else if (line.apiKeyId !== undefined) {
    identity = `api:${line.apiId}:api-key:${line.apiKeyId}`;
    credentialId = line.apiKeyId;
    credentialKind = 'api-key';
  } else if (line.certSerial !== undefined) {
    identity = `api:${line.apiId}:mtls:${line.certSerial}`;
    credentialId = line.certSerial;
    credentialKind = 'mtls-certificate';
  } else if (line.callerArn !== undefined) {
    identity = `api:${line.apiId}:iam:${roleFromSessionArn(line.callerArn)}`;
    credentialKind = 'sigv4'; // nhi-watch's access-log format does not log the caller's access key
  } else {
    identity = `api:${line.apiId}:anonymous`;
    credentialKind = 'none';
  }
  const route = line.resourcePath ?? line.routeKey?.slice(line.routeKey.indexOf(' ') + 1) ?? line.path;
  return {
    source: 'api-gateway',
    eventId: line.requestId,
    timeMs: Number(line.requestTimeEpoch),
    identity,
    action: `${line.httpMethod} ${route}`,
    ...origin(line.sourceIp),
    userAgent: line.userAgent ?? '',
    userAgentFamily: userAgentFamily(line.userAgent ?? ''),
    ...(credentialId === undefined ? {} : { credentialId }),
    credentialKind,
    status: Number(line.status),
    scopes: line.scope === undefined ? [] : line.scope.split(' '),
  };
};

/** Every event's facts with whether it is labelled malicious. */
export const allFacts = (result: SimulationResult): { facts: EventFacts; malicious: boolean }[] => {
  const malicious = new Set(result.labels.map((label) => `${label.source}|${label.eventId}`));
  return [...result.cloudtrail.map(cloudTrailFacts), ...result.apiGateway.map(apiGatewayFacts)].map(
    (facts) => ({ facts, malicious: malicious.has(`${facts.source}|${facts.eventId}`) }),
  );
};

const compiledGlobs = new Map<string, RegExp>();
/** Glob (`*`, `?`) to an anchored regular expression (compiled once per glob). */
export const globToRegExp = (glob: string): RegExp => {
  let compiled = compiledGlobs.get(glob);
  if (!compiled) {
    compiled = new RegExp(
      `^${glob
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
    );
    compiledGlobs.set(glob, compiled);
  }
  return compiled;
};

const inCidr = (ip: string, cidr: string): boolean => {
  const [base = '', lengthText = '32'] = cidr.split('/');
  const toInt = (address: string): number =>
    address.split('.').reduce((value, part) => value * 256 + Number(part), 0);
  const size = 2 ** (32 - Number(lengthText));
  const first = toInt(base) - (toInt(base) % size);
  const value = toInt(ip);
  return value >= first && value < first + size;
};

/** Contract clauses an event breaks (rate envelopes are checked over windows, not here). */
export const contractBreaches = (facts: EventFacts, contract: Contract): string[] => {
  const breaches: string[] = [];
  const fromService = facts.invokedBy !== undefined || facts.ip === undefined;
  if (
    !fromService &&
    contract.allowedAsns &&
    (facts.asn === undefined || !contract.allowedAsns.includes(facts.asn))
  )
    breaches.push(`asn ${String(facts.asn)}`);
  if (
    !fromService &&
    contract.allowedNetworks &&
    !contract.allowedNetworks.some((cidr) => inCidr(facts.ip ?? '0.0.0.0', cidr))
  )
    breaches.push(`network ${String(facts.ip)}`);
  if (
    contract.allowedActions &&
    !contract.allowedActions.some((glob) => globToRegExp(glob).test(facts.action))
  )
    breaches.push(`action ${facts.action}`);
  if (
    contract.userAgentPatterns &&
    !contract.userAgentPatterns.some((glob) => globToRegExp(glob).test(facts.userAgent))
  )
    breaches.push(`user agent ${facts.userAgent}`);
  if (contract.allowedScopes && facts.scopes.some((scope) => !contract.allowedScopes?.includes(scope)))
    breaches.push(`scope ${facts.scopes.join(' ')}`);
  if (
    contract.allowedCredentialKinds &&
    facts.credentialKind !== 'none' &&
    !contract.allowedCredentialKinds.includes(facts.credentialKind)
  )
    breaches.push(`credential ${facts.credentialKind}`);
  if (contract.activeHoursUtc) {
    const hour = new Date(facts.timeMs).getUTCHours();
    const { start, end } = contract.activeHoursUtc;
    const inside = start <= end ? hour >= start && hour < end : hour >= start || hour < end;
    if (!inside) breaches.push(`hour ${hour}`);
  }
  return breaches;
};

/** The contracts whose identity pattern matches the key. */
export const contractsFor = (contracts: readonly Contract[], identity: string): Contract[] =>
  contracts.filter((contract) => globToRegExp(contract.identity).test(identity));
