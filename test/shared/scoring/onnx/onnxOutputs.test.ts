import { describe, expect, it } from 'vitest';
import { onnxRuntime } from '../../../../shared/scoring/onnx/onnxRuntime.js';
import { planClasses, predictionsFrom, type OutputPlan } from '../../../../shared/scoring/onnx/onnxOutputs.js';

const ort = await onnxRuntime();
const plan: OutputPlan = { label: 'label', probabilities: 'probabilities', modelLabels: ['0', '1', '2'] };
const classes = planClasses(3, ['0', '1', '2'], ['setosa', 'versicolor', 'virginica']);
if (!classes.ok) throw new Error(classes.error.message);

describe('predictionsFrom', () => {
  it('answers each row on its own: a row that is no distribution, or whose label is no class, fails alone', () => {
    const outputs = {
      probabilities: new ort.Tensor(
        'float32',
        Float32Array.from([0.1, 0.2, 0.7, NaN, 0.5, 0.5, 0.6, 0.6, 0.6, 0.2, 0.7, 0.1]),
        [4, 3],
      ),
      label: new ort.Tensor('int64', BigInt64Array.from([2n, 1n, 0n, 7n]), [4]),
    };
    const outcomes = predictionsFrom(outputs, plan, classes.value, 4);
    expect(outcomes[0]).toMatchObject({ ok: true, value: { prediction: 'virginica' } });
    expect(outcomes[1]).toEqual({
      ok: false,
      error: {
        kind: 'configuration',
        code: 'SCORER.BAD_RESPONSE',
        message:
          'The ONNX model\'s output "probabilities" is not a probability distribution for this event: column 0 is NaN',
      },
    });
    expect(outcomes[2]).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/the probabilities sum to 1\.8/) },
    });
    expect(outcomes[3]).toMatchObject({
      ok: false,
      error: {
        message:
          'The ONNX model\'s output "label" gave "7", which is not one of the classes (setosa, versicolor, virginica)',
      },
    });
  });

  it('fails every row when an output has the wrong shape for the batch', () => {
    const outputs = {
      probabilities: new ort.Tensor('float32', Float32Array.from([0.1, 0.2, 0.7]), [1, 3]),
      label: new ort.Tensor('int64', BigInt64Array.from([2n]), [1]),
    };
    const outcomes = predictionsFrom(outputs, plan, classes.value, 2);
    expect(outcomes).toHaveLength(2);
    for (const o of outcomes)
      expect(o).toMatchObject({
        ok: false,
        error: { message: 'The ONNX model\'s output "probabilities" has dims [1, 3], not [2, 3]' },
      });
  });
});
