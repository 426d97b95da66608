import { describe, expect, it } from 'vitest';
import { Float64Pool } from '../../../shared/binary/float64Pool.js';

describe('Float64Pool', () => {
  it('hands a returned array out again, by length, zeroed only when asked', () => {
    const pool = new Float64Pool();
    const a = pool.take(4);
    a.set([1, 2, 3, 4]);
    pool.give(a);
    expect(pool.reuse(3)).toBeUndefined();
    const again = pool.take(4);
    expect(again).toBe(a);
    expect([...again]).toEqual([1, 2, 3, 4]);
    pool.give(again, { zeroed: true });
    expect([...pool.take(4)]).toEqual([0, 0, 0, 0]);
    expect(pool.take(4)).not.toBe(a);
  });

  it('keeps at most maxPerLength arrays of a length', () => {
    const pool = new Float64Pool(2);
    const arrays = [pool.take(8), pool.take(8), pool.take(8)];
    for (const a of arrays) pool.give(a);
    expect([pool.reuse(8), pool.reuse(8), pool.reuse(8)]).toEqual([arrays[1], arrays[0], undefined]);
  });
});
