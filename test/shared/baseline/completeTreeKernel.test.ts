import { describe, expect, it } from 'vitest';
import { completeTreeKernel } from '../../../shared/baseline/completeTreeKernel.js';
import { trainIsolationForest } from '../../../shared/baseline/isolationForest.js';
import { createRandom } from '../../../shared/baseline/random.js';

function matrix(rows: number, columns: number, seed: number): Float64Array {
  const random = createRandom(seed);
  return Float64Array.from({ length: rows * columns }, () => random.nextGaussian() * 3);
}

describe('completeTreeKernel', () => {
  const columns = 3;
  const trained = trainIsolationForest({ rows: 400, columns, values: matrix(400, columns, 5) }, { trees: 13, seed: 3 });
  if (!trained.ok) throw new Error(trained.error.message);
  const forest = trained.value;

  it('walks a batch, in WebAssembly or JavaScript, to the sums of each row walked alone', () => {
    const values = matrix(300, columns, 9);
    for (const engine of ['wasm', 'js'] as const) {
      const kernel = completeTreeKernel(forest, engine);
      const out = new Float64Array(300);
      kernel.pathLengths(values, 300, columns, out);
      for (let r = 0; r < 300; r++) {
        expect(out[r]).toBe(kernel.pathLength(values.subarray(r * columns, (r + 1) * columns)));
      }
    }
  });

  it('walks rows wider than the forest reads, its inputs first in each row, as both engines agree', () => {
    const wide = 7;
    const values = matrix(150, wide, 11);
    const wasm = new Float64Array(150);
    const js = new Float64Array(150);
    completeTreeKernel(forest, 'wasm').pathLengths(values, 150, wide, wasm);
    completeTreeKernel(forest, 'js').pathLengths(values, 150, wide, js);
    expect(Array.from(wasm)).toStrictEqual(Array.from(js));
    const alone = completeTreeKernel(forest, 'js').pathLength(values.subarray(5 * wide, 6 * wide));
    expect(wasm[5]).toBe(alone);
  });
});
