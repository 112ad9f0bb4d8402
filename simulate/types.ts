/**
 * Shapes of what the traffic simulator returns: raw CloudTrail records, raw API Gateway access-log
 * lines, one label row per malicious event, and the fleet's integration contracts (core's `Contract`).
 */
import type { Contract } from '../lambdas/core/contracts.js';
import type { IdentityAccessLogField } from '../lambdas/core/sources/access-log-format.js';

/** The detection rules every simulation injects at least one labelled episode for. */
export const SIMULATED_RULE_IDS = [
  'auth-failure-burst',
  'credential-stuffing',
  'success-after-failures',
  'credential-replay',
  'new-source',
  'new-user-agent',
  'rate-anomaly',
  'new-action',
  'access-denied-burst',
  'lateral-movement',
  'dormant-identity',
  'long-lived-credential',
  'contract-violation',
  'sensitive-action',
  'sensitive-read-breadth',
  'new-federated-subject',
  'chain-replay',
] as const;

/** A rule id from the v1 catalogue (DESIGN.md §5). */
export type SimulatedRuleId = (typeof SIMULATED_RULE_IDS)[number];

/** Which log a labelled event is in. */
export type LabelSource = 'cloudtrail' | 'api-gateway';

/** Ground truth for one malicious event: the rule expected to catch its episode. */
export interface Label {
  /** CloudTrail `eventID` or API Gateway `requestId`. */
  readonly eventId: string;
  readonly source: LabelSource;
  readonly rule: SimulatedRuleId;
  /** Short technique name with its MITRE ATT&CK id(s). */
  readonly technique: string;
  /** Episode id: every event of one attack shares it. */
  readonly attackId: string;
  /** Identity key (see identityKeyHint) of the identity the event is attributed to. */
  readonly identityKey?: string;
  /**
   * True for events the rule is expected to fire on; false for the episode's other malicious
   * events (set-up, follow-on activity of a fresh identity) that make the story but carry no signal
   * of their own for that rule.
   */
  readonly signal: boolean;
}

/** A CloudTrail record (the subset of fields the simulator writes; all optional in real logs). */
export interface CloudTrailRecord {
  readonly eventVersion: string;
  readonly userIdentity: Readonly<Record<string, unknown>>;
  readonly eventTime: string;
  readonly eventSource: string;
  readonly eventName: string;
  readonly awsRegion: string;
  readonly sourceIPAddress: string;
  readonly userAgent: string;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly requestParameters: Readonly<Record<string, unknown>> | null;
  readonly responseElements: Readonly<Record<string, unknown>> | null;
  readonly additionalEventData?: Readonly<Record<string, unknown>>;
  readonly requestID: string;
  readonly eventID: string;
  readonly readOnly: boolean;
  readonly resources?: readonly Readonly<Record<string, unknown>>[];
  readonly eventType: string;
  readonly managementEvent: boolean;
  readonly recipientAccountId: string;
  readonly sharedEventID?: string;
  readonly eventCategory: string;
  readonly tlsDetails?: Readonly<Record<string, unknown>>;
  readonly sessionCredentialFromConsole?: string;
}

/** Fields of an access-log line that numbers may fill (the HTTP API logs them as numbers). */
type NumericAccessLogField = 'requestTimeEpoch' | 'status' | 'responseLength';

/** Fields every line the simulator writes has. */
type PresentAccessLogField =
  | 'requestId'
  | 'requestTimeEpoch'
  | 'apiId'
  | 'stage'
  | 'httpMethod'
  | 'path'
  | 'protocol'
  | 'status'
  | 'responseLength'
  | 'sourceIp';

type AccessLogValue<K extends IdentityAccessLogField> = K extends NumericAccessLogField
  ? number | string
  : string;

/**
 * One API Gateway access-log line in nhi-watch's access-log format: its keys are the format's
 * field names (core's `IDENTITY_ACCESS_LOG_FIELDS`). Keys that do not apply to a request are
 * absent. REST APIs log strings (as a quoted `$context` template does); the HTTP API logs numbers
 * for status, length and epoch.
 */
export type ApiGatewayAccessLogLine = {
  readonly [K in IdentityAccessLogField]?: AccessLogValue<K>;
} & { readonly [K in PresentAccessLogField]: AccessLogValue<K> };

/** Inputs of one simulation run. */
export interface SimulateOptions {
  /** @default 1 */
  readonly seed?: number;
  /** Days of benign traffic. @default 14 */
  readonly days?: number;
  /** Multiplier on every benign rate (volume knob). @default 1 */
  readonly scale?: number;
  /** First instant of the run (UTC midnight recommended), ISO string or epoch ms. @default 2025-06-02T00:00:00Z (a Monday) */
  readonly start?: string | number;
  /** Days of pure benign traffic before the first attack. @default min(7, floor(days / 2)) */
  readonly learningDays?: number;
  /** Inject the labelled attack episodes. @default true */
  readonly attacks?: boolean;
}

/** What a run produced, and the facts a benchmark needs to interpret it. */
export interface SimulationResult {
  /** CloudTrail records in event-time order. */
  readonly cloudtrail: CloudTrailRecord[];
  /** API Gateway access-log lines in request-time order. */
  readonly apiGateway: ApiGatewayAccessLogLine[];
  /** One row per malicious event (benign events have none), in event-time order. */
  readonly labels: Label[];
  /** Intended integrations of the fleet, consistent with all benign traffic. */
  readonly contracts: Contract[];
  readonly meta: SimulationMeta;
}

/** Run parameters and fleet facts. */
export interface SimulationMeta {
  readonly seed: number;
  readonly days: number;
  readonly scale: number;
  readonly learningDays: number;
  /** Epoch ms of the run's start and end (history of dormant identities lies before the start). */
  readonly startMs: number;
  readonly endMs: number;
  /** First instant attacks may happen (start + learningDays). */
  readonly attackWindowStartMs: number;
  readonly accounts: Readonly<Record<string, string>>;
  /** The simulated identities by key, with what they are. */
  readonly identities: readonly { readonly key: string; readonly description: string }[];
  /** Episodes: id, rule(s) and first / last event time. */
  readonly episodes: readonly {
    readonly attackId: string;
    readonly rules: readonly SimulatedRuleId[];
    readonly technique: string;
    readonly firstMs: number;
    readonly lastMs: number;
    readonly events: number;
  }[];
}
