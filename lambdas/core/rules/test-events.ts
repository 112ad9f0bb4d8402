/**
 * Builders for the identity events of rule cases: realistic defaults (a Lambda workload role calling
 * DynamoDB from an AWS network) that each case overrides field by field, so a case states only what
 * matters to it. Addresses and accounts are documentation values. Test material: the cases files, tests
 * and benchmarks import it, no production module does.
 */
import { matchSensitiveAction } from '../catalogue/sensitive-actions.js';
import type { Action, Credential, Identity, IdentityEvent, Origin, Outcome } from '../identity-event.js';

/** Field overrides of one part of an event; an explicit `undefined` removes a default (e.g. the ASN of a private address). */
export type Overrides<T> = { [K in keyof T]?: T[K] | undefined };

/** Partial overrides of an identity event, one level deep. */
export interface EventOverrides {
  readonly source?: IdentityEvent['source'];
  readonly eventId?: string;
  readonly timeMs?: number;
  readonly identity?: Overrides<Identity>;
  readonly credential?: Overrides<Credential>;
  readonly origin?: Overrides<Origin>;
  readonly action?: Overrides<Action>;
  readonly outcome?: Overrides<Outcome>;
}

/** Defaults overlaid with overrides; keys overridden with `undefined` are dropped. */
function overlay<T extends object>(defaults: T, overrides: Overrides<T> | undefined): T {
  const out = { ...defaults, ...overrides } as Record<string, unknown>;
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out as T;
}

/** 2026-03-02T00:00:00Z, a Monday: case timelines start here. */
export const T0 = Date.UTC(2026, 2, 2);
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** User agents as AWS SDKs, the CLI and HTTP clients send them (family and class as the normaliser derives them). */
export const UA = {
  /** AWS SDK for JavaScript v3 inside Lambda (`exec-env/AWS_Lambda_…`). */
  lambdaNode: {
    userAgent: 'aws-sdk-js/3.600.0 ua/2.1 os/linux lang/js md/nodejs#22.11.0 exec-env/AWS_Lambda_nodejs22.x',
    userAgentFamily: 'aws-sdk-js',
    userAgentClass: 'sdk',
  },
  /** boto3 inside Lambda. */
  lambdaPython: {
    userAgent:
      'Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#5.10.215-225.859.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.3 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.84',
    userAgentFamily: 'boto3',
    userAgentClass: 'sdk',
  },
  /** AWS SDK for Java v2 in an ECS Fargate task. */
  ecsFargate: {
    userAgent:
      'aws-sdk-java/2.25.10 Linux/5.10.214-202.855.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10 vendor/Amazon.com_Inc. exec-env/AWS_ECS_FARGATE io/sync http/Apache cfg/retry-mode/legacy',
    userAgentFamily: 'aws-sdk-java',
    userAgentClass: 'sdk',
  },
  /** boto3 on a plain server (no execution-environment marker). */
  boto3Server: {
    userAgent:
      'Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#6.1.0-18-amd64 md/arch#x86_64 lang/python#3.11.2 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.84',
    userAgentFamily: 'boto3',
    userAgentClass: 'sdk',
  },
  /** AWS CLI v2 on a laptop. */
  awsCli: {
    userAgent:
      'aws-cli/2.15.30 Python/3.11.8 Darwin/23.4.0 exe/x86_64 prompt/off command/sts.get-caller-identity',
    userAgentFamily: 'aws-cli',
    userAgentClass: 'cli',
  },
  /** A partner's HTTP client calling an API Gateway API. */
  okhttp: { userAgent: 'okhttp/4.12.0', userAgentFamily: 'okhttp', userAgentClass: 'http-library' },
  /** A Python script's HTTP client (token requests, credential stuffing tools). */
  pythonRequests: {
    userAgent: 'python-requests/2.31.0',
    userAgentFamily: 'python-requests',
    userAgentClass: 'http-library',
  },
} as const satisfies Record<string, Pick<Origin, 'userAgent' | 'userAgentFamily' | 'userAgentClass'>>;

/** Identity overrides of the case account's root user. */
export const ROOT: Overrides<Identity> = {
  key: 'aws:123456789012:root',
  kind: 'root',
  principal: 'arn:aws:iam::123456789012:root',
  name: 'root',
  sessionName: undefined,
};

/** Identity overrides of the case account's IAM user `name`. */
export const iamUser = (name: string): Overrides<Identity> => ({
  key: `aws:123456789012:user/${name}`,
  kind: 'iam-user',
  principal: `arn:aws:iam::123456789012:user/${name}`,
  name,
  sessionName: undefined,
});

/** Identity overrides of OAuth client `clientId` of the case API (`a1b2c3d4e5`), as its JWT authorizer logs it. */
export const apiClient = (clientId: string): Overrides<Identity> => ({
  key: `api:a1b2c3d4e5:client:${clientId}`,
  kind: 'api-client',
  principal: clientId,
  name: clientId,
  clientId,
  sessionName: undefined,
  issuer: 'https://auth.example.com',
});

/** Origin overrides for a public address outside AWS (documentation address, the ASN a lookup would give). */
export const outsideAws = (ip: string, asn: number, asOrg: string, country = 'US'): Overrides<Origin> => ({
  ip,
  isIp: true,
  network: `${ip.slice(0, ip.lastIndexOf('.'))}.0/24`,
  asn,
  asOrg,
  country,
  isAws: false,
  isPrivate: false,
});

/** Origin overrides for an AWS network address (EC2 / Lambda / NAT gateway egress). */
export const insideAws = (ip: string, asn = 16509, country = 'US'): Overrides<Origin> => ({
  ip,
  isIp: true,
  network: `${ip.slice(0, ip.lastIndexOf('.'))}.0/24`,
  asn,
  asOrg: 'Amazon.com, Inc.',
  country,
  isAws: true,
  isPrivate: false,
});

/** Origin overrides for a private address (a call through a VPC endpoint, a host behind NAT). */
export const privateAddress = (ip: string, vpcEndpointId?: string): Overrides<Origin> => ({
  ip,
  isIp: true,
  network: `${ip.slice(0, ip.lastIndexOf('.'))}.0/24`,
  asn: undefined,
  asOrg: undefined,
  country: undefined,
  isAws: false,
  isPrivate: true,
  vpcEndpointId,
});

/** Origin overrides for an AWS service acting on the caller's behalf (`invokedBy`, service-name source address). */
export const viaService = (service: string): Overrides<Origin> => ({
  ip: service,
  isIp: false,
  network: undefined,
  asn: undefined,
  asOrg: undefined,
  country: undefined,
  isAws: true,
  isPrivate: false,
  awsService: service,
  userAgent: service,
  userAgentFamily: 'aws-internal',
  userAgentClass: 'aws-internal',
});

/** `n` events (or raw records) `stepMs` apart from `startMs`, each built by `make(timeMs, i)`. */
export function repeat<T = IdentityEvent>(
  n: number,
  startMs: number,
  stepMs: number,
  make: (timeMs: number, i: number) => T,
): T[] {
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(make(startMs + i * stepMs, i));
  return out;
}

/** One event: a workload role's successful DynamoDB call from an AWS address, with overrides. */
export function ev(o: EventOverrides = {}): IdentityEvent {
  const identity = overlay<Identity>(
    {
      key: 'aws:123456789012:role/orders-worker',
      kind: 'iam-role',
      accountId: '123456789012',
      principal: 'arn:aws:iam::123456789012:role/orders-worker',
      name: 'orders-worker',
      sessionName: 'orders-worker-fn',
    },
    o.identity,
  );
  const credential = overlay<Credential>({ id: 'ASIAEXAMPLEWORKER001', kind: 'session-key' }, o.credential);
  const origin = overlay<Origin>(
    {
      ip: '3.80.10.20',
      isIp: true,
      network: '3.80.10.0/24',
      asn: 14618,
      asOrg: 'Amazon.com, Inc.',
      country: 'US',
      isAws: true,
      isPrivate: false,
      ...UA.lambdaNode,
    },
    o.origin,
  );
  const action = overlay<Action>(
    {
      name: 'dynamodb.amazonaws.com:GetItem',
      service: 'dynamodb.amazonaws.com',
      region: 'us-east-1',
      isReadOnly: true,
    },
    o.action,
  );
  const outcome = overlay<Outcome>({ authn: 'success', authz: 'allowed', isThrottled: false }, o.outcome);
  const source = o.source ?? 'cloudtrail';
  const timeMs = o.timeMs ?? T0;
  return {
    source,
    // Derived from what the event is, never from a module-level counter: the same builder calls give the
    // same ids in any test order. A rule case's events get ids from their case (rule-case.ts: defineCases).
    eventId: o.eventId ?? `${source}:${identity.key}:${action.name}@${timeMs}`,
    timeMs,
    identity,
    credential,
    origin,
    action,
    outcome,
    recipientAccountId: '123456789012',
  };
}

/**
 * A learned history: `perDay` events a day for `days` days starting at T0, spread over working
 * hours, all like `base`. Enough to pass the default learning period (7 days, 200 events).
 */
export function history(base: EventOverrides = {}, days = 8, perDay = 40): IdentityEvent[] {
  const out: IdentityEvent[] = [];
  for (let d = 0; d < days; d++) {
    for (let i = 0; i < perDay; i++) {
      const timeMs = T0 + d * DAY + 8 * HOUR + Math.floor((i * 10 * HOUR) / perDay);
      out.push(ev({ ...base, timeMs }));
    }
  }
  return out;
}

/** `base` with `more` laid over it, part by part (identity, credential, origin, action, outcome). */
export function combine(base: EventOverrides, more: EventOverrides): EventOverrides {
  return {
    ...base,
    ...more,
    identity: { ...base.identity, ...more.identity },
    credential: { ...base.credential, ...more.credential },
    origin: { ...base.origin, ...more.origin },
    action: { ...base.action, ...more.action },
    outcome: { ...base.outcome, ...more.outcome },
  };
}

/**
 * A learned history like `history`, whose calls take turns among `variants` laid over `base`: a
 * client roaming over several networks or countries, a role that uses several actions.
 */
export function rotatingHistory(
  base: EventOverrides,
  variants: readonly EventOverrides[],
  days = 8,
  perDay = 40,
): IdentityEvent[] {
  return history(base, days, perDay).map((e, i) =>
    ev(combine(base, { ...variants[i % variants.length], timeMs: e.timeMs })),
  );
}

/** Several event streams of one case merged into one timeline, in time order (a history plus a nightly job, several origins…). */
export function inTimeOrder(...streams: readonly (readonly IdentityEvent[])[]): IdentityEvent[] {
  return streams.flat().sort((a, b) => a.timeMs - b.timeMs);
}

/** Time `days` days, `hours` hours and `minutes` minutes after T0. */
export const at = (days: number, hours = 0, minutes = 0): number =>
  T0 + days * DAY + hours * HOUR + minutes * MINUTE;

/** `count` events like `base`, evenly spread over `spanMs` (default 50 minutes) from `startMs`: a burst, a batch run. */
export function burst(
  base: EventOverrides,
  startMs: number,
  count: number,
  spanMs = 50 * MINUTE,
): IdentityEvent[] {
  const out: IdentityEvent[] = [];
  for (let i = 0; i < count; i++)
    out.push(ev({ ...base, timeMs: startMs + Math.floor((i * spanMs) / count) }));
  return out;
}

/** The event with some origin facts removed (private addresses, AWS-service and non-IP sources carry no ASN / country). */
export function withoutOrigin(event: IdentityEvent, ...keys: readonly (keyof Origin)[]): IdentityEvent {
  const origin: Record<string, unknown> = { ...event.origin };
  for (const k of keys) delete origin[k];
  return { ...event, origin: origin as unknown as Origin };
}

/** A call answered with ThrottlingException: neither an authentication failure nor a denial. */
export const throttled = (timeMs: number): IdentityEvent =>
  ev({
    timeMs,
    outcome: { authn: 'success', authz: 'unknown', isThrottled: true, errorCode: 'ThrottlingException' },
  });

/**
 * `sts:GetCallerIdentity` with IAM user `name`'s long-lived key (the first call of whoever holds a
 * leaked key) from `origin`: successful when `errorCode` is undefined, else an authentication failure.
 */
export const leakedKeyCall = (
  timeMs: number,
  name: string,
  origin: NonNullable<EventOverrides['origin']>,
  errorCode?: string,
): IdentityEvent =>
  ev({
    timeMs,
    identity: iamUser(name),
    credential: {
      id: `AKIAEXAMPLE${name.replace(/-/g, '').slice(0, 9).toUpperCase()}`,
      kind: 'long-lived-key',
    },
    origin: { ...origin, ...UA.boto3Server },
    action: {
      name: 'sts.amazonaws.com:GetCallerIdentity',
      service: 'sts.amazonaws.com',
      region: 'us-east-1',
      isReadOnly: true,
    },
    outcome:
      errorCode === undefined
        ? { authn: 'success', authz: 'allowed' }
        : { authn: 'failure', authz: 'unknown', errorCode },
  });

/**
 * Action overrides of a CloudTrail call with its request parameters, matched against the
 * sensitive-action catalogue as the normaliser does (the case states the parameters; the
 * catalogue decides whether the call is sensitive). `callerNames` are the caller's own user /
 * session names; the account is the case account.
 */
export function sensitiveCall(
  eventSource: string,
  eventName: string,
  params: Record<string, unknown> = {},
  callerNames: readonly string[] = ['orders-worker', 'orders-worker-fn'],
): Overrides<Action> {
  const sensitive = matchSensitiveAction(eventSource, eventName, params, {
    account: '123456789012',
    callerNames,
  });
  const dot = eventSource.indexOf('.');
  return {
    name: `${eventSource}:${eventName}`,
    service: dot > 0 ? eventSource.slice(0, dot) : eventSource,
    isReadOnly: false,
    sensitive,
  };
}
