import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { chunksOf, mapWithConcurrency } from '../../../../shared/scoring/aml/mapWithConcurrency.js';

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

describe('mapWithConcurrency', () => {
  it('answers in item order whatever the completion order, never exceeding the limit', async () => {
    let running = 0;
    let peak = 0;
    const delays = [30, 5, 20, 1, 15, 2, 8];
    const results = await mapWithConcurrency(delays, 3, async (delay, index) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, delay));
      running--;
      return `${index}:${delay}`;
    });
    expect(results).toEqual(delays.map((delay, index) => `${index}:${delay}`));
    expect(peak).toBe(3);
  });

  it('handles no items', async () => {
    expect(await mapWithConcurrency([], 4, async () => 1)).toEqual([]);
  });
});
