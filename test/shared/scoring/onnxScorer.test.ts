import { describe, expect, it } from 'vitest';
import { OnnxScorer } from '../../../shared/scoring/onnxScorer.js';
import type { ScoreOutcome } from '../../../shared/contracts/scorer.js';
import { MrmError } from '../../../shared/errors.js';
import {
  onnxBytes,
  onnxGolden,
  profileFor,
  requestsFor,
  SettableModelSource,
  type OnnxGolden,
  DEMO_MODELS,
} from '../../helpers/onnxFixtures.js';

/** Every row: Python onnxruntime's label and probabilities, in the model's class order (or renamed to `classes`). */
function expectGolden(outcomes: ScoreOutcome[], golden: OnnxGolden, classes = golden.classes): void {
  expect(outcomes).toHaveLength(golden.expected.length);
  outcomes.forEach((outcome, r) => {
    if (!outcome.ok) throw new Error(`row ${r}: ${outcome.error.message}`);
    const expected = golden.expected[r]!;
    expect(outcome.value.prediction).toBe(classes[golden.classes.indexOf(expected.label)]);
    expect(Object.keys(outcome.value.probabilities)).toEqual(classes);
    // float32 probabilities from two onnxruntime builds (Python 1.32, Node 1.30): equal to float32 rounding.
    Object.values(outcome.value.probabilities).forEach((p, c) => expect(p).toBeCloseTo(expected.probabilities[c]!, 6));
  });
}

async function scorerOf(name: string, options: ConstructorParameters<typeof OnnxScorer>[2] = {}) {
  const golden = onnxGolden(name);
  const profile = profileFor(golden);
  const scorer = new OnnxScorer(new SettableModelSource(onnxBytes(name)), profile, options);
  return { golden, profile, scorer };
}

describe('OnnxScorer on real exported models (golden predictions from Python onnxruntime)', () => {
  it.each([
    ['breast-cancer-logreg', 'skl2onnx logistic regression, string classes, ZipMap'],
    ['breast-cancer-lgbm', 'onnxmltools LightGBM, integer classes, ZipMap'],
    ['iris-gbt', 'skl2onnx gradient boosting, 3 classes, probability tensor'],
    ['iris-xgboost', 'onnxmltools XGBoost, 3 classes, probability tensor'],
    ['iris-double', 'a float64 input'],
    ['iris-softmax', 'a torch.onnx-style head without label output'],
    ['breast-cancer-sigmoid', 'a binary head with one sigmoid column'],
    ['churn-named-inputs', 'one named input per feature: float, int64 and string'],
    ['bench-gbt-20', '100 trees on 20 features'],
  ])('%s (%s): the same labels and probabilities as Python, the whole batch in one run', async (name) => {
    const { golden, scorer } = await scorerOf(name);
    expect(await scorer.ready()).toEqual({ ok: true, value: undefined });
    expect(scorer.classes).toEqual(golden.classes);
    expectGolden(await scorer.scoreBatch(requestsFor(golden)), golden);
    expect(scorer.kind).toBe('onnx');
    expect(scorer.modelVersion).toMatch(/^onnx:[0-9a-f]{16}$/);
  });

  it("card-fraud-gbt (the demo's classifier, one named input per feature): the same labels and probabilities as Python", async () => {
    const golden = onnxGolden('card-fraud-gbt', DEMO_MODELS);
    const scorer = new OnnxScorer(
      new SettableModelSource(onnxBytes('card-fraud-gbt', DEMO_MODELS)),
      profileFor(golden),
    );
    expect(await scorer.ready()).toEqual({ ok: true, value: undefined });
    expect(scorer.classes).toEqual(['0', '1']);
    expectGolden(await scorer.scoreBatch(requestsFor(golden)), golden);
    // The golden rows hold frauds, before and after the drift: both classes are predicted.
    expect(new Set(golden.expected.map((e) => e.label))).toEqual(new Set(['0', '1']));
  });

  it('reports binary scores as the positive class probability and multiclass scores as the top probability', async () => {
    const binary = await scorerOf('breast-cancer-logreg');
    const [first] = await binary.scorer.scoreBatch(requestsFor(binary.golden).slice(0, 1));
    expect(first!.ok && first!.value.score).toBe(first!.ok && first!.value.probabilities.malignant);
    const multi = await scorerOf('iris-gbt');
    const [row] = await multi.scorer.scoreBatch(requestsFor(multi.golden).slice(0, 1));
    expect(row!.ok && row!.value.score).toBe(row!.ok && Math.max(...Object.values(row!.value.probabilities)));
  });

  it('names the classes as MRM_ONNX_CLASSES says, in the model column order, and maps the label output to them', async () => {
    const { golden, scorer } = await scorerOf('breast-cancer-lgbm', { classes: ['malignant', 'benign'] });
    expectGolden(await scorer.scoreBatch(requestsFor(golden)), golden, ['malignant', 'benign']);
  });

  it('reads the outputs MRM_ONNX_LABEL_OUTPUT and MRM_ONNX_PROBABILITY_OUTPUT name', async () => {
    const { golden, scorer } = await scorerOf('iris-gbt', {
      outputs: { label: 'label', probabilities: 'probabilities' },
    });
    expectGolden(await scorer.scoreBatch(requestsFor(golden)), golden);
  });

  it('feeds a single-tensor model the features in MRM_ONNX_FEATURES order when the profile lists them otherwise', async () => {
    const golden = onnxGolden('iris-gbt');
    const names = golden.features.map((f) => f.name);
    const shuffled = profileFor(golden, [...names].reverse());
    const scorer = new OnnxScorer(new SettableModelSource(onnxBytes('iris-gbt')), shuffled, { featureOrder: names });
    expectGolden(await scorer.scoreBatch(requestsFor(golden, shuffled)), golden);
  });

  it('imputes a missing category with the baseline’s most frequent one', async () => {
    const { golden, profile, scorer } = await scorerOf('churn-named-inputs');
    const requests = requestsFor(golden, profile).slice(0, 2);
    const mode = Object.entries(profile.categorical.contract!.frequencies).sort((a, b) => b[1] - a[1])[0]![0];
    const withMode = await scorer.scoreBatch([
      { ...requests[0]!, features: { ...requests[0]!.features, contract: mode } },
    ]);
    const missing = await scorer.scoreBatch([
      { ...requests[0]!, features: { ...requests[0]!.features, contract: null } },
    ]);
    expect(missing).toEqual(withMode);
  });
});

describe('OnnxScorer refuses a model that does not fit, naming the mismatch', () => {
  async function readyOf(model: Uint8Array | string, golden = onnxGolden('iris-gbt'), options = {}) {
    const bytes = typeof model === 'string' ? onnxBytes(model) : model;
    const scorer = new OnnxScorer(new SettableModelSource(bytes), profileFor(golden), options);
    return { scorer, ready: await scorer.ready() };
  }

  it('bytes that are no ONNX model', async () => {
    const { ready } = await readyOf(new TextEncoder().encode('{"this": "is json"}'));
    expect(ready).toMatchObject({ ok: false, error: { code: 'MODEL.NOT_ONNX' } });
    expect(!ready.ok && ready.error.message).toMatch(/^test\/model-v1\.onnx: The file is not an ONNX model/);
  });

  it('a truncated model file', async () => {
    const bytes = onnxBytes('iris-gbt');
    const { ready } = await readyOf(bytes.subarray(0, Math.floor(bytes.length / 2)));
    expect(ready).toMatchObject({ ok: false, error: { code: 'MODEL.NOT_ONNX' } });
  });

  it('an empty file', async () => {
    const { ready } = await readyOf(new Uint8Array(0));
    expect(ready).toMatchObject({ ok: false, error: { code: 'MODEL.NOT_ONNX' } });
  });

  it('a model whose named inputs are not features of the baseline', async () => {
    const { ready } = await readyOf('churn-named-inputs', onnxGolden('iris-gbt'));
    expect(ready.ok).toBe(false);
    if (ready.ok) return;
    expect(ready.error.code).toBe('MODEL.INPUT_MISMATCH');
    expect(ready.error.message).toContain('input "tenure_months" is not a feature of the baseline');
    expect(ready.error.message).toContain('input "contract" is not a feature of the baseline');
    expect(ready.error.message).toContain("the baseline's features are sepal_length (numeric)");
  });

  it('a model whose one input is wider than the baseline’s numeric features', async () => {
    const { ready } = await readyOf('breast-cancer-logreg', onnxGolden('iris-gbt'));
    expect(ready).toMatchObject({
      ok: false,
      error: {
        code: 'MODEL.INPUT_MISMATCH',
        message: expect.stringContaining(
          'its input "input" takes 30 features per row, but the baseline has 4 numeric features (sepal_length, sepal_width, petal_length, petal_width)',
        ),
      },
    });
  });

  it('a categorical feature where the model wants a number', async () => {
    const golden = onnxGolden('churn-named-inputs');
    const asCategorical = {
      ...golden,
      features: golden.features.map((f) => (f.name === 'support_calls' ? { ...f, type: 'categorical' as const } : f)),
    };
    const { ready } = await readyOf('churn-named-inputs', asCategorical);
    expect(!ready.ok && ready.error.message).toContain(
      'input "support_calls" is int64, but "support_calls" is a categorical (string) feature of the baseline',
    );
  });

  it('MRM_ONNX_FEATURES naming what the baseline does not have', async () => {
    const { ready } = await readyOf('iris-gbt', onnxGolden('iris-gbt'), { featureOrder: ['a', 'sepal_length'] });
    expect(!ready.ok && ready.error.message).toContain('MRM_ONNX_FEATURES names "a", which is not a numeric feature');
  });

  it('a model exported with a fixed batch size', async () => {
    const { ready } = await readyOf('iris-fixed-batch');
    expect(!ready.ok && ready.error.message).toContain('input "input" has a fixed batch size of 1');
  });

  it('a model that outputs logits instead of probabilities', async () => {
    const { ready } = await readyOf('iris-logits');
    expect(ready).toMatchObject({ ok: false, error: { code: 'MODEL.TRIAL_FAILED' } });
    expect(!ready.ok && ready.error.message).toMatch(/is not a probability distribution.*softmax/);
  });

  it('MRM_ONNX_CLASSES with the wrong number of names', async () => {
    const { ready } = await readyOf('iris-gbt', onnxGolden('iris-gbt'), { classes: ['a', 'b'] });
    expect(!ready.ok && ready.error.message).toContain(
      'MRM_ONNX_CLASSES names 2 classes (a, b) but the model has 3 (0, 1, 2)',
    );
  });

  it('a model with labels and no probabilities', async () => {
    const { ready } = await readyOf('breast-cancer-label-only', onnxGolden('breast-cancer-logreg'));
    expect(ready).toMatchObject({
      ok: false,
      error: {
        code: 'MODEL.OUTPUT_MISMATCH',
        message: `test/model-v1.onnx: the model has no probability output (a float tensor or a ZipMap); the onnx scorer needs class probabilities; the model's outputs: label (int64)`,
      },
    });
  });

  it('an output name that is not there', async () => {
    const { ready } = await readyOf('iris-gbt', onnxGolden('iris-gbt'), { outputs: { probabilities: 'scores' } });
    expect(ready).toMatchObject({ ok: false, error: { code: 'MODEL.OUTPUT_MISMATCH' } });
    expect(!ready.ok && ready.error.message).toContain("the model's outputs: label (int64), probabilities (float32)");
  });

  it('and answers every event of a batch SCORER.UNAVAILABLE with that reason', async () => {
    const { scorer } = await readyOf('breast-cancer-logreg', onnxGolden('iris-gbt'));
    const outcomes = await scorer.scoreBatch(requestsFor(onnxGolden('iris-gbt')).slice(0, 3));
    expect(outcomes).toHaveLength(3);
    for (const outcome of outcomes) {
      expect(outcome).toMatchObject({
        ok: false,
        error: { code: 'SCORER.UNAVAILABLE', detail: { cause: 'MODEL.INPUT_MISMATCH' } },
      });
      expect(!outcome.ok && outcome.error.message).toContain('takes 30 features per row');
    }
    expect(scorer.modelVersion).toBe('onnx:none');
  });
});

describe('OnnxScorer at run time', () => {
  it('answers SCORER.UNAVAILABLE for every event of a batch the model throws on, and scores the next batch', async () => {
    const { golden, scorer } = await scorerOf('iris-one-row-only');
    const request = requestsFor(golden)[0]!;
    const thrown = await scorer.scoreBatch([request, { ...request, id: 'b' }, { ...request, id: 'c' }]);
    expect(thrown.map((o) => !o.ok && [o.error.code, o.error.detail])).toEqual(
      Array.from({ length: 3 }, () => ['SCORER.UNAVAILABLE', { cause: 'MODEL.RUN_FAILED' }]),
    );
    expect(!thrown[0]!.ok && thrown[0]!.error.message).toMatch(/^The ONNX model failed on this batch: .*Reshape/s);
    expectGolden(await scorer.scoreBatch([request]), golden);
  });

  it('answers SCORER.UNAVAILABLE while the source has no model, and scores once it has one', async () => {
    const golden = onnxGolden('iris-gbt');
    const source = new SettableModelSource(
      new MrmError('configuration', 'MODEL.UNAVAILABLE', 'models/model.onnx does not exist'),
    );
    const scorer = new OnnxScorer(source, profileFor(golden));
    const [missing] = await scorer.scoreBatch(requestsFor(golden).slice(0, 1));
    expect(missing).toEqual({
      ok: false,
      error: {
        kind: 'configuration',
        code: 'SCORER.UNAVAILABLE',
        message: 'No ONNX model to score with: models/model.onnx does not exist',
        detail: { cause: 'MODEL.UNAVAILABLE' },
      },
    });
    source.set(onnxBytes('iris-gbt'));
    expectGolden(await scorer.scoreBatch(requestsFor(golden)), golden);
  });

  it('switches to a new model version, keeps the last good one when the next fails to load, and says so', async () => {
    const golden = onnxGolden('breast-cancer-logreg');
    const lgbm = onnxGolden('breast-cancer-lgbm');
    const events: string[] = [];
    const source = new SettableModelSource(onnxBytes('breast-cancer-logreg'));
    const scorer = new OnnxScorer(source, profileFor(golden), { onEvent: (m) => events.push(m) });
    const requests = requestsFor(golden);
    expectGolden(await scorer.scoreBatch(requests), golden);
    const first = scorer.modelVersion;

    source.set(onnxBytes('breast-cancer-lgbm'));
    expectGolden(await scorer.scoreBatch(requests), lgbm);
    expect(scorer.modelVersion).not.toBe(first);
    const second = scorer.modelVersion;

    source.set(onnxBytes('iris-gbt'));
    expectGolden(await scorer.scoreBatch(requests), lgbm);
    expect(scorer.modelVersion).toBe(second);
    expect(events).toEqual([
      expect.stringMatching(/^Loaded ONNX model onnx:\w+ from test\/model-v1\.onnx \(classes benign, malignant\)$/),
      expect.stringMatching(/^Loaded ONNX model onnx:\w+ from test\/model-v2\.onnx \(classes 0, 1\)$/),
      expect.stringMatching(
        new RegExp(
          `^Keeping ONNX model ${second}: test/model-v3\\.onnx: The model's inputs do not fit the baseline: its input "input" takes 4 features`,
        ),
      ),
    ]);
    // A failed version is tried once, not on every batch.
    await scorer.scoreBatch(requests);
    expect(events).toHaveLength(3);
  });

  it('loads a version once however many batches ask for it at the same time', async () => {
    const golden = onnxGolden('iris-gbt');
    const events: string[] = [];
    const counted = new OnnxScorer(new SettableModelSource(onnxBytes('iris-gbt')), profileFor(golden), {
      onEvent: (m) => events.push(m),
    });
    const batches = await Promise.all([1, 2, 3].map(() => counted.scoreBatch(requestsFor(golden))));
    for (const outcomes of batches) expectGolden(outcomes, golden);
    expect(events).toHaveLength(1);
  });
});
