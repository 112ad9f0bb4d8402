/** Replays a rule's own cases through the engine from empty state, for tests that check what its findings say. */
import { ContractSet } from '../../../lambdas/core/contracts';
import { DEFAULT_ENGINE_CONFIG, evaluate } from '../../../lambdas/core/engine';
import type { Finding } from '../../../lambdas/core/finding';
import { casesOf } from '../../../lambdas/core/rules/cases';
import type { DetectionRule } from '../../../lambdas/core/rules/rule';
import type { RuleCase } from '../../../lambdas/core/rules/rule-case';

/** Run one case through the engine in one batch, from empty state. */
export function replay(rule: DetectionRule, c: RuleCase): Finding[] {
  const out = evaluate({
    batchId: `case:${c.name}`,
    events: c.events,
    state: new Map(),
    rules: [rule],
    contracts: new ContractSet(c.contracts ?? []),
    config: {
      ...DEFAULT_ENGINE_CONFIG,
      learning: c.learning ?? DEFAULT_ENGINE_CONFIG.learning,
      thresholds: c.thresholds ? { [rule.id]: c.thresholds } : {},
    },
  });
  return out.findings.filter((f) => f.ruleId === rule.id);
}

/** The rule's case whose name starts with `prefix` (a test names the case it reads, so a renamed case fails loudly). */
export function findCase(rule: DetectionRule, prefix: string): RuleCase {
  const c = casesOf(rule.id).find((t) => t.name.startsWith(prefix));
  if (!c) throw new Error(`${rule.id}: no case starting "${prefix}"`);
  return c;
}
