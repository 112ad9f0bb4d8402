/** The pure parts of the Security Hub findings adapter: the filters it sends and the archive copy it imports. */
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { archivedCopy, findingFilters } from '../../lambdas/adapters/security-hub-findings';
import { toAsff } from '../../lambdas/core/asff';
import { findingFor } from '../support/findings';
import { validateAsffFinding } from '../support/asff-schema';

describe('findingFilters', () => {
  it('always scopes to nhi-watch ids and generators, active records by default', () => {
    expect(findingFilters({})).toEqual({
      Id: [{ Value: 'nhi-watch/', Comparison: 'PREFIX' }],
      GeneratorId: [{ Value: 'nhi-watch/', Comparison: 'PREFIX' }],
      RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' }],
    });
  });

  it('turns rules into generator ids and identities into product-field filters', () => {
    const f = findingFilters({ ruleIds: ['new-action'], identityKeys: ['aws:1:role/x'], sinceMs: 0 });
    expect(f.GeneratorId).toEqual([{ Value: 'nhi-watch/new-action', Comparison: 'EQUALS' }]);
    expect(f.ProductFields).toEqual([
      { Key: 'nhi-watch/identityKey', Value: 'aws:1:role/x', Comparison: 'EQUALS' },
    ]);
    expect(f.LastObservedAt?.[0]?.Start).toBe('1970-01-01T00:00:00.000Z');
  });
});

describe('archivedCopy', () => {
  it("keeps the provider's members, drops the analyst's and Security Hub's, and moves UpdatedAt forward", () => {
    const imported = toAsff(findingFor(), { region: 'eu-west-1', accountId: '123456789012' });
    const kept = {
      ...imported,
      Workflow: { Status: 'NOTIFIED' },
      WorkflowState: 'ASSIGNED',
      Note: { Text: 'ticket', UpdatedBy: 'alice', UpdatedAt: imported.UpdatedAt },
      ProcessedAt: imported.UpdatedAt,
      ProductFields: { ...imported.ProductFields, 'aws/securityhub/FindingId': 'x' },
    } as unknown as AwsSecurityFinding;
    const nowIso = new Date(Date.parse(imported.UpdatedAt) + 86_400_000).toISOString();
    const copy = archivedCopy(kept, nowIso) as unknown as Record<string, unknown>;
    expect(copy.RecordState).toBe('ARCHIVED');
    expect(copy.UpdatedAt).toBe(nowIso);
    for (const k of ['Workflow', 'WorkflowState', 'Note', 'ProcessedAt']) expect(copy).not.toHaveProperty(k);
    expect(Object.keys(copy.ProductFields as object).filter((k) => k.startsWith('aws/'))).toEqual([]);
    expect(validateAsffFinding(copy)).toEqual([]);
    // A clock behind the stored UpdatedAt still yields a later one.
    const behind = archivedCopy(kept, new Date(0).toISOString());
    expect(Date.parse(behind.UpdatedAt!)).toBeGreaterThan(Date.parse(imported.UpdatedAt));
  });
});
