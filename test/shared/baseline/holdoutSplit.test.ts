import { describe, expect, it } from 'vitest';
import { foldsOf, splitHoldout } from '../../../shared/baseline/holdoutSplit.js';
import { createRandom } from '../../../shared/baseline/random.js';

const labels = Array.from({ length: 1000 }, (_, i) => (i % 10 === 0 ? 'fraud' : i % 97 === 0 ? null : 'ok'));

describe('splitHoldout', () => {
  it('holds out the share of each label class, and of the unlabelled rows, so each keeps its share', () => {
    const split = splitHoldout(labels, 0.2, createRandom(1));
    const count = (rows: number[], label: string | null) => rows.filter((r) => labels[r] === label).length;
    for (const label of ['fraud', 'ok', null]) {
      const all = labels.filter((l) => l === label).length;
      expect(count(split.heldOut, label)).toBe(Math.round(all * 0.2));
      expect(count(split.train, label)).toBe(all - Math.round(all * 0.2));
    }
    expect(split.stratifiedBy).toBe('label');
  });

  it('puts every row on exactly one side, ascending', () => {
    const split = splitHoldout(labels, 0.3, createRandom(2));
    expect([...split.train, ...split.heldOut].sort((a, b) => a - b)).toEqual(labels.map((_, i) => i));
    expect(split.train).toEqual([...split.train].sort((a, b) => a - b));
  });

  it('is the same split for a seed and another one for another seed', () => {
    expect(splitHoldout(labels, 0.2, createRandom(5))).toEqual(splitHoldout(labels, 0.2, createRandom(5)));
    expect(splitHoldout(labels, 0.2, createRandom(6)).heldOut).not.toEqual(
      splitHoldout(labels, 0.2, createRandom(5)).heldOut,
    );
  });

  it('draws from all rows alike without labels', () => {
    const split = splitHoldout(new Array(101).fill(null), 0.2, createRandom(3));
    expect(split.heldOut).toHaveLength(20);
    expect(split.stratifiedBy).toBeNull();
  });
});

describe('foldsOf', () => {
  it('deals rows into folds of equal size (within one), each row once', () => {
    const folds = foldsOf([...Array(23).keys()], 5, createRandom(4));
    expect(folds.map((f) => f.length)).toEqual([5, 5, 5, 4, 4]);
    expect(folds.flat().sort((a, b) => a - b)).toEqual([...Array(23).keys()]);
  });
});
