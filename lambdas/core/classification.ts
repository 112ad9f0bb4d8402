/**
 * How a finding is classified: its severity and the framework references it maps to. Rules declare
 * them and findings, ASFF and alerts carry them, so they live below both (no finding → rule import).
 */

/** Severity labels as Security Hub uses them. */
export type Severity = 'INFORMATIONAL' | 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';

/** ATT&CK / OWASP NHI / NIST CSF references, `SCHEME:ID`. */
export type Reference = `OWASP-NHI:NHI${number}` | `NIST-CSF-2.0:${string}` | `MITRE:T${string}`;
