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
  const values = names.map((n) => {
    const d = Object.getOwnPropertyDescriptor(Object.prototype, n);
    return d ? (d.value ?? d.get ?? d.set) : undefined;
  });
  return { names, values, proto: Object.getPrototypeOf(Object.prototype) };
}
