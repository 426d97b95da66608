import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelBytes, ModelSource } from '../../shared/scoring/types.js';
import type { ProfileForModel } from '../../shared/baseline/profile.js';
import type { ScoreRequest } from '../../shared/contracts/scorer.js';
import type { TrainingTable } from '../../shared/baseline/trainingData.js';

/** A model and what Python's onnxruntime made of its rows (scripts/models/make_onnx_fixtures.py). */
export interface OnnxGolden {
  model: string;
  description: string;
  features: Array<{ name: string; type: 'numeric' | 'categorical' }>;
  classes: string[];
  inputs: Array<{ name: string; type: string; shape: Array<number | null> }>;
  rows: Array<Array<number | string>>;
  expected: Array<{ label: string; probabilities: number[] }>;
}

export const ONNX_FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'onnx');

/** The demo's fraud classifier and its golden file (scripts/models/make_demo_model.py). */
export const DEMO_MODELS = join(import.meta.dirname, '..', '..', 'examples', 'models');

export function onnxGolden(name: string, dir = ONNX_FIXTURES): OnnxGolden {
  return JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as OnnxGolden;
}

export function onnxBytes(name: string, dir = ONNX_FIXTURES): Uint8Array {
  return new Uint8Array(readFileSync(join(dir, `${name}.onnx`)));
}

/** The profile fields the scorer reads, from the golden's own rows (means, categories), features in the given order. */
export function profileFor(golden: OnnxGolden, order = golden.features.map((f) => f.name)): ProfileForModel {
  const byName = new Map(golden.features.map((f, i) => [f.name, { ...f, column: i }]));
  const features = order.map((name) => ({ name, type: byName.get(name)!.type }));
  const numeric: ProfileForModel['numeric'] = {};
  const categorical: Record<string, { frequencies: Record<string, number> }> = {};
  for (const f of features) {
    const values = golden.rows.map((row) => row[byName.get(f.name)!.column]!);
    if (f.type === 'numeric') {
      (numeric as Record<string, { mean: number }>)[f.name] = {
        mean: values.reduce<number>((s, v) => s + Number(v), 0) / values.length,
      };
    } else {
      const frequencies: Record<string, number> = {};
      for (const v of values) frequencies[String(v)] = (frequencies[String(v)] ?? 0) + 1 / values.length;
      categorical[f.name] = { frequencies };
    }
  }
  return {
    features,
    model: { inputs: features.filter((f) => f.type === 'numeric').map((f) => f.name) },
    numeric,
    categorical,
  };
}

/** The golden rows as the validator hands them to a scorer: features by name, numerics in the profile's order. */
export function requestsFor(golden: OnnxGolden, profile: ProfileForModel = profileFor(golden)): ScoreRequest[] {
  const column = new Map(golden.features.map((f, i) => [f.name, i]));
  return golden.rows.map((row, r) => ({
    id: `row-${r}`,
    features: Object.fromEntries(golden.features.map((f, i) => [f.name, row[i]!])),
    vector: Float64Array.from(profile.model.inputs, (name) => Number(row[column.get(name)!])),
  }));
}

/** The golden rows as training data for buildBaseline (a profile with exactly the model's features), unlabelled. */
export function trainingTableFor(golden: OnnxGolden): TrainingTable {
  return {
    rows: golden.rows.length,
    skipped: [],
    ids: golden.rows.map((_, r) => `row-${r}`),
    labels: golden.rows.map(() => null),
    columns: golden.features.map((f, i) =>
      f.type === 'numeric'
        ? { name: f.name, type: 'numeric' as const, values: Float64Array.from(golden.rows, (row) => Number(row[i])) }
        : { name: f.name, type: 'categorical' as const, values: golden.rows.map((row) => String(row[i])) },
    ),
  };
}

/** A model source that serves whatever the test sets, each set a new version. */
export class SettableModelSource implements ModelSource {
  private value: ModelBytes | Error;
  private versions = 0;
  reads = 0;
  constructor(initial: Uint8Array | Error) {
    this.value = this.wrap(initial);
  }
  set(next: Uint8Array | Error): void {
    this.value = this.wrap(next);
  }
  async current(): Promise<ModelBytes> {
    this.reads++;
    if (this.value instanceof Error) throw this.value;
    return this.value;
  }
  private wrap(next: Uint8Array | Error): ModelBytes | Error {
    return next instanceof Error
      ? next
      : { bytes: next, version: `v${++this.versions}`, where: `test/model-v${this.versions}.onnx` };
  }
}
