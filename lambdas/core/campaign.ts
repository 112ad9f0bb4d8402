/**
 * Campaigns: one hostile source acting on many identities is one incident, not one per identity.
 * Stuffing a batch of stolen client certificates or leaked access keys from one host touches as many
 * identities as it has credentials; each identity's findings form its own incident (incident.ts),
 * and without this every one of them would open with an alert. A campaign is kept in the source's
 * own state record (`src#<address>`), committed with the same versioned, batch-remembering write as
 * the failures it already counts, and gives every identity incident it spans one shared id and one
 * alert budget: the opening alert and one severity raise, whatever the number of identities.
 *
 * Only a source that is plausibly one actor forms a campaign: a public address outside AWS (never a
 * private address, an AWS address — Lambda and NAT egress is shared by unrelated functions — an AWS
 * service acting on a caller's behalf, or a VPC endpoint), and one that is either hostile by what it
 * did (it failed authentication as several identities within the window) or new to the account (its
 * network has not been seen there before the last day, in an account with enough history to say so).
 * An established corporate NAT that many benign identities share is neither, so their incidents stay
 * apart.
 *
 * Pure state folding. A batch folded again into a source record that already holds it (a retry after
 * a partial commit) reads the campaign without changing it: a finding alerts again only if the
 * campaign recorded it as alerting. At worst, a retry whose identity record committed but whose
 * source record did not adds one alert to a campaign; none is lost.
 */
import { isAuthnFailure, type SourceState } from './baseline.js';
import { severityRank } from './finding.js';
import type { Joining } from './incident.js';
import type { IdentityEvent } from './identity-event.js';
import { isPopulationMature, type PopulationRecord } from './priors.js';
import { getOwn } from './safe-record.js';
import type { Severity } from './rules/rule.js';

/** When a source's findings on several identities form one incident. */
export interface CampaignConfig {
  /** A source that failed authentication as this many distinct identities within `gapSeconds` is hostile. */
  readonly failingIdentities: number;
  /** A source whose network (ASN) was first seen in the account less than this long ago is new. */
  readonly newSourceSeconds: number;
  /** Days of account history before "new to the account" counts. */
  readonly matureDays: number;
  /** Identities the account must have shown before "new to the account" counts. */
  readonly matureIdentities: number;
}

/** @default hostile after failures as 2 identities; new when first seen within a day, in an account with 7 days and 3 identities of history. */
export const DEFAULT_CAMPAIGN_CONFIG: CampaignConfig = {
  failingIdentities: 2,
  newSourceSeconds: 24 * 3600,
  matureDays: 7,
  matureIdentities: 3,
};

/** Alerting finding ids remembered per campaign (a source that does not group may alert more). */
const MAX_CAMPAIGN_ALERTED = 8;
/** Identity keys remembered per campaign (the count goes on past it). */
export const MAX_CAMPAIGN_IDENTITIES = 16;
const MAX_KEY = 256;

/** A source's open campaign, as kept in its state record. */
export interface CampaignState {
  /** The incident id every identity incident of the campaign carries. */
  id: string;
  startMs: number;
  lastMs: number;
  /** Keys of the identities it touched (the first {@link MAX_CAMPAIGN_IDENTITIES}). */
  identities: string[];
  identityCount: number;
  alerts: number;
  alertedSeverity?: Severity;
  /** Ids of the findings that alerted from the source (the first {@link MAX_CAMPAIGN_ALERTED}). */
  alerted: string[];
}

/** Why a source may form a campaign, for evidence; undefined when it may not. */
export type CampaignReason = 'failing-as-many' | 'new-to-account';

/** Distinct identities the source failed authentication as since `sinceMs`, the event's own included. */
function failingIdentities(source: SourceState, event: IdentityEvent, sinceMs: number): number {
  const keys = new Set<string>();
  for (const f of source.failures) if (f.t >= sinceMs) keys.add(f.k);
  if (isAuthnFailure(event)) keys.add(event.identity.key);
  return keys.size;
}

/**
 * Whether the event's source is an address a campaign is kept for: public, outside AWS, not an AWS
 * service or a VPC endpoint. Findings from it are counted on its record whether or not they group.
 */
export function isCampaignAddress(event: IdentityEvent): boolean {
  const o = event.origin;
  return o.isIp && !o.isPrivate && !o.isAws && o.awsService === undefined && o.vpcEndpointId === undefined;
}

/**
 * Whether the event's source may group findings across identities, and why. `source` and
 * `account` are the records as they stood before the event.
 */
export function campaignReason(
  event: IdentityEvent,
  source: SourceState | undefined,
  account: PopulationRecord | undefined,
  gapSeconds: number,
  cfg: CampaignConfig,
): CampaignReason | undefined {
  if (!isCampaignAddress(event) || source === undefined) return undefined;
  const o = event.origin;
  const t = event.timeMs;
  if (failingIdentities(source, event, t - gapSeconds * 1000) >= cfg.failingIdentities)
    return 'failing-as-many';
  if (!isPopulationMature(account, t, cfg.matureDays, cfg.matureIdentities)) return undefined;
  if (o.asn === undefined) return 'new-to-account';
  const seen = getOwn(account.asns, String(o.asn));
  return seen === undefined || seen.f > t - cfg.newSourceSeconds * 1000 ? 'new-to-account' : undefined;
}

/** The campaign a finding at `atMs` joins: the source's open one when recent enough, else a new one with `newId`. */
export function campaignAt(
  current: CampaignState | undefined,
  newId: string,
  atMs: number,
  gapSeconds: number,
  maxSpanSeconds: number,
): CampaignState {
  if (
    current !== undefined &&
    atMs < current.lastMs + gapSeconds * 1000 &&
    atMs < current.startMs + maxSpanSeconds * 1000
  )
    return current;
  return { id: newId, startMs: atMs, lastMs: atMs, identities: [], identityCount: 0, alerts: 0, alerted: [] };
}

/** Whether the campaign already spans an identity other than `identityKey`. */
export const spansOthers = (c: CampaignState, identityKey: string): boolean =>
  c.identityCount > (c.identities.includes(identityKey.slice(0, MAX_KEY)) ? 1 : 0);

/** Note that an identity's finding joined the campaign at `atMs`. */
export function touchCampaign(c: CampaignState, identityKey: string, atMs: number): void {
  if (atMs > c.lastMs) c.lastMs = atMs;
  const key = identityKey.slice(0, MAX_KEY);
  if (c.identities.includes(key)) return;
  c.identityCount += 1;
  if (c.identities.length < MAX_CAMPAIGN_IDENTITIES) c.identities.push(key);
}

/** What an identity incident asks before it alerts: whether its campaign's budget allows it. */
export interface AlertGate {
  allows(f: Joining): boolean;
  /** Called once the finding alerts. */
  alerted(f: Joining): void;
}

/**
 * The campaign's alert budget as a gate. Grouping (the source is hostile or new: see
 * {@link campaignReason}), it allows the campaign's first alert, then one whose severity is above
 * every severity it alerted at, up to `maxAlerts`; not grouping, it allows what the identity's own
 * incident decides. Either way it counts the alerts, so a source that turns hostile after alerting
 * on its first identities has spent that budget. Read-only (a batch the source record already
 * holds), it changes nothing and, grouping, allows only what it recorded as alerting.
 */
export function campaignGate(
  c: CampaignState,
  maxAlerts: number,
  isGrouping: boolean,
  isReadOnly: boolean,
): AlertGate {
  return {
    allows: (f) =>
      !isGrouping ||
      c.alerted.includes(f.id) ||
      (!isReadOnly &&
        (c.alerts === 0 ||
          (c.alerts < maxAlerts &&
            c.alertedSeverity !== undefined &&
            severityRank(f.severity) > severityRank(c.alertedSeverity)))),
    alerted: (f) => {
      if (isReadOnly || c.alerted.includes(f.id)) return;
      c.alerts += 1;
      if (c.alerted.length < MAX_CAMPAIGN_ALERTED) c.alerted.push(f.id);
      if (c.alertedSeverity === undefined || severityRank(f.severity) > severityRank(c.alertedSeverity))
        c.alertedSeverity = f.severity;
    },
  };
}
