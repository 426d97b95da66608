import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildBaseline, planBaseline, type BuildBaselineOptions } from '../../../shared/baseline/buildBaseline.js';
import { buildBaselineWithModel } from '../../../shared/baseline/buildBaselineWithModel.js';
import { readBaselineProfile } from '../../../shared/baseline/readBaselineProfile.js';
import { readTrainingData, type TrainingTable } from '../../../shared/baseline/trainingData.js';
import { FileModelSource } from '../../../shared/adapters/fileModelSource.js';
import { OnnxScorer } from '../../../shared/scoring/onnxScorer.js';
import type { ProfileForModel } from '../../../shared/baseline/profile.js';
import { ok, unwrap, type Result } from '../../../shared/errors.js';
import { ONNX_FIXTURES } from '../../helpers/onnxFixtures.js';

const sklearnCsv = (name: string) => readFileSync(join('test', 'fixtures', 'sklearn', `${name}.csv`), 'utf8');
const tableOf = (csv: string): TrainingTable => unwrap(readTrainingData(csv, { format: 'csv', label: 'target' }));
const options: BuildBaselineOptions = {
  seed: 3,
  createdAt: '2026-12-02T00:00:00.000Z',
  source: { file: 'sklearn.csv', format: 'csv' },
  columns: { label: 'target' },
};
const onnx = (name: string) => async (profile: ProfileForModel) => {
  const scorer = new OnnxScorer(new FileModelSource(join(ONNX_FIXTURES, `${name}.onnx`)), profile);
  const ready = await scorer.ready();
  return ready.ok ? ok(scorer) : (ready as Result<never>);
};
/** iris.csv's species names as the 0, 1, 2 the iris fixtures were trained on. */
const irisNumbered = () =>
  sklearnCsv('iris')
    .replace(/,setosa$/gm, ',0')
    .replace(/,versicolor$/gm, ',1')
    .replace(/,virginica$/gm, ',2');

/** What the model makes of the held-out rows, counted here without the profile's accumulators. */
async function heldOutTruth(table: TrainingTable, model: string) {
  const plan = unwrap(planBaseline(table, options));
  const scorer = unwrap(await onnx(model)(plan.profileForModel));
  const outcomes = await scorer.scoreBatch(plan.heldOutRequests);
  return plan.heldOutRequests.map((r, i) => {
    const o = outcomes[i]!;
    if (!o.ok) throw new Error(o.error.message);
    return { label: table.labels[Number(r.id)]!, predicted: o.value.prediction };
  });
}

describe('buildBaselineWithModel', () => {
  it("holds the user's binary classifier's out-of-sample predictions and metrics, not the forest's", async () => {
    const table = tableOf(sklearnCsv('breast_cancer'));
    const profile = unwrap(await buildBaselineWithModel(table, options, onnx('breast-cancer-logreg')));
    expect(profile.heldOut.scoredBy).toEqual({
      scorer: 'onnx',
      modelVersion: expect.stringMatching(/^onnx:[0-9a-f]{16}$/),
      classes: ['benign', 'malignant'],
    });
    expect(profile.schema.prediction!.classes).toEqual(['benign', 'malignant']);
    expect(profile.schema.labels).toEqual({ classes: ['benign', 'malignant'], positiveClass: 'malignant' });

    const truth = await heldOutTruth(table, 'breast-cancer-logreg');
    const accuracy = truth.filter((t) => t.label === t.predicted).length / truth.length;
    expect(profile.metrics!.labelled).toBe(truth.length);
    expect(profile.metrics!.accuracy).toBeCloseTo(accuracy, 12);
    const tp = truth.filter((t) => t.label === 'malignant' && t.predicted === 'malignant').length;
    expect(profile.metrics!.recall).toBeCloseTo(tp / truth.filter((t) => t.label === 'malignant').length, 12);
    expect(profile.metrics!.precision).toBeCloseTo(tp / truth.filter((t) => t.predicted === 'malignant').length, 12);
    // A logistic regression separates these classes; the embedded anomaly detector, trained on the same rows, does not.
    expect(profile.metrics!.accuracy).toBeGreaterThan(0.93);
    expect(profile.metrics!.auc).toBeGreaterThan(0.97);
    const forest = unwrap(buildBaseline(table, options));
    expect(forest.heldOut.scoredBy.scorer).toBe('forest');
    expect(forest.metrics!.accuracy).toBeLessThan(profile.metrics!.accuracy - 0.1);
    // Prediction counts are the model's over the rows validation did not reject; the features are every row's.
    expect(profile.data.prediction!.classes.count).toBe(profile.heldOut.rows - profile.heldOut.rejected);
    expect(profile.data.prediction!.score!.count).toBe(profile.heldOut.rows - profile.heldOut.rejected);
    expect(profile.data.events).toBe(table.rows);
    // Validation does not depend on the model.
    expect(profile.validation).toEqual(forest.validation);
  });

  it('measures a multiclass model with macro averages and no AUC', async () => {
    const table = tableOf(irisNumbered());
    const profile = unwrap(await buildBaselineWithModel(table, options, onnx('iris-gbt')));
    expect(profile.schema.labels).toEqual({ classes: ['0', '1', '2'], positiveClass: null });
    expect(profile.heldOut.scoredBy.classes).toEqual(['0', '1', '2']);
    const truth = await heldOutTruth(table, 'iris-gbt');
    const f1s = ['0', '1', '2'].map((c) => {
      const tp = truth.filter((t) => t.label === c && t.predicted === c).length;
      const predicted = truth.filter((t) => t.predicted === c).length;
      const actual = truth.filter((t) => t.label === c).length;
      const precision = predicted ? tp / predicted : 0;
      const recall = actual ? tp / actual : 0;
      return precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    });
    expect(profile.metrics!.f1).toBeCloseTo((f1s[0]! + f1s[1]! + f1s[2]!) / 3, 12);
    expect(profile.metrics!.auc).toBeNull();
    expect(profile.metrics!.accuracy).toBeGreaterThan(0.9);
  });

  it('refuses labels the model has no class for, naming both', async () => {
    const result = await buildBaselineWithModel(tableOf(sklearnCsv('iris')), options, onnx('iris-gbt'));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('BASELINE.MODEL_CLASSES');
    expect(result.error.kind).toBe('bad-input');
    expect(result.error.message).toContain('"0", "1", "2"');
    expect(result.error.message).toContain('"setosa"');
  });

  it('passes on a model that does not fit the data, with the mismatch named', async () => {
    // 30 breast-cancer inputs against iris's 4 features.
    const result = await buildBaselineWithModel(tableOf(irisNumbered()), options, onnx('breast-cancer-logreg'));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toMatch(/^MODEL\./);
    expect(result.error.message).toMatch(/30/);
    expect(result.error.message).toMatch(/4/);
  });

  it('passes on a model that fails while scoring as BASELINE.MODEL_FAILED', async () => {
    const failing = async (profile: ProfileForModel) => {
      const scorer = unwrap(await onnx('iris-gbt')(profile));
      return ok({
        kind: 'onnx' as const,
        modelVersion: scorer.modelVersion,
        classes: scorer.classes,
        scoreBatch: async (requests: readonly unknown[]) =>
          requests.map(() => ({
            ok: false as const,
            error: { kind: 'transient' as const, code: 'SCORER.UNAVAILABLE', message: 'the runtime ran out of memory' },
          })),
      });
    };
    const result = await buildBaselineWithModel(tableOf(irisNumbered()), options, failing);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ code: 'BASELINE.MODEL_FAILED', kind: 'transient' });
    expect(result.error.message).toContain('the runtime ran out of memory');
  });

  it('writes a profile the functions read back, with the model it was scored by', async () => {
    const profile = unwrap(await buildBaselineWithModel(tableOf(irisNumbered()), options, onnx('iris-gbt')));
    const read = unwrap(readBaselineProfile(JSON.parse(JSON.stringify(profile)), 'profile.json'));
    expect(read.heldOut.scoredBy).toEqual(profile.heldOut.scoredBy);
  });
});

describe('buildBaseline without a model', () => {
  it('refuses a label of more than two classes and says to supply a model', () => {
    const result = buildBaseline(tableOf(sklearnCsv('iris')), options);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('BASELINE.MULTICLASS_NEEDS_MODEL');
    expect(result.error.message).toContain('"target" has 3 classes (setosa, versicolor, virginica)');
    expect(result.error.message).toContain('--model');
  });

  it('reads a profile written before --model as scored by the embedded forest', () => {
    const profile = unwrap(buildBaseline(tableOf(sklearnCsv('breast_cancer')), options));
    const { scoredBy: _dropped, ...heldOut } = profile.heldOut;
    const read = unwrap(readBaselineProfile({ ...profile, heldOut }, 'old.json'));
    expect(read.heldOut.scoredBy).toEqual({
      scorer: 'forest',
      modelVersion: profile.model.version,
      classes: ['benign', 'malignant'],
    });
  });
});
