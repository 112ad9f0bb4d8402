/** Every detection rule of the catalogue, in DESIGN §5 order. The engine, the CLI and the harness read this list. */
import type { DetectionRule } from './rule.js';

/** The v1 catalogue. */
export const RULES: readonly DetectionRule[] = [];
