/**
 * Which log groups matched by a name prefix get nhi-watch's subscription filter. Pure: the caller lists the
 * groups and their filters; this decides, minding CloudWatch Logs' limit of two filters per log group.
 */

/** CloudWatch Logs allows at most this many subscription filters on one log group. */
export const MAX_SUBSCRIPTION_FILTERS_PER_LOG_GROUP = 2;

/** A subscription filter as CloudWatch Logs describes it. */
export interface ExistingFilter {
  readonly filterName: string;
  readonly destinationArn: string;
}

/** A log group and the subscription filters it already has. */
export interface LogGroupFilters {
  readonly logGroupName: string;
  readonly filters: readonly ExistingFilter[];
}

/** What nhi-watch wants: its filter, by name, delivering to its function, on every matching group. */
export interface SubscriptionTarget {
  readonly filterName: string;
  readonly destinationArn: string;
  readonly prefixes: readonly string[];
  /**
   * Groups this pass leaves alone even when a prefix matches: nhi-watch's own function logs (a function
   * must never consume its own output) and groups the stack subscribes by name itself.
   */
  readonly excludedLogGroups: readonly string[];
}

/** Why a matching log group was left without nhi-watch's filter. */
export type SkipReason = 'no-free-slot';

/** The decision for one pass over a set of log groups. */
export interface SubscriptionPlan {
  /** Groups that get nhi-watch's filter (new, or replacing a stale one of the same name). */
  readonly subscribe: readonly string[];
  /** Groups already delivering to nhi-watch's function. */
  readonly unchanged: readonly string[];
  /** Groups that match a prefix but cannot be subscribed: the operator must free a slot. */
  readonly skipped: readonly { readonly logGroupName: string; readonly reason: SkipReason }[];
}

/** True when `logGroupName` starts with one of the target's prefixes and is not excluded. */
export const isInScope = (target: SubscriptionTarget, logGroupName: string): boolean =>
  target.prefixes.some((prefix) => logGroupName.startsWith(prefix)) &&
  !target.excludedLogGroups.includes(logGroupName);

/**
 * Decides, for each group matching a prefix, whether to subscribe it. A filter with nhi-watch's name is
 * replaced in place (it occupies a slot already); a group whose two slots hold other filters is skipped
 * and reported, never has another team's filter removed.
 */
export const planSubscriptions = (
  target: SubscriptionTarget,
  groups: readonly LogGroupFilters[],
): SubscriptionPlan => {
  const subscribe: string[] = [];
  const unchanged: string[] = [];
  const skipped: { logGroupName: string; reason: SkipReason }[] = [];
  for (const group of groups) {
    if (!isInScope(target, group.logGroupName)) continue;
    if (group.filters.some((f) => f.destinationArn === target.destinationArn)) {
      unchanged.push(group.logGroupName);
      continue;
    }
    const hasOwnSlot = group.filters.some((f) => f.filterName === target.filterName);
    if (hasOwnSlot || group.filters.length < MAX_SUBSCRIPTION_FILTERS_PER_LOG_GROUP) {
      subscribe.push(group.logGroupName);
    } else {
      skipped.push({ logGroupName: group.logGroupName, reason: 'no-free-slot' });
    }
  }
  return { subscribe, unchanged, skipped };
};

/**
 * The groups whose filter nhi-watch removes when it is torn down: only filters it created (its name and
 * its destination), so a filter someone else added by hand survives.
 */
export const planUnsubscriptions = (
  target: SubscriptionTarget,
  groups: readonly LogGroupFilters[],
): string[] =>
  groups
    .filter(
      (group) =>
        isInScope(target, group.logGroupName) &&
        group.filters.some(
          (f) => f.filterName === target.filterName && f.destinationArn === target.destinationArn,
        ),
    )
    .map((group) => group.logGroupName);

/** Outcome of putting nhi-watch's filter on one group: CloudWatch Logs may refuse it when the slots filled up meanwhile. */
export type PutFilterOutcome = 'subscribed' | 'no-free-slot';

/** Port to CloudWatch Logs' subscription administration; the adapter wraps the SDK. */
export interface LogSubscriptionAdmin {
  /** Every log group whose name starts with `prefix`. */
  listLogGroups(prefix: string): Promise<string[]>;
  /** The group's subscription filters; an empty list when the group no longer exists. */
  listFilters(logGroupName: string): Promise<ExistingFilter[]>;
  /** Creates or replaces the named filter, delivering every event to `destinationArn`. */
  putFilter(logGroupName: string, filterName: string, destinationArn: string): Promise<PutFilterOutcome>;
  /** Deletes the named filter; a filter or group already gone is not an error. */
  deleteFilter(logGroupName: string, filterName: string): Promise<void>;
}

/** What a reconciliation pass did, for logs, metrics and the CloudFormation response. */
export interface ReconcileResult {
  readonly subscribed: readonly string[];
  readonly unchanged: readonly string[];
  /** Groups matching a prefix that already have two other filters. */
  readonly noFreeSlot: readonly string[];
}

const describeGroups = async (
  admin: LogSubscriptionAdmin,
  names: readonly string[],
): Promise<LogGroupFilters[]> => {
  const groups: LogGroupFilters[] = [];
  for (const logGroupName of names)
    groups.push({ logGroupName, filters: await admin.listFilters(logGroupName) });
  return groups;
};

const listInScope = async (admin: LogSubscriptionAdmin, target: SubscriptionTarget): Promise<string[]> => {
  const names = new Set<string>();
  for (const prefix of target.prefixes) for (const name of await admin.listLogGroups(prefix)) names.add(name);
  return [...names].filter((name) => isInScope(target, name)).sort();
};

const applyPlan = async (
  admin: LogSubscriptionAdmin,
  target: SubscriptionTarget,
  plan: SubscriptionPlan,
): Promise<ReconcileResult> => {
  const subscribed: string[] = [];
  const noFreeSlot = plan.skipped.map((s) => s.logGroupName);
  for (const name of plan.subscribe) {
    const outcome = await admin.putFilter(name, target.filterName, target.destinationArn);
    if (outcome === 'subscribed') subscribed.push(name);
    else noFreeSlot.push(name);
  }
  return { subscribed, unchanged: plan.unchanged, noFreeSlot };
};

/**
 * Brings every log group matching the target's prefixes (or only `onlyLogGroup`, for a group just created)
 * in line with the plan. Groups are handled one at a time: the API's rate limits are per account.
 */
export const reconcileSubscriptions = async (
  admin: LogSubscriptionAdmin,
  target: SubscriptionTarget,
  onlyLogGroup?: string,
): Promise<ReconcileResult> => {
  const names =
    onlyLogGroup === undefined
      ? await listInScope(admin, target)
      : isInScope(target, onlyLogGroup)
        ? [onlyLogGroup]
        : [];
  return applyPlan(admin, target, planSubscriptions(target, await describeGroups(admin, names)));
};

/** Removes the filters nhi-watch created on groups matching the target's prefixes; returns those groups. */
export const removeSubscriptions = async (
  admin: LogSubscriptionAdmin,
  target: SubscriptionTarget,
): Promise<string[]> => {
  const groups = await describeGroups(admin, await listInScope(admin, target));
  const names = planUnsubscriptions(target, groups);
  for (const name of names) await admin.deleteFilter(name, target.filterName);
  return names;
};
