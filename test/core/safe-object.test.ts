import { describe, expect, it } from 'vitest';
import { UnsafeKeyError, assertSafeData, safeMerge } from '../../src/util/safe-object';

describe('safeMerge', () => {
  it('merges objects deeply into null-prototype objects; arrays and scalars replace; undefined keeps', () => {
    const out = safeMerge({ a: { b: 1, c: [1] }, d: 'x' }, { a: { c: [2], e: 3 }, d: undefined });
    expect(JSON.parse(JSON.stringify(out))).toEqual({ a: { b: 1, c: [2], e: 3 }, d: 'x' });
    expect(Object.getPrototypeOf(out)).toBeNull();
    expect(Object.getPrototypeOf(out.a)).toBeNull();
  });

  it.each(['__proto__', 'constructor', 'prototype'])('rejects %s at any depth with UnsafeKeyError and leaves Object.prototype alone', (key) => {
    const over = JSON.parse(`{"kubernetes": {"${key}": {"polluted": true}}}`);
    expect(() => safeMerge({ kubernetes: {} }, over, 'props')).toThrow(UnsafeKeyError);
    expect(() => safeMerge({ kubernetes: {} }, over, 'props')).toThrow(`props.kubernetes: key "${key}" is not allowed`);
    expect(() => safeMerge({}, JSON.parse(`{"x": [{"${key}": 1}]}`))).toThrow(UnsafeKeyError);
    expect(() => assertSafeData(JSON.parse(`{"a": {"${key}": 1}}`), 'f.json')).toThrow(`f.json.a: key "${key}"`);
    expect(({} as any).polluted).toBeUndefined();
  });
});
