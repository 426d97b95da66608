import { describe, expect, it } from 'vitest';
import { completeTreeKernel } from '../../../shared/baseline/completeTreeKernel.js';
import { trainIsolationForest } from '../../../shared/baseline/isolationForest.js';
import { createRandom } from '../../../shared/baseline/random.js';

function matrix(rows: number, columns: number, seed: number): Float64Array {
  const random = createRandom(seed);
  return Float64Array.from({ length: rows * columns }, () => random.nextGaussian() * 3);
}

function train(trees: number) {
  const trained = trainIsolationForest({ rows: 400, columns: 3, values: matrix(400, 3, 5) }, { trees, seed: 3 });
  if (!trained.ok) throw new Error(trained.error.message);
  return trained.value;
}

// The contract of the batch walk, run against both implementations: JavaScript row by row (plain) and WebAssembly
// tree by tree (fast). Each must give, to the bit, the sum of every row walked alone.
describe.each(['plain', 'fast'] as const)('completeTreeKernel, %s batch walk', (batch) => {
  const columns = 3;
  const forests = { '13 trees': train(13), '7 trees (fewer than a group of 8)': train(7) };

  it.each(Object.entries(forests))('walks a batch to the sums of each row walked alone (%s)', (_, forest) => {
    const kernel = completeTreeKernel(forest, batch);
    for (const rows of [1, 3, 8, 17, 128, 129, 300]) {
      const values = matrix(rows, columns, 9 + rows);
      const out = new Float64Array(rows);
      kernel.pathLengths(values, rows, columns, out);
      for (let r = 0; r < rows; r++) {
        expect(out[r]).toBe(kernel.pathLength(values.subarray(r * columns, (r + 1) * columns)));
      }
    }
  });

  it('walks NaN and infinities as the row walk does (NaN and −Infinity left, +Infinity right)', () => {
    const kernel = completeTreeKernel(forests['13 trees'], batch);
    const values = matrix(40, columns, 12);
    values[4] = Number.NaN;
    values[10] = Infinity;
    values[20] = -Infinity;
    const out = new Float64Array(40);
    kernel.pathLengths(values, 40, columns, out);
    for (const r of [1, 3, 6]) expect(out[r]).toBe(kernel.pathLength(values.subarray(r * columns, (r + 1) * columns)));
  });

  it('walks rows wider than the forest reads, reading its inputs first in each row', () => {
    const wide = 7;
    const values = matrix(150, wide, 11);
    const out = new Float64Array(150);
    const kernel = completeTreeKernel(forests['13 trees'], batch);
    kernel.pathLengths(values, 150, wide, out);
    for (const r of [0, 5, 149]) expect(out[r]).toBe(kernel.pathLength(values.subarray(r * wide, r * wide + columns)));
  });
});
