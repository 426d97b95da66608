import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ExactSum } from '../../../shared/drift/exactSum.js';

function sumOf(values: number[]): number {
  const sum = new ExactSum();
  for (const v of values) sum.add(v);
  return sum.value();
}

describe('ExactSum', () => {
  it('is the correctly rounded sum where plain addition loses bits', () => {
    expect(sumOf(new Array<number>(10).fill(0.1))).toBe(1);
    expect(sumOf([1e16, 1, -1e16])).toBe(1);
    expect(sumOf([1, 1e100, 1, -1e100])).toBe(2);
    // Half-way cases round to even across partials (CPython's math.fsum gives the same).
    expect(sumOf([1, 2 ** -53, 2 ** -106])).toBe(1 + 2 ** -52);
    expect(sumOf([])).toBe(0);
  });

  it('does not depend on the order or the grouping of the additions, to the bit', () => {
    const finite = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 });
    fc.assert(
      fc.property(fc.array(finite, { maxLength: 60 }), fc.integer({ min: 1, max: 7 }), (values, groups) => {
        const whole = sumOf(values);
        const reversed = sumOf([...values].reverse());
        // Split into groups, store each as partials, and add the stored sums together.
        const total = new ExactSum();
        for (let g = 0; g < groups; g++) {
          const part = new ExactSum();
          values.filter((_, i) => i % groups === g).forEach((v) => part.add(v));
          total.addSum(ExactSum.fromStored(JSON.parse(JSON.stringify(part.toStored())) as number[]));
        }
        expect(Object.is(reversed, whole) || (reversed === 0 && whole === 0)).toBe(true);
        expect(total.value() === whole).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps infinities and NaN as IEEE addition would, and stores them as JSON strings', () => {
    const sum = new ExactSum();
    sum.add(1);
    sum.add(Infinity);
    expect(sum.value()).toBe(Infinity);
    expect(JSON.parse(JSON.stringify(sum.toStored()))).toEqual(['Infinity']);
    expect(ExactSum.fromStored(['Infinity']).value()).toBe(Infinity);
    sum.add(-Infinity);
    expect(sum.value()).toBeNaN();
    const overflow = new ExactSum();
    overflow.add(Number.MAX_VALUE);
    overflow.add(Number.MAX_VALUE);
    expect(overflow.value()).toBe(Infinity);
  });

  it('refuses a stored partial that is not a number or a known non-finite word', () => {
    expect(() => ExactSum.fromStored(['1e3' as never])).toThrow(TypeError);
  });
});
