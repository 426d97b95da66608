import { describe, expect, it } from 'vitest';
import { compileInputReader } from '../../../shared/scoring/inputReader.js';

describe('compileInputReader', () => {
  it('writes the numeric inputs in model order, NaN where a value is null, a string or absent', () => {
    const read = compileInputReader(['hour', 'amount', 'channel', 'missing', 'gone']);
    const row = new Float64Array(5).fill(7);
    read({ amount: 12.5, hour: -0, channel: 'web', missing: null }, row);
    expect(Array.from(row)).toStrictEqual([-0, 12.5, NaN, NaN, NaN]);
  });

  it('reads objects of any shape, as parsed bodies and scanned bodies differ in member order', () => {
    const read = compileInputReader(['a', 'b']);
    const row = new Float64Array(2);
    for (const features of [{ a: 1, b: 2 }, { b: 2, a: 1 }, JSON.parse('{"x":0,"b":2,"a":1}') as object]) {
      read(features as Record<string, number>, row);
      expect(Array.from(row)).toStrictEqual([1, 2]);
    }
  });

  it('takes names as data, whatever characters they hold, and never reads the prototype as a number', () => {
    const names = ['a"b', 'e\\f', 'g\nh', '${x}', '0', 'x]; throw 1; [', 'constructor', 'toString'];
    const read = compileInputReader(names);
    const row = new Float64Array(names.length);
    read(Object.fromEntries(names.slice(0, 6).map((name, i) => [name, i])), row);
    expect(Array.from(row)).toStrictEqual([0, 1, 2, 3, 4, 5, NaN, NaN]);
  });

  it('reads the same values for a model too wide to generate code for', () => {
    const names = Array.from({ length: 600 }, (_, i) => `f${i}`);
    const read = compileInputReader(names);
    const row = new Float64Array(600);
    read(Object.fromEntries(names.map((name, i) => [name, i % 2 === 0 ? i : null])), row);
    expect(row[598]).toBe(598);
    expect(row[599]).toBeNaN();
  });
});
