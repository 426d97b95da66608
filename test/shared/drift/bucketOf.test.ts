import { describe, expect, it } from 'vitest';
import { bucketOf } from '../../../shared/drift/bucketOf.js';

describe('bucketOf', () => {
  it('counts as numpy.histogram does on interior edges: x on an edge goes to the bin above it', () => {
    const edges = Float64Array.from([1, 2, 2, 3]);
    expect([0.5, 1, 1.5, 2, 2.5, 3, 4].map((x) => bucketOf(edges, x))).toEqual([0, 1, 1, 3, 3, 4, 4]);
  });
});
