/**
 * Builders for the identity events of rule cases: realistic defaults (a Lambda workload role calling
 * DynamoDB from an AWS network) that each case overrides field by field, so a case states only what
 * matters to it. Addresses and accounts are documentation values.
 */
import type { Action, Credential, Identity, IdentityEvent, Origin, Outcome } from '../identity-event.js';

/** Partial overrides of an identity event, one level deep. */
export interface EventOverrides {
  readonly source?: IdentityEvent['source'];
  readonly eventId?: string;
  readonly timeMs?: number;
  readonly identity?: Partial<Identity>;
  readonly credential?: Partial<Credential>;
  readonly origin?: Partial<Origin>;
  readonly action?: Partial<Action>;
  readonly outcome?: Partial<Outcome>;
}

/** 2026-03-02T00:00:00Z, a Monday: case timelines start here. */
export const T0 = Date.UTC(2026, 2, 2);
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

let counter = 0;

/** One event: a workload role's successful DynamoDB call from an AWS address, with overrides. */
export function ev(o: EventOverrides = {}): IdentityEvent {
  counter += 1;
  const identity: Identity = {
    key: 'aws:123456789012:role/orders-worker',
    kind: 'iam-role',
    accountId: '123456789012',
    principal: 'arn:aws:iam::123456789012:role/orders-worker',
    name: 'orders-worker',
    sessionName: 'orders-worker-fn',
    ...o.identity,
  };
  const credential: Credential = { id: 'ASIAEXAMPLEWORKER001', kind: 'session-key', ...o.credential };
  const origin: Origin = {
    ip: '3.80.10.20',
    isIp: true,
    network: '3.80.10.0/24',
    asn: 14618,
    asOrg: 'Amazon.com, Inc.',
    country: 'US',
    isAws: true,
    isPrivate: false,
    userAgent: 'aws-sdk-js/3.600.0 ua/2.1 os/linux lang/js md/nodejs#22.11.0 exec-env/AWS_Lambda_nodejs22.x',
    userAgentFamily: 'aws-sdk-js',
    userAgentClass: 'sdk',
    ...o.origin,
  };
  const action: Action = {
    name: 'dynamodb.amazonaws.com:GetItem',
    service: 'dynamodb.amazonaws.com',
    region: 'us-east-1',
    isReadOnly: true,
    ...o.action,
  };
  const outcome: Outcome = { authn: 'success', authz: 'allowed', isThrottled: false, ...o.outcome };
  return {
    source: o.source ?? 'cloudtrail',
    eventId: o.eventId ?? `case-${counter}`,
    timeMs: o.timeMs ?? T0,
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

/** Time `days` days, `hours` hours and `minutes` minutes after T0. */
export const at = (days: number, hours = 0, minutes = 0): number => T0 + days * DAY + hours * HOUR + minutes * MINUTE;

/** `count` events like `base`, evenly spread over `spanMs` (default 50 minutes) from `startMs`: a burst, a batch run. */
export function burst(base: EventOverrides, startMs: number, count: number, spanMs = 50 * MINUTE): IdentityEvent[] {
  const out: IdentityEvent[] = [];
  for (let i = 0; i < count; i++) out.push(ev({ ...base, timeMs: startMs + Math.floor((i * spanMs) / count) }));
  return out;
}

/** The event with some origin facts removed (private addresses, AWS-service and non-IP sources carry no ASN / country). */
export function withoutOrigin(event: IdentityEvent, ...keys: readonly (keyof Origin)[]): IdentityEvent {
  const origin: Record<string, unknown> = { ...event.origin };
  for (const k of keys) delete origin[k];
  return { ...event, origin: origin as unknown as Origin };
}
