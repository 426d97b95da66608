import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { partitionForKey } from '../../../cli/demo/partitionForKey.js';
// The SDK's own mapping (used by its buffered producer, not exported): the reference this port must agree with.
import { mapPartitionKeyToId } from '../../../node_modules/@azure/event-hubs/dist/esm/impl/partitionKeyToIdMapper.js';

describe('partitionForKey', () => {
  it('assigns every key the partition @azure/event-hubs computes for it, for any key length and partition count', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), fc.integer({ min: 1, max: 32 }), (key, count) => {
        expect(partitionForKey(key, count)).toBe(String(mapPartitionKeyToId(key, count)));
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees on the caller ids the demo uses, and spreads them over all four partitions', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 4000; i++) {
      const key = `caller-${String(i).padStart(5, '0')}`;
      const partition = partitionForKey(key, 4);
      expect(partition).toBe(String(mapPartitionKeyToId(key, 4)));
      counts.set(partition, (counts.get(partition) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual(['0', '1', '2', '3']);
    for (const n of counts.values()) expect(n).toBeGreaterThan(800);
  });

  it('refuses a partition count that is not a positive whole number', () => {
    expect(() => partitionForKey('a', 0)).toThrow('partitionCount must be a whole number >= 1, got 0');
    expect(() => partitionForKey('a', 2.5)).toThrow(RangeError);
  });
});
