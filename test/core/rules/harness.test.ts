/**
 * The rule harness: runs every rule's own cases through the real engine, batch by batch with the
 * state carried between batches like a store would, and checks every rule's metadata.
 */
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ContractSet } from '../../../lambdas/core/contracts';
import { DEFAULT_ENGINE_CONFIG, evaluate, stateKeys, type EngineConfig } from '../../../lambdas/core/engine';
import type { Finding } from '../../../lambdas/core/finding';
import type { IdentityEvent } from '../../../lambdas/core/identity-event';
import { VersionedState } from '../../support/versioned-state';
import { RULES } from '../../../lambdas/core/rules/index';
import { RULE_CASES, casesOf } from '../../../lambdas/core/rules/cases';
import type { DetectionRule, Severity, Thresholds } from '../../../lambdas/core/rules/rule';
import type { RuleCase } from '../../../lambdas/core/rules/rule-case';
import { T0, ev, repeat } from '../../../lambdas/core/rules/test-events';

const RULES_DIR = join(__dirname, '../../../lambdas/core/rules');
/** Files of the rules folder that hold test material, not rules (the bundle test proves none ships). */
const TEST_MATERIAL = ['cases.ts', 'rule-case.ts', 'raw-records.ts', 'test-events.ts'];

/** How a case's events are split into deliveries. */
type Batching = 'one event per batch' | 'batches of 7' | 'one batch';
const BATCHINGS: readonly Batching[] = ['one event per batch', 'batches of 7', 'one batch'];
const batchSize = (b: Batching, n: number): number =>
  b === 'one event per batch' ? 1 : b === 'batches of 7' ? 7 : Math.max(1, n);

/** Replay a case's events through `evaluate` with only `rule`, carrying state between batches. */
function replay(
  rule: DetectionRule,
  c: RuleCase,
  batching: Batching,
  thresholds: Thresholds | undefined = c.thresholds,
): Finding[] {
  const config: EngineConfig = {
    ...DEFAULT_ENGINE_CONFIG,
    learning: c.learning ?? DEFAULT_ENGINE_CONFIG.learning,
    thresholds: thresholds ? { [rule.id]: thresholds } : {},
  };
  const contracts = new ContractSet(c.contracts ?? []);
  const carrier = new VersionedState();
  const findings: Finding[] = [];
  const size = batchSize(batching, c.events.length);
  for (let i = 0; i < c.events.length; i += size) {
    const events: IdentityEvent[] = c.events.slice(i, i + size);
    const out = evaluate({
      batchId: `${rule.id}/${c.name}/${i}`,
      events,
      state: carrier.load(stateKeys(events)),
      rules: [rule],
      contracts,
      config,
    });
    carrier.commit(out.changes);
    findings.push(...out.findings);
  }
  return findings.filter((f) => f.ruleId === rule.id);
}

const fires = (rule: DetectionRule, c: RuleCase, thresholds?: Thresholds): boolean =>
  replay(rule, c, 'batches of 7', thresholds).length > 0;

// ---------------------------------------------------------------------------------------------
// Metadata vocabularies
// ---------------------------------------------------------------------------------------------

const SEVERITIES: readonly Severity[] = ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];

/** ASFF `Types` namespaces and their categories (Security Hub user guide, "Types taxonomy for ASFF"). */
const ASFF_TAXONOMY: Readonly<Record<string, readonly string[]>> = {
  'Software and Configuration Checks': [
    'Vulnerabilities',
    'AWS Security Best Practices',
    'Industry and Regulatory Standards',
  ],
  TTPs: [
    'Initial Access',
    'Execution',
    'Persistence',
    'Privilege Escalation',
    'Defense Evasion',
    'Credential Access',
    'Discovery',
    'Lateral Movement',
    'Collection',
    'Command and Control',
  ],
  Effects: [
    'Data Exposure',
    'Data Exfiltration',
    'Data Destruction',
    'Denial of Service',
    'Resource Consumption',
  ],
  'Unusual Behaviors': [
    'Application',
    'Network Flow',
    'IP address',
    'User',
    'VM',
    'Container',
    'Serverless',
    'Process',
    'Database',
    'Data',
  ],
  'Sensitive Data Identifications': ['PII', 'Passwords', 'Legal', 'Financial', 'Security', 'Business'],
};

/** NIST CSF 2.0 Detect subcategories (the function nhi-watch implements). */
const CSF_DETECT = [
  'DE.CM-01',
  'DE.CM-02',
  'DE.CM-03',
  'DE.CM-06',
  'DE.CM-09',
  'DE.AE-02',
  'DE.AE-03',
  'DE.AE-04',
  'DE.AE-06',
  'DE.AE-07',
  'DE.AE-08',
];

const REFERENCE_FORMS: Readonly<Record<string, RegExp>> = {
  'OWASP-NHI': /^OWASP-NHI:NHI(?:[1-9]|10)$/,
  'NIST-CSF-2.0': /^NIST-CSF-2\.0:(?:GV|ID|PR|DE|RS|RC)\.[A-Z]{2}-\d{2}$/,
  MITRE: /^MITRE:T\d{4}(?:\.\d{3})?$/,
};

const isRuleLike = (v: unknown): v is DetectionRule =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as DetectionRule).id === 'string' &&
  typeof (v as DetectionRule).detect === 'function';

const sameKind = (a: unknown, b: unknown): boolean =>
  Array.isArray(a) ? Array.isArray(b) : typeof a === typeof b && !Array.isArray(b);

// ---------------------------------------------------------------------------------------------

describe('rule catalogue', () => {
  it('lists at least one rule, each id once', () => {
    const ids = RULES.map((r) => r.id);
    expect(ids.length).toBeGreaterThan(0);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('has one file per rule, named after the rule id, and every rule file is in the catalogue', async () => {
    const files = readdirSync(RULES_DIR).filter(
      (f) => f.endsWith('.ts') && f !== 'index.ts' && !f.endsWith('.cases.ts') && !TEST_MATERIAL.includes(f),
    );
    const exported: DetectionRule[] = [];
    for (const file of files) {
      const mod = (await import(join(RULES_DIR, file))) as Record<string, unknown>;
      for (const value of Object.values(mod)) {
        if (!isRuleLike(value)) continue;
        expect({ file, id: value.id }).toEqual({ file, id: basename(file, '.ts') });
        exported.push(value);
      }
    }
    for (const rule of RULES) expect(exported).toContain(rule);
    for (const rule of exported) expect(RULES).toContain(rule);
  });

  it('has a cases file beside every rule, registered under the rule id, and no cases for a rule it lacks', () => {
    const caseFiles = readdirSync(RULES_DIR)
      .filter((f) => f.endsWith('.cases.ts'))
      .map((f) => basename(f, '.cases.ts'))
      .sort();
    const ids = RULES.map((r) => r.id).sort();

    expect(caseFiles).toEqual(ids);
    expect([...RULE_CASES.keys()].sort()).toEqual(ids);
  });

  it('gives every case event an id derived from its case, unique across the catalogue', () => {
    const ids = RULES.flatMap((r) => casesOf(r.id).flatMap((c) => c.events.map((e) => e.eventId)));
    expect(new Set(ids).size).toBe(ids.length);
    const [first] = casesOf(RULES[0]!.id);
    expect(first?.events[0]?.eventId).toBe(`${RULES[0]!.id}: ${first?.name} #0`);
  });
});

describe.each(RULES.map((r) => [r.id, r] as const))('rule %s', (_id, rule) => {
  const cases = casesOf(rule.id);
  describe('metadata', () => {
    it('has a title, a valid severity, a runbook and false-positive notes', () => {
      expect(rule.title.trim().length).toBeGreaterThan(0);
      expect(rule.title.length).toBeLessThanOrEqual(256);
      expect(SEVERITIES).toContain(rule.severity);
      expect(rule.runbook.trim().length).toBeGreaterThan(0);
      expect(rule.falsePositives.length).toBeGreaterThan(0);
      for (const fp of rule.falsePositives) expect(fp.trim().length).toBeGreaterThan(0);
    });

    it('uses ASFF types from the Security Hub taxonomy', () => {
      expect(rule.asffTypes.length).toBeGreaterThan(0);
      for (const type of rule.asffTypes) {
        const [namespace, category, ...rest] = type.split('/');
        expect(Object.keys(ASFF_TAXONOMY)).toContain(namespace);
        if (category !== undefined) expect(ASFF_TAXONOMY[namespace as string]).toContain(category);
        expect(rest.length).toBeLessThanOrEqual(1);
      }
    });

    it('references OWASP NHI, NIST CSF 2.0 and MITRE ATT&CK, each well-formed', () => {
      expect(new Set(rule.references).size).toBe(rule.references.length);
      for (const scheme of Object.keys(REFERENCE_FORMS)) {
        expect(rule.references.some((r) => r.startsWith(`${scheme}:`))).toBe(true);
      }
      for (const ref of rule.references) {
        const scheme = ref.slice(0, ref.indexOf(':'));
        expect(REFERENCE_FORMS[scheme]?.test(ref) ?? false).toBe(true);
        if (ref.startsWith('NIST-CSF-2.0:DE.'))
          expect(CSF_DETECT).toContain(ref.slice('NIST-CSF-2.0:'.length));
      }
    });

    it('has typed threshold defaults, and cases only override thresholds it declares, with the same type', () => {
      for (const [name, value] of Object.entries(rule.defaults)) {
        if (typeof value === 'number') expect(Number.isFinite(value) && value >= 0).toBe(true);
        else if (Array.isArray(value)) for (const v of value) expect(typeof v).toBe('string');
        else expect(['boolean', 'string']).toContain(typeof value);
        expect(name.length).toBeGreaterThan(0);
      }
      for (const c of cases) {
        for (const [name, value] of Object.entries(c.thresholds ?? {})) {
          expect({ case: c.name, name, declared: name in rule.defaults }).toEqual({
            case: c.name,
            name,
            declared: true,
          });
          expect(sameKind(value, rule.defaults[name])).toBe(true);
        }
      }
    });

    it('has at least two positive and two negative cases, uniquely named, with valid expected severities', () => {
      expect(cases.filter((c) => c.fires).length).toBeGreaterThanOrEqual(2);
      expect(cases.filter((c) => !c.fires).length).toBeGreaterThanOrEqual(2);
      expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
      for (const c of cases) {
        expect(c.events.length).toBeGreaterThan(0);
        if (c.severity !== undefined) {
          expect(c.fires).toBe(true);
          expect(SEVERITIES).toContain(c.severity);
        }
      }
    });

    it('has a case built from raw records (CloudTrail or access log) through the production normalisers', () => {
      const raw = cases.filter((c) => c.log !== undefined);
      expect(raw.length).toBeGreaterThanOrEqual(1);
      for (const c of raw) expect(c.events).toHaveLength(c.log?.length ?? -1);
    });

    it('states every case’s events in time order (setup and point after the history they follow)', () => {
      for (const c of cases) {
        const late = c.events.findIndex(
          (e, i) => i > 0 && e.timeMs < (c.events[i - 1] as IdentityEvent).timeMs,
        );
        expect({ case: c.name, firstEventBeforeItsPredecessor: late }).toEqual({
          case: c.name,
          firstEventBeforeItsPredecessor: -1,
        });
      }
    });

    it('shows every numeric threshold is configuration: a case overriding it changes the verdict', () => {
      for (const [name, value] of Object.entries(rule.defaults)) {
        if (typeof value !== 'number') continue;
        const flipping = cases.filter((c) => {
          if (c.thresholds?.[name] === undefined) return false;
          const withDefault: Record<string, unknown> = { ...c.thresholds };
          delete withDefault[name];
          return fires(rule, c, withDefault as Thresholds) !== c.fires;
        });
        expect({ threshold: name, casesFlippedByIt: flipping.length > 0 }).toEqual({
          threshold: name,
          casesFlippedByIt: true,
        });
      }
    });
  });

  describe.each(cases.map((c) => [c.name, c] as const))('case: %s', (_name, c) => {
    it.each(BATCHINGS)(`${c.fires ? 'fires' : 'stays quiet'} (%s)`, (batching) => {
      const findings = replay(rule, c, batching);
      expect(findings.length > 0).toBe(c.fires);
      if (!c.fires) return;
      // A positive case fires for its point, not for its setup: the case's latest event is one the rule matched.
      const latestMs = Math.max(...c.events.map((e) => e.timeMs));
      expect(findings.some((f) => f.lastSeenMs === latestMs)).toBe(true);
      for (const f of findings) {
        expect(f.summary.trim().length).toBeGreaterThan(0);
        expect(f.evidence.length).toBeGreaterThan(0);
        for (const line of f.evidence) expect(line.length).toBeLessThanOrEqual(1000);
      }
      if (c.severity !== undefined) {
        const first = [...findings].sort((a, b) => a.firstSeenMs - b.firstSeenMs)[0];
        expect(first?.severity).toBe(c.severity);
      }
    });
  });
});

describe('engine threshold configuration', () => {
  const burst = RULES.find((r) => r.id === 'auth-failure-burst');
  const failures = repeat(10, T0, 10_000, (timeMs) =>
    ev({ timeMs, outcome: { authn: 'failure', authz: 'unknown', errorCode: 'InvalidClientTokenId' } }),
  );
  const run = (thresholds: EngineConfig['thresholds']) =>
    evaluate({
      batchId: 'b1',
      events: failures,
      state: new Map(),
      rules: burst ? [burst] : [],
      contracts: new ContractSet([]),
      config: { ...DEFAULT_ENGINE_CONFIG, thresholds },
    }).findings;

  it('applies a rule’s defaults when nothing is configured', () => {
    expect(burst).toBeDefined();
    expect(run({})).toHaveLength(1);
  });

  it('lets configuration override a default: threshold 20 stays quiet on ten failures', () => {
    expect(run({ 'auth-failure-burst': { threshold: 20 } })).toHaveLength(0);
  });

  it('keeps the other defaults when one threshold is overridden', () => {
    // Only the window changes: the default threshold of 10 still applies, so ten failures in 90 s still fire…
    expect(run({ 'auth-failure-burst': { windowSeconds: 120 } })).toHaveLength(1);
    // …and a window shorter than the burst splits it below the threshold.
    expect(run({ 'auth-failure-burst': { windowSeconds: 60 } })).toHaveLength(0);
  });

  it('ignores overrides addressed to another rule', () => {
    expect(run({ 'credential-stuffing': { threshold: 20 } })).toHaveLength(1);
  });
});
