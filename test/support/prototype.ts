/**
 * Prototype-pollution probes: the key names a plain object answers for without holding them, and a
 * snapshot of `Object.prototype` to compare before and after feeding them through the product.
 */

/** Every own property name of `Object.prototype` (`constructor`, `toString`, `__proto__`, …) plus `prototype`. */
export const PROTOTYPE_NAMES: readonly string[] = [
  ...new Set([...Object.getOwnPropertyNames(Object.prototype), '__proto__', 'prototype']),
].sort();

/** `Object.prototype`'s own property names with their descriptors' values, and its own prototype. */
export function prototypeSnapshot(): { names: string[]; values: unknown[]; proto: unknown } {
  const names = Reflect.ownKeys(Object.prototype).map(String).sort();
  const values = names.map((n): unknown => {
    const d = Object.getOwnPropertyDescriptor(Object.prototype, n);
    // Accessors compared by identity (a replaced __proto__ getter counts as a change).
    return d === undefined ? undefined : [d.value, Reflect.get(d, 'get'), Reflect.get(d, 'set')];
  });
  return { names, values, proto: Object.getPrototypeOf(Object.prototype) };
}
