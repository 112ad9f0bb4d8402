/**
 * nhi-watch's findings in Security Hub, for the analyst (`nhi-watch findings`): list and filter
 * them (GetFindings), set their workflow status with a note (BatchUpdateFindings, the customer's
 * channel), and archive the ones that stopped recurring (a provider re-import with
 * `RecordState: ARCHIVED`, the provider's channel — nhi-watch never touches Workflow on import).
 *
 * nhi-watch's findings are the ones whose Id and GeneratorId start with `nhi-watch/` (both set by
 * nhi-watch, in the account's default product); with a known account and region the default
 * product ARN narrows it further.
 */
import {
  BatchImportFindingsCommand,
  BatchUpdateFindingsCommand,
  GetFindingsCommand,
  type AwsSecurityFinding,
  type AwsSecurityFindingFilters,
  type SecurityHubClient,
  type StringFilter,
} from '@aws-sdk/client-securityhub';

/** Prefix of every nhi-watch finding Id and GeneratorId. */
export const NHI_WATCH_PREFIX = 'nhi-watch/';

/** Workflow statuses an analyst sets. */
export const WORKFLOW_STATUSES = ['NEW', 'NOTIFIED', 'RESOLVED', 'SUPPRESSED'] as const;
/** One workflow status. */
export type WorkflowStatus = (typeof WORKFLOW_STATUSES)[number];

/** What to list. Every field narrows; absent means any. */
export interface FindingQuery {
  /** Exact severity labels (any of them). */
  readonly severities?: readonly string[];
  /** Rule ids (any of them). */
  readonly ruleIds?: readonly string[];
  /** Identity keys, exactly as nhi-watch writes them (`aws:123456789012:role/x`). */
  readonly identityKeys?: readonly string[];
  /** Accounts whose Security Hub holds the finding (AwsAccountId). */
  readonly accountIds?: readonly string[];
  /** Only findings last observed at or after this time (epoch ms). */
  readonly sinceMs?: number;
  /** Only findings last observed before this time (epoch ms). */
  readonly untilMs?: number;
  readonly workflowStatuses?: readonly WorkflowStatus[];
  /** @default ['ACTIVE'] */
  readonly recordStates?: readonly ('ACTIVE' | 'ARCHIVED')[];
  /** The default product ARN to restrict to, when the account and region are known. */
  readonly productArn?: string;
  /** Specific finding ids. */
  readonly ids?: readonly string[];
}

/** A Security Hub call that failed, with the operation named. */
export class SecurityHubFindingsError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SecurityHubFindingsError';
  }
}

const eq = (Value: string): StringFilter => ({ Value, Comparison: 'EQUALS' });

/** The GetFindings filters of a query: always scoped to nhi-watch's findings. */
export function findingFilters(q: FindingQuery): AwsSecurityFindingFilters {
  const f: AwsSecurityFindingFilters = {
    Id: q.ids && q.ids.length > 0 ? q.ids.map(eq) : [{ Value: NHI_WATCH_PREFIX, Comparison: 'PREFIX' }],
    GeneratorId:
      q.ruleIds && q.ruleIds.length > 0
        ? q.ruleIds.map((r) => eq(`${NHI_WATCH_PREFIX}${r}`))
        : [{ Value: NHI_WATCH_PREFIX, Comparison: 'PREFIX' }],
    RecordState: (q.recordStates ?? ['ACTIVE']).map(eq),
  };
  if (q.productArn !== undefined) f.ProductArn = [eq(q.productArn)];
  if (q.severities && q.severities.length > 0) f.SeverityLabel = q.severities.map(eq);
  if (q.accountIds && q.accountIds.length > 0) f.AwsAccountId = q.accountIds.map(eq);
  if (q.workflowStatuses && q.workflowStatuses.length > 0) f.WorkflowStatus = q.workflowStatuses.map(eq);
  if (q.identityKeys && q.identityKeys.length > 0)
    f.ProductFields = q.identityKeys.map((Value) => ({
      Key: `${NHI_WATCH_PREFIX}identityKey`,
      Value,
      Comparison: 'EQUALS',
    }));
  if (q.sinceMs !== undefined || q.untilMs !== undefined) {
    const range: { Start?: string; End?: string } = {};
    if (q.sinceMs !== undefined) range.Start = new Date(q.sinceMs).toISOString();
    range.End = new Date(q.untilMs ?? Date.UTC(9999, 0)).toISOString();
    if (range.Start === undefined) range.Start = new Date(0).toISOString();
    f.LastObservedAt = [range];
  }
  return f;
}

/** Result of a workflow update. */
export interface UpdateResult {
  readonly updated: readonly string[];
  /** Ids Security Hub refused, with its reason; ids not found among nhi-watch's findings. */
  readonly failed: readonly { readonly id: string; readonly reason: string }[];
}

/** Members a provider re-import carries: what nhi-watch itself imports (never the analyst's fields). */
const PROVIDER_MEMBERS = [
  'SchemaVersion',
  'Id',
  'ProductArn',
  'ProductName',
  'CompanyName',
  'GeneratorId',
  'AwsAccountId',
  'Types',
  'CreatedAt',
  'UpdatedAt',
  'FirstObservedAt',
  'LastObservedAt',
  'Severity',
  'Title',
  'Description',
  'Remediation',
  'SourceUrl',
  'ProductFields',
  'Resources',
  'Compliance',
  'RecordState',
  'Action',
  'FindingProviderFields',
] as const;

/** The finding as nhi-watch would import it, archived: analyst and Security Hub fields left out. */
export function archivedCopy(f: AwsSecurityFinding, nowIso: string): AwsSecurityFinding {
  const out: Record<string, unknown> = {};
  for (const k of PROVIDER_MEMBERS) if (f[k] !== undefined) out[k] = f[k];
  if (f.ProductFields) {
    // Keys under aws/ are Security Hub's own (aws/securityhub/FindingId, ProductName, …).
    out.ProductFields = Object.fromEntries(
      Object.entries(f.ProductFields).filter(([k]) => !k.startsWith('aws/')),
    );
  }
  // Security Hub requires a strictly later UpdatedAt for the import to take effect.
  const later = f.UpdatedAt !== undefined && Date.parse(f.UpdatedAt) >= Date.parse(nowIso);
  out.UpdatedAt = later ? new Date(Date.parse(f.UpdatedAt as string) + 1000).toISOString() : nowIso;
  out.RecordState = 'ARCHIVED';
  return out as unknown as AwsSecurityFinding;
}

/** Lists, triages and archives nhi-watch findings through the Security Hub API. */
export class SecurityHubFindings {
  constructor(private readonly client: SecurityHubClient) {}

  /** Findings matching the query, most recently updated first, at most `limit`. */
  async list(query: FindingQuery, limit = 100): Promise<AwsSecurityFinding[]> {
    const out: AwsSecurityFinding[] = [];
    let token: string | undefined;
    do {
      const page = await this.call('GetFindings', () =>
        this.client.send(
          new GetFindingsCommand({
            Filters: findingFilters(query),
            SortCriteria: [{ Field: 'UpdatedAt', SortOrder: 'desc' }],
            MaxResults: Math.min(100, limit - out.length),
            ...(token !== undefined ? { NextToken: token } : {}),
          }),
        ),
      );
      out.push(...(page.Findings ?? []));
      token = page.NextToken !== undefined && page.NextToken !== '' ? page.NextToken : undefined;
    } while (token !== undefined && out.length < limit);
    return out.slice(0, limit);
  }

  /** Set the workflow status (and a note) of nhi-watch findings by id. */
  async updateWorkflow(
    ids: readonly string[],
    status: WorkflowStatus,
    note?: { readonly text: string; readonly updatedBy: string },
  ): Promise<UpdateResult> {
    const failed: { id: string; reason: string }[] = [];
    const updated: string[] = [];
    for (let i = 0; i < ids.length; i += 100) {
      const chunk = ids.slice(i, i + 100);
      const found = await this.list({ ids: chunk, recordStates: ['ACTIVE', 'ARCHIVED'] }, chunk.length);
      const arnById = new Map(found.map((f) => [f.Id as string, f.ProductArn as string]));
      for (const id of chunk)
        if (!arnById.has(id)) failed.push({ id, reason: 'not found among nhi-watch findings' });
      if (arnById.size === 0) continue;
      const result = await this.call('BatchUpdateFindings', () =>
        this.client.send(
          new BatchUpdateFindingsCommand({
            FindingIdentifiers: [...arnById].map(([Id, ProductArn]) => ({ Id, ProductArn })),
            Workflow: { Status: status },
            ...(note ? { Note: { Text: note.text, UpdatedBy: note.updatedBy } } : {}),
          }),
        ),
      );
      for (const p of result.ProcessedFindings ?? []) if (p.Id !== undefined) updated.push(p.Id);
      for (const u of result.UnprocessedFindings ?? [])
        failed.push({
          id: u.FindingIdentifier?.Id ?? '?',
          reason: `${u.ErrorCode ?? 'error'}: ${u.ErrorMessage ?? ''}`.trim(),
        });
    }
    return { updated, failed };
  }

  /**
   * Archive active nhi-watch findings not observed since `olderThanMs` (epoch ms): re-import each
   * as its provider with RecordState ARCHIVED. A finding that recurs later is imported again by
   * the pipeline as ACTIVE. Returns the ids archived and those Security Hub refused.
   */
  async archiveStale(
    olderThanMs: number,
    nowMs: number,
    options: { readonly dryRun?: boolean; readonly limit?: number; readonly productArn?: string } = {},
  ): Promise<UpdateResult> {
    const stale = await this.list(
      {
        untilMs: olderThanMs,
        recordStates: ['ACTIVE'],
        ...(options.productArn !== undefined ? { productArn: options.productArn } : {}),
      },
      options.limit ?? 10_000,
    );
    if (options.dryRun === true) return { updated: stale.map((f) => f.Id as string), failed: [] };
    const nowIso = new Date(nowMs).toISOString();
    const updated: string[] = [];
    const failed: { id: string; reason: string }[] = [];
    for (let i = 0; i < stale.length; i += 100) {
      const chunk = stale.slice(i, i + 100).map((f) => archivedCopy(f, nowIso));
      const result = await this.call('BatchImportFindings', () =>
        this.client.send(new BatchImportFindingsCommand({ Findings: chunk })),
      );
      const refused = new Set<string>();
      for (const f of result.FailedFindings ?? []) {
        refused.add(f.Id ?? '');
        failed.push({ id: f.Id ?? '?', reason: `${f.ErrorCode ?? 'error'}: ${f.ErrorMessage ?? ''}`.trim() });
      }
      for (const f of chunk) if (!refused.has(f.Id as string)) updated.push(f.Id as string);
    }
    return { updated, failed };
  }

  private async call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw new SecurityHubFindingsError(`Security Hub ${operation} failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
}
