/**
 * The detection-rule interface: one rule per file, metadata and pure logic together; its cases live
 * beside it in `<rule-id>.cases.ts`, which the Lambda bundle never includes. Rules read the state
 * they are handed; they never fetch, cache or keep globals.
 */
import type { BaselineLimits, IdentityBaseline, LearningConfig, SourceState } from '../baseline.js';
import type { Reference, Severity } from '../classification.js';
import type { Contract } from '../contracts.js';
import type { IdentityEvent } from '../identity-event.js';
import type { Priors } from '../priors.js';

/** Rules name severities and references; the types live in classification.ts, under findings and rules alike. */
export type { Reference, Severity } from '../classification.js';

/** A rule threshold value. */
export type ThresholdValue = number | boolean | string | readonly string[];
/** A rule's thresholds: every one is configuration with a default. */
export type Thresholds = Readonly<Record<string, ThresholdValue>>;

/** What a rule sees for one event: the state *before* the event is folded in. */
export interface RuleContext {
  /** The identity's baseline before this event (a fresh one with eventCount 0 for a new identity). */
  readonly baseline: IdentityBaseline;
  /**
   * Per-source state for the event's source IP, before this event, when the engine keeps one. The
   * pipeline reads it only where it can change an outcome (engine.ts sourceKeysNeeded): failures,
   * public addresses outside AWS, and the calls of an identity that is new, has failures, or calls
   * from a network its baseline does not hold. Elsewhere it is an empty record: a rule reading it
   * must decide nothing from it there.
   */
  readonly source: SourceState | undefined;
  /** Whether the identity has its learning period behind it. */
  readonly isLearned: boolean;
  /** The contract that applies to this identity, if any. */
  readonly contract: Contract | undefined;
  /** This rule's thresholds: defaults overlaid with configuration. */
  readonly thresholds: Thresholds;
  readonly learning: LearningConfig;
  /** The baseline caps and windows the records were folded with. */
  readonly limits: BaselineLimits;
  /**
   * The identity's populations before this event — its account and its kind of workload in the
   * account — or undefined for AWS services and callers without an account. A new identity is
   * judged against them from its first event.
   */
  readonly priors: Priors | undefined;
}

/** A rule's verdict on one event. */
export interface RuleMatch {
  /**
   * What makes this finding distinct for the identity within a window (e.g. the new ASN, the
   * credential id). Same discriminator + window → one finding whose count rises.
   */
  readonly discriminator: string;
  /** One line for humans: what happened. */
  readonly summary: string;
  /** The baseline facts broken, one per line ("first call from AS14061; seen before: AS16509 (41k calls)"). */
  readonly evidence: readonly string[];
  /** Overrides the rule's severity when the case is stronger or weaker. */
  readonly severity?: Severity;
  /** Further distinct findings from the same event (each its own finding id and alert decision). */
  readonly also?: readonly RuleMatch[];
  /**
   * Distinct values this match covers when one finding stands for many (`allowedActions: iam:ListUsers`):
   * merged into the finding across events, each new one a fact of the incident.
   */
  readonly items?: readonly string[];
  /** Population priors the rule consulted, for the finding's maturity (`first in account 123…`). */
  readonly priors?: readonly string[];
}

/** A detection rule. */
export interface DetectionRule {
  /** Equals the file name. */
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  /** ASFF Types (`namespace/category/classifier`). */
  readonly asffTypes: readonly string[];
  readonly references: readonly Reference[];
  readonly falsePositives: readonly string[];
  /** What the responder does first. */
  readonly runbook: string;
  /** Threshold defaults. */
  readonly defaults: Thresholds;
  /** Whether the rule stays quiet until the identity's learning period is over. */
  readonly needsLearning: boolean;
  /** Pure detection on one event. */
  readonly detect: (event: IdentityEvent, ctx: RuleContext) => RuleMatch | undefined;
}

/** Read a numeric threshold (programmer error if the rule's defaults lack it). */
export function num(t: Thresholds, name: string): number {
  const v = t[name];
  if (typeof v !== 'number') throw new TypeError(`threshold ${name} is not a number`);
  return v;
}

/** Read a list threshold. */
export function list(t: Thresholds, name: string): readonly string[] {
  const v = t[name];
  if (!Array.isArray(v)) throw new TypeError(`threshold ${name} is not a list`);
  return v as readonly string[];
}

/** Read a boolean threshold. */
export function flag(t: Thresholds, name: string): boolean {
  const v = t[name];
  if (typeof v !== 'boolean') throw new TypeError(`threshold ${name} is not a boolean`);
  return v;
}
