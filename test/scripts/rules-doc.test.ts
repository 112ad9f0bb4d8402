import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderRulesDoc } from '../../scripts/rules-doc';
import { RULES } from '../../lambdas/core/rules/index';

describe('docs/RULES.md', () => {
  it('matches the rules the engine runs (regenerate with `npx tsx scripts/rules-doc.ts > docs/RULES.md`)', () => {
    expect(readFileSync(join(__dirname, '../../docs/RULES.md'), 'utf8')).toBe(renderRulesDoc());
  });
  it('documents every rule with its runbook and thresholds', () => {
    const doc = renderRulesDoc();
    for (const r of RULES) {
      expect(doc).toContain(`## ${r.id}`);
      expect(doc).toContain(r.runbook);
      for (const k of Object.keys(r.defaults)) expect(doc).toContain(`\`${k}\``);
    }
  });
});
