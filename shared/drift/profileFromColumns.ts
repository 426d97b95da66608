import { MrmError } from '../errors.js';
import { ProfileAccumulator } from './profileAccumulator.js';
import type { DatasetProfile } from './profile.js';
import type { ProfileSchema, SchemaColumn } from './schema.js';

export interface OutcomeColumns {
  /** Predicted class per row (null: not scored). */
  predictions?: ReadonlyArray<string | null>;
  /** Model score per row (NaN: none). */
  scores?: Float64Array;
  /** Positive-class probability per row (binary AUC), when it differs from the score. */
  positiveProbabilities?: Float64Array;
  /** Label per row (null: unlabelled). */
  labels?: ReadonlyArray<string | number | null>;
}

/**
 * Profiles whole columns (the baseline's training data) on a schema: the same counting as ProfileAccumulator, so a
 * baseline profile and a weekly profile compare bucket for bucket. Every column must have the same length; columns
 * the schema does not know are ignored and schema features without a column count as missing.
 */
export function profileFromColumns(
  schema: ProfileSchema,
  columns: ReadonlyArray<SchemaColumn>,
  outcome: OutcomeColumns = {},
): DatasetProfile {
  const rows = columns[0]?.values.length ?? outcome.labels?.length ?? outcome.predictions?.length ?? 0;
  for (const c of columns) {
    if (c.values.length !== rows)
      throw new MrmError(
        'bug',
        'PROFILE.COLUMN_LENGTH',
        `column "${c.name}" has ${c.values.length} rows, expected ${rows}`,
      );
  }
  const accumulator = new ProfileAccumulator(schema);
  const byName = new Map(columns.map((c) => [c.name, c]));
  const names = schema.features.map((f) => f.name).filter((n) => byName.has(n));
  const features: Record<string, unknown> = {};
  const hasOutcome = outcome.predictions !== undefined || outcome.scores !== undefined || outcome.labels !== undefined;
  const probabilities: Record<string, number> = {};
  const positive = schema.labels?.positiveClass ?? null;
  for (let row = 0; row < rows; row++) {
    for (const name of names) {
      const value = byName.get(name)!.values[row];
      features[name] = value === null || (typeof value === 'number' && Number.isNaN(value)) ? null : value;
    }
    if (!hasOutcome) {
      accumulator.addFeatures(features);
      continue;
    }
    const p = outcome.positiveProbabilities?.[row];
    if (positive !== null && p !== undefined && Number.isFinite(p)) probabilities[positive] = p;
    const score = outcome.scores?.[row];
    accumulator.addScored({
      features,
      prediction: outcome.predictions?.[row] ?? null,
      score: score !== undefined && Number.isFinite(score) ? score : null,
      label: outcome.labels?.[row] ?? null,
      probabilities: positive !== null && p !== undefined && Number.isFinite(p) ? probabilities : null,
    });
  }
  return accumulator.toProfile();
}
