/**
 * Maps keyed by observed values (credential ids, networks, scopes, user-agent families, role
 * ARNs…) as null-prototype objects. Every such key is attacker-chosen: on a plain `{}` a key named
 * `__proto__`, `constructor` or `toString` reads a built-in, throws, or writes onto
 * `Object.prototype`. A {@link SafeRecord} has no prototype and its type has no index signature, so
 * `record[key]` does not compile: reads and writes go through the own-property helpers below.
 *
 * Null-prototype objects (rather than `Map`) because baselines are stored as JSON: they encode
 * with `JSON.stringify` unchanged; decoding restores the null prototype ({@link toSafeRecord}).
 */

declare const safeRecordBrand: unique symbol;

/** A string-keyed map with no prototype; read and written only through this module's helpers. */
export interface SafeRecord<V> {
  readonly [safeRecordBrand]: V;
}

type Raw<V> = Record<string, V>;
const raw = <V>(r: SafeRecord<V>): Raw<V> => r as unknown as Raw<V>;

/** A new empty record (no prototype). */
export const emptyRecord = <V>(): SafeRecord<V> => Object.create(null) as SafeRecord<V>;

/** The value under `key`, own properties only (a key named `constructor` is not "present" unless set). */
export function getOwn<V>(r: SafeRecord<V>, key: string): V | undefined {
  return Object.hasOwn(r, key) ? raw(r)[key] : undefined;
}

/** Whether `key` is present (own property). */
export const hasOwn = <V>(r: SafeRecord<V>, key: string): boolean => Object.hasOwn(r, key);

/**
 * Set `key` as an own property. Plain assignment is safe because the record has no prototype: no
 * `__proto__` setter or read-only built-in is in reach (every SafeRecord comes from
 * {@link emptyRecord} or {@link toSafeRecord}).
 */
export function setOwn<V>(r: SafeRecord<V>, key: string, value: V): void {
  raw(r)[key] = value;
}

/** Remove `key`. */
export function deleteOwn<V>(r: SafeRecord<V>, key: string): void {
  delete raw(r)[key];
}

/** The record's keys, in insertion order. */
export const keysOf = <V>(r: SafeRecord<V>): string[] => Object.keys(r);

/** The record's entries, in insertion order. */
export const entriesOf = <V>(r: SafeRecord<V>): [string, V][] => Object.entries(raw(r));

/** The record's values, in insertion order. */
export const valuesOf = <V>(r: SafeRecord<V>): V[] => Object.values(raw(r));

/** Number of keys. */
export const sizeOf = <V>(r: SafeRecord<V>): number => Object.keys(r).length;

/** A record holding these entries (later duplicates win). */
export function recordOf<V>(entries: Iterable<readonly [string, V]>): SafeRecord<V> {
  const r = emptyRecord<V>();
  for (const [k, v] of entries) setOwn(r, k, v);
  return r;
}

/**
 * The decoded form of a record: a JSON-parsed object (own keys, possibly `__proto__`) given a
 * null prototype in place, values mapped by `revive`. Anything that is not a plain object (a
 * corrupt or missing field) becomes an empty record.
 */
export function toSafeRecord<V>(value: unknown, revive?: (v: unknown) => V): SafeRecord<V> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return emptyRecord<V>();
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== null && proto !== Object.prototype) return emptyRecord<V>();
  if (proto !== null) Object.setPrototypeOf(value, null);
  const r = value as SafeRecord<V>;
  if (revive) for (const k of Object.keys(r)) setOwn(r, k, revive(raw(r)[k]));
  return r;
}

/** A counter keyed by observed values (reject reasons, tallies): add one to `key`. */
export function countInto(r: SafeRecord<number>, key: string, by = 1): void {
  setOwn(r, key, (getOwn(r, key) ?? 0) + by);
}
