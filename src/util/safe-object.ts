/**
 * Prototype-safe data: merges and override paths build null-prototype objects and refuse the keys
 * that would reach `Object.prototype` (or a constructor) instead of the data: `__proto__`,
 * `constructor` and `prototype`. Inputs from outside (JSON files, props read from JSON, escape-hatch
 * paths) go through here, so no key can change how every other object in the process behaves.
 */

import { markMsbError } from '../validation';

/** Keys that address an object's prototype or constructor rather than its data. */
export const UNSAFE_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype'];

/** Raised for a key that would reach a prototype; names where the key was found. */
export class UnsafeKeyError extends Error {
  constructor(
    /** Where the key was found, e.g. `msb-template.json defaults.kubernetes`. */
    public readonly where: string,
    public readonly key: string,
  ) {
    super(`${where}: key "${key}" is not allowed (${UNSAFE_KEYS.map((k) => `"${k}"`).join(', ')} would change every object's prototype, not this data); rename or remove it`);
    markMsbError(this);
    this.name = 'UnsafeKeyError';
  }
}

/** Whether `key` is one of {@link UNSAFE_KEYS}. */
export function isUnsafeKey(key: string): boolean {
  return UNSAFE_KEYS.includes(key);
}

/** Throws {@link UnsafeKeyError} when `key` is unsafe. */
export function assertSafeKey(key: string, where: string): void {
  if (isUnsafeKey(key)) throw new UnsafeKeyError(where, key);
}

/** A plain data object (not null, not an array). */
export function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Throws {@link UnsafeKeyError} for the first unsafe key anywhere in `value` (own keys, at any depth). */
export function assertSafeData(value: unknown, where: string): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => assertSafeData(v, `${where}[${i}]`));
  } else if (isPlainObject(value)) {
    for (const key of Object.keys(value)) {
      assertSafeKey(key, where);
      assertSafeData(value[key], where ? `${where}.${key}` : key);
    }
  }
}

/**
 * Deep merge: objects merge (into new null-prototype objects), anything else from `over` replaces
 * `base`, `undefined` in `over` keeps `base`. An unsafe key in either input is an {@link UnsafeKeyError}.
 */
export function safeMerge<T>(base: T, over: unknown, where = 'value'): T {
  if (!isPlainObject(base) || !isPlainObject(over)) {
    if (over === undefined) {
      assertSafeData(base, where);
      return base;
    }
    assertSafeData(over, where);
    return over as T;
  }
  const out: Record<string, unknown> = Object.create(null);
  for (const key of Object.keys(base)) {
    assertSafeKey(key, where);
    // a nested key of `base` that `over` does not touch is copied as it is: check it all the same
    assertSafeData(base[key], `${where}.${key}`);
    out[key] = base[key];
  }
  for (const key of Object.keys(over)) {
    assertSafeKey(key, where);
    const v = over[key];
    if (v !== undefined) out[key] = safeMerge(out[key], v, `${where}.${key}`);
  }
  return out as T;
}
