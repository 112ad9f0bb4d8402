/**
 * Small, allocation-free readers for untrusted JSON. Logs arrive with missing fields, wrong types
 * and placeholder values; these return `undefined` instead of throwing so normalisers stay total.
 */

/** A JSON object as parsed from an untrusted log line. */
export type JsonObject = Readonly<Record<string, unknown>>;

/** The value if it is a plain (non-array) object. */
export function asObject(value: unknown): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as JsonObject)
    : undefined;
}

/** The value if it is a non-empty string; numbers and booleans are rendered, everything else is undefined. */
export function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value.length > 0 ? value : undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return undefined;
}

/** Like {@link asText} but also treats API Gateway's `-` (variable empty) as absent. */
export function asLoggedText(value: unknown): string | undefined {
  const text = asText(value);
  return text === '-' ? undefined : text;
}

/** `true` / `"true"` → true, `false` / `"false"` → false, anything else undefined. */
export function asFlag(value: unknown): boolean | undefined {
  if (value === true || value === 'true' || value === 'True' || value === 'TRUE') return true;
  if (value === false || value === 'false' || value === 'False' || value === 'FALSE') return false;
  return undefined;
}

/** An integer from a number or a decimal string (API Gateway logs every variable as a string). */
export function asInteger(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > 16) return undefined;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  return Number(value);
}

/** Cap attacker-controlled text kept in an event so one hostile line cannot bloat a batch. */
export function capped(text: string, maxChars: number): string {
  return text.length <= maxChars ? text : text.slice(0, maxChars);
}
