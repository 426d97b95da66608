import { describe, expect, it } from 'vitest';
import type { ContractFeature } from '../../../../shared/contracts/eventContract.js';
import { SCANNED_KIND, type ScannedFeatures } from '../../../../shared/json/scannedFeatures.js';
import { compileFeatureObjectBuilder } from '../../../../shared/contracts/fast/featureObjectBuilder.js';

function scanned(entries: Array<[kind: number, value: number | string | undefined]>): ScannedFeatures {
  return {
    kinds: Uint8Array.from(entries.map(([kind]) => kind)),
    numbers: Float64Array.from(entries.map(([, v]) => (typeof v === 'number' ? v : 0))),
    strings: entries.map(([, v]) => (typeof v === 'string' ? v : undefined)),
  };
}

const features = (names: string[], type: ContractFeature['type'] = 'numeric'): ContractFeature[] =>
  names.map((name) => ({ name, type }));

describe('compileFeatureObjectBuilder', () => {
  it('builds every feature in profile order: numbers, strings, and null for null or absent values', () => {
    const build = compileFeatureObjectBuilder([
      { name: 'amount', type: 'numeric' },
      { name: 'channel', type: 'categorical' },
      { name: 'hour', type: 'numeric' },
      { name: 'country', type: 'categorical' },
      { name: 'zero', type: 'numeric' },
    ]);
    const built = build(
      scanned([
        [SCANNED_KIND.number, 12.5],
        [SCANNED_KIND.string, 'web'],
        [SCANNED_KIND.null, undefined],
        [SCANNED_KIND.absent, undefined],
        [SCANNED_KIND.number, -0],
      ]),
    );
    expect(Object.entries(built)).toStrictEqual([
      ['amount', 12.5],
      ['channel', 'web'],
      ['hour', null],
      ['country', null],
      ['zero', -0],
    ]);
  });

  it('gives every event its own object', () => {
    const build = compileFeatureObjectBuilder(features(['a']));
    const values = scanned([[SCANNED_KIND.number, 1]]);
    const first = build(values);
    values.numbers[0] = 2;
    expect(first).toStrictEqual({ a: 1 });
    expect(build(values)).toStrictEqual({ a: 2 });
  });

  it('takes names as data, whatever characters they hold', () => {
    const names = ['a"b', "c'd", 'e\\f', 'g\nh', '${x}', '0', '1e3', 'constructor', 'x}; throw 1; {'];
    const build = compileFeatureObjectBuilder(features(names));
    const built = build(scanned(names.map((_, i) => [SCANNED_KIND.number, i])));
    expect(Object.keys(built).sort()).toStrictEqual([...names].sort());
    names.forEach((name, i) => expect(built[name]).toBe(i));
  });

  it('refuses a feature called __proto__, which an object literal or an assignment would take as the prototype', () => {
    expect(() => compileFeatureObjectBuilder(features(['b', '__proto__']))).toThrow(
      'feature name "__proto__" is reserved',
    );
    // Wide profiles too, whose generic loop assigns by name.
    const wide = [...Array.from({ length: 600 }, (_, i) => `f${i}`), '__proto__'];
    expect(() => compileFeatureObjectBuilder(features(wide))).toThrow('feature name "__proto__" is reserved');
  });

  it('keeps features named as Object.prototype members (constructor, toString) as own features', () => {
    for (const names of [
      ['constructor', 'toString'],
      [...Array.from({ length: 600 }, (_, i) => `f${i}`), 'constructor'],
    ]) {
      const build = compileFeatureObjectBuilder(features(names));
      const built = build(scanned(names.map((_, i) => [SCANNED_KIND.number, i])));
      expect(Object.getPrototypeOf(built)).toBe(Object.prototype);
      expect(Object.getOwnPropertyDescriptor(built, 'constructor')?.value).toBe(names.indexOf('constructor'));
    }
  });

  it('builds the same objects for a profile too wide to generate code for', () => {
    const names = Array.from({ length: 600 }, (_, i) => `f${i}`);
    const build = compileFeatureObjectBuilder(features(names));
    const built = build(scanned(names.map((_, i) => [i % 3 === 0 ? SCANNED_KIND.null : SCANNED_KIND.number, i])));
    expect(Object.keys(built)).toStrictEqual(names);
    expect(built.f0).toBeNull();
    expect(built.f599).toBe(599);
    expect(built.f598).toBe(598);
  });
});
