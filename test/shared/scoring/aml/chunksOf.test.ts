import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { chunksOf } from '../../../../shared/scoring/aml/chunksOf.js';

describe('chunksOf', () => {
  it('splits into consecutive slices of at most the size, order preserved', () => {
    fc.assert(
      fc.property(fc.array(fc.integer(), { maxLength: 300 }), fc.integer({ min: 1, max: 120 }), (items, size) => {
        const chunks = chunksOf(items, size);
        expect(chunks.flat()).toEqual(items);
        expect(chunks.length).toBe(Math.ceil(items.length / size));
        for (const chunk of chunks.slice(0, -1)) expect(chunk).toHaveLength(size);
      }),
    );
  });

  it('refuses a size below 1', () => {
    expect(() => chunksOf([1], 0)).toThrow('chunk size must be a whole number >= 1, got 0');
  });
});
