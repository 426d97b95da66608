import { fail, ok, type Result } from '../errors.js';
import type { ProfileForModel } from './profile.js';
import type { Prediction, ScoreOutcome, ScoreRequest } from '../contracts/scorer.js';
import { planBaseline, type BuildBaselineOptions } from './buildBaseline.js';
import type { BaselineProfile } from './profile.js';
import type { TrainingTable } from './trainingData.js';

/** The user's classifier as the baseline sees it: loaded, with its class names known (an OnnxScorer after ready()). */
export interface BaselineModel {
  readonly kind: 'onnx';
  readonly modelVersion: string;
  readonly classes: readonly string[];
  scoreBatch(requests: readonly ScoreRequest[]): Promise<ScoreOutcome[]>;
}

/** Rows per scoring call when the whole table is scored (bounded memory for the model's output). */
const CHUNK_ROWS = 8192;

/**
 * Builds the baseline for the user's own classifier: as buildBaseline, but the held-out rows validation does not
 * reject are scored by `model` (made by `modelFor` from what the profile feeds it), so the prediction, score and
 * performance baselines are that model's, out of sample, with macro averages when it has more than two classes.
 * Label classes must be among the model's class names: a model that says "0"/"1" for labels "benign"/"malignant"
 * would otherwise be measured as always wrong.
 */
export async function buildBaselineWithModel(
  table: TrainingTable,
  options: BuildBaselineOptions,
  modelFor: (profile: ProfileForModel) => Promise<Result<BaselineModel>>,
): Promise<Result<BaselineProfile>> {
  const planned = planBaseline(table, options);
  if (!planned.ok) return planned;
  const plan = planned.value;
  const loaded = await modelFor(plan.profileForModel);
  if (!loaded.ok) return loaded;
  const model = loaded.value;
  const classes = [...model.classes];
  const unknown = plan.labelClasses.filter((c) => !classes.includes(c));
  if (unknown.length > 0) {
    const label = options.columns.label ?? 'label';
    return fail(
      'bad-input',
      'BASELINE.MODEL_CLASSES',
      `The model's classes are ${list(classes)}, but the label column "${label}" also holds ${list(unknown)}: ` +
        'write labels as the model names its classes (e.g. map species names to the 0, 1, 2 it was trained on)',
      { modelClasses: classes, unknownLabels: unknown },
    );
  }

  const heldOut = await model.scoreBatch(plan.heldOutRequests);
  const predictions: Prediction[] = [];
  for (let i = 0; i < heldOut.length; i++) {
    const outcome = heldOut[i]!;
    if (!outcome.ok) {
      return fail(
        outcome.error.kind,
        'BASELINE.MODEL_FAILED',
        `The model could not score held-out row ${plan.heldOutRequests[i]!.id}: ${outcome.error.message}`,
        { cause: outcome.error.code },
      );
    }
    predictions.push(outcome.value);
  }

  const all = plan.allRequests();
  const binningScores = new Float64Array(all.length).fill(NaN);
  for (let start = 0; start < all.length; start += CHUNK_ROWS) {
    const outcomes = await model.scoreBatch(all.slice(start, start + CHUNK_ROWS));
    outcomes.forEach((o, k) => {
      if (o.ok && o.value.score !== null) binningScores[start + k] = o.value.score;
    });
  }
  return ok(
    plan.finish({
      scoredBy: { scorer: 'onnx', modelVersion: model.modelVersion, classes },
      predictions,
      binningScores,
    }),
  );
}

function list(values: readonly string[]): string {
  const shown = values.slice(0, 6).map((v) => JSON.stringify(v));
  return values.length > 6 ? `${shown.join(', ')}, …` : shown.join(', ');
}
