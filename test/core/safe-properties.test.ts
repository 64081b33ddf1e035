/**
 * Property tests of prototype-safe data: random override paths and random JSON documents (as
 * JSON.parse makes them, so `__proto__` is an own key) with prototype keys at random depths. An
 * unsafe key anywhere is a named error; otherwise the data merges as given; Object.prototype never
 * changes. fast-check prints the seed on failure; FC_NUM_RUNS / FC_SEED raise or replay the runs.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { App, MsbProject } from '../../src';
import { UNSAFE_KEYS, UnsafeKeyError, safeMerge } from '../../src/util/safe-object';
import { tempDir, writePackage } from '../util';

const RUNS = Number(process.env.FC_NUM_RUNS ?? 1000);
const SEED = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
const params = { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) };

const safeKey = fc.constantFrom('spec', 'template', 'metadata', 'labels', 'a', 'x1', 'allowPodSecurityViolations', 'hostNetwork', '0', 'proto', '__proto', 'constructors');
const anyKey = fc.oneof({ weight: 4, arbitrary: safeKey }, { weight: 1, arbitrary: fc.constantFrom(...UNSAFE_KEYS) });

/** Own keys Object.prototype has now: must stay the same. */
const PROTO_KEYS = Object.getOwnPropertyNames(Object.prototype).sort();
afterEach(() => {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTO_KEYS);
  expect(({} as Record<string, unknown>).allowPodSecurityViolations).toBeUndefined();
});

/** A JSON text with keys drawn from `anyKey` at random depths (JSON.parse keeps `__proto__` as an own key). */
const jsonText: fc.Arbitrary<string> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, fc.integer(), fc.constant('"v"'), fc.constant('true'), tie('object'), tie('array')),
  object: fc.array(fc.tuple(anyKey, tie('value')), { maxLength: 4 }).map((pairs) => `{${pairs.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
  array: fc.array(tie('value'), { maxLength: 3 }).map((xs) => `[${xs.join(',')}]`),
})).object as fc.Arbitrary<string>;

function hasUnsafeKey(x: unknown): boolean {
  if (Array.isArray(x)) return x.some(hasUnsafeKey);
  if (typeof x === 'object' && x !== null) return Object.keys(x).some((k) => UNSAFE_KEYS.includes(k) || hasUnsafeKey((x as Record<string, unknown>)[k]));
  return false;
}

describe('prototype-safe data (property tests)', () => {
  it(`random override paths: an unsafe segment is an UnsafeKeyError at the call, nothing else is (${RUNS} cases)`, () => {
    const dir = tempDir();
    writePackage(dir);
    const app = new App(new MsbProject({ name: 'orders-api', outdir: dir }));
    fc.assert(fc.property(fc.constantFrom('Deployment', 'Service', 'ServiceAccount') as fc.Arbitrary<'Deployment'>, fc.array(anyKey, { minLength: 1, maxLength: 6 }), (kind, keys) => {
      const unsafe = keys.some((k) => UNSAFE_KEYS.includes(k));
      let error: unknown;
      try {
        app.kubernetes.addOverride(kind, keys.join('.'), '1');
      } catch (e) {
        error = e;
      }
      if (unsafe) expect(error).toBeInstanceOf(UnsafeKeyError);
      else expect(error).toBeUndefined();
    }), params);
  });

  it(`random JSON documents merged under each other: a prototype key at any depth is an UnsafeKeyError, otherwise the data as given (${RUNS} cases)`, () => {
    fc.assert(fc.property(jsonText, jsonText, (a, b) => {
      const base = JSON.parse(a);
      const over = JSON.parse(b);
      let merged: unknown;
      let error: unknown;
      try {
        merged = safeMerge(base, over, 'msb-template.json defaults');
      } catch (e) {
        error = e;
      }
      if (hasUnsafeKey(base) || hasUnsafeKey(over)) {
        expect(error).toBeInstanceOf(UnsafeKeyError);
        expect((error as Error).message).toMatch(/^msb-template\.json defaults.*: key "(__proto__|constructor|prototype)" is not allowed/);
      } else {
        expect(error).toBeUndefined();
        expect(Object.getPrototypeOf(merged)).toBeNull();
        // every key of `over` wins; the keys only `base` has stay
        for (const k of Object.keys(over)) expect(JSON.stringify((merged as Record<string, unknown>)[k])).toBeDefined();
        for (const k of Object.keys(base)) expect(k in (merged as object)).toBe(true);
      }
    }), params);
  });
});
