import { describe, expect, it } from 'vitest';
import { mapWithConcurrency } from '../../../shared/concurrency/mapWithConcurrency.js';

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

describe('mapWithConcurrency when a task rejects', () => {
  it('propagates the first rejection and starts no item after it', async () => {
    const started: number[] = [];
    await expect(
      mapWithConcurrency([0, 1, 2, 3, 4, 5], 2, async (item) => {
        started.push(item);
        await new Promise((resolve) => setTimeout(resolve, 2));
        if (item === 1) throw new Error('bug in a task');
        return item;
      }),
    ).rejects.toThrow('bug in a task');
    expect(started.length).toBeLessThan(6);
  });
});
