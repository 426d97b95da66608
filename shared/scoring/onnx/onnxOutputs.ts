import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { fail, ok, type Failure, type Result } from '../../errors.js';
import type { Prediction, ScoreOutcome } from '../../contracts/scorer.js';
import type { OnnxModelFile, ZipMapOutput } from './onnxModelFile.js';

export interface OutputNames {
  /** MRM_ONNX_LABEL_OUTPUT; default: the integer or string tensor output (preferring a name with "label"). */
  label?: string | undefined;
  /** MRM_ONNX_PROBABILITY_OUTPUT; default: the ZipMap output, else the float tensor output (preferring "prob"). */
  probabilities?: string | undefined;
}

export interface OutputPlan {
  /** The label output, or null when the model has none (torch-style heads): the prediction is then the argmax. */
  label: string | null;
  probabilities: string;
  /** Class labels the graph itself names for the probability columns (ZipMap or classifier node), or null. */
  modelLabels: string[] | null;
}

const FLOATS = ['float32', 'float64'];
const LABELS = ['int64', 'int32', 'string'];

/** Picks the label and probability outputs, or says why none fits. */
export function planOutputs(
  metadata: readonly InferenceSession.ValueMetadata[],
  file: OnnxModelFile,
  zipMaps: readonly ZipMapOutput[],
  names: OutputNames,
): Result<OutputPlan> {
  const tensors = metadata.filter((m): m is InferenceSession.TensorValueMetadata => m.isTensor);
  const listed = metadata.map((m) => (m.isTensor ? `${m.name} (${m.type})` : `${m.name} (not a tensor)`)).join(', ');
  const problem = (message: string) =>
    fail('configuration', 'MODEL.OUTPUT_MISMATCH', `${message}; the model's outputs: ${listed}`);

  const probabilities = pick(tensors, FLOATS, 'prob', names.probabilities, zipMaps[0]?.output);
  if (probabilities === undefined) {
    return problem(
      names.probabilities
        ? `MRM_ONNX_PROBABILITY_OUTPUT "${names.probabilities}" is not a float tensor output`
        : 'the model has no probability output (a float tensor or a ZipMap); the onnx scorer needs class probabilities',
    );
  }
  const label = pick(
    tensors.filter((m) => m.name !== probabilities),
    LABELS,
    'label',
    names.label,
  );
  if (names.label && label === undefined)
    return problem(`MRM_ONNX_LABEL_OUTPUT "${names.label}" is not an integer or string tensor output`);

  const zipMap = zipMaps.find((z) => z.output === probabilities);
  let modelLabels: string[] | null = zipMap && zipMap.classLabels.length > 0 ? zipMap.classLabels : null;
  if (!modelLabels) {
    const sets = new Map<string, string[]>();
    for (const node of file.nodes) if (node.classLabels) sets.set(node.classLabels.join('\u0000'), node.classLabels);
    if (sets.size === 1) modelLabels = [...sets.values()][0]!;
  }
  return ok({ label: label ?? null, probabilities, modelLabels });
}

function pick(
  tensors: readonly InferenceSession.TensorValueMetadata[],
  types: readonly string[],
  hint: string,
  configured: string | undefined,
  preferred?: string,
): string | undefined {
  const fitting = tensors.filter((m) => types.includes(m.type));
  if (configured !== undefined) return fitting.find((m) => m.name === configured)?.name;
  if (preferred !== undefined && fitting.some((m) => m.name === preferred)) return preferred;
  return (fitting.find((m) => m.name.toLowerCase().includes(hint)) ?? (fitting.length === 1 ? fitting[0] : undefined))
    ?.name;
}

/**
 * The class names of the probability columns: MRM_ONNX_CLASSES when set (display names, in column order), else the
 * graph's own labels, else 0..K-1. A single probability column is a binary model's positive class (a sigmoid head).
 */
export interface ClassPlan {
  classes: string[];
  /** Column of each label the label output can give (the graph's labels, or the class names). */
  columnOfLabel: Map<string, number>;
  /** The probability output has one column: P(classes[1]). */
  singleColumn: boolean;
}

export function planClasses(
  columns: number,
  modelLabels: readonly string[] | null,
  configured: readonly string[] | undefined,
): Result<ClassPlan> {
  const singleColumn = columns === 1;
  const k = singleColumn ? 2 : columns;
  if (k < 2)
    return fail(
      'configuration',
      'MODEL.OUTPUT_MISMATCH',
      `The probability output has ${columns} columns; a classifier has 2 or more`,
    );
  if (modelLabels && modelLabels.length !== k) {
    return fail(
      'configuration',
      'MODEL.OUTPUT_MISMATCH',
      `The probability output has ${columns} columns but the model names ${modelLabels.length} classes (${modelLabels.join(', ')})`,
    );
  }
  if (configured && configured.length !== k) {
    return fail(
      'configuration',
      'MODEL.OUTPUT_MISMATCH',
      `MRM_ONNX_CLASSES names ${configured.length} classes (${configured.join(', ')}) but the model has ${k}${modelLabels ? ` (${modelLabels.join(', ')})` : ''}`,
    );
  }
  const labels = modelLabels ?? Array.from({ length: k }, (_, i) => String(i));
  const classes = configured ? [...configured] : [...labels];
  if (new Set(classes).size !== k)
    return fail('configuration', 'MODEL.OUTPUT_MISMATCH', `Class names repeat: ${classes.join(', ')}`);
  const columnOfLabel = new Map(labels.map((label, i) => [label, i]));
  // Configured names are labels too, so a label output already speaking them is understood.
  classes.forEach((name, i) => {
    if (!columnOfLabel.has(name)) columnOfLabel.set(name, i);
  });
  return ok({ classes, columnOfLabel, singleColumn });
}

/** Probabilities of one row must be a distribution: finite, within [0, 1], summing to 1 (float32 rounding allowed). */
const TOLERANCE = 1e-3;

/** One outcome per row of the run's outputs, in order; a row that is not a prediction is a failure of its own. */
export function predictionsFrom(
  outputs: Readonly<Record<string, Tensor>>,
  plan: OutputPlan,
  classes: ClassPlan,
  rows: number,
): ScoreOutcome[] {
  const probabilities = outputs[plan.probabilities];
  const width = classes.singleColumn ? 1 : classes.classes.length;
  if (!probabilities || probabilities.data.length !== rows * width) {
    const failure = badOutput(
      `output "${plan.probabilities}" has ${probabilities ? `dims [${probabilities.dims.join(', ')}]` : 'no value'}, not [${rows}, ${width}]`,
    );
    return Array.from({ length: rows }, () => failure);
  }
  const data = probabilities.data as Float32Array | Float64Array;
  const labels = plan.label === null ? null : outputs[plan.label];
  if (labels && labels.data.length !== rows) {
    const failure = badOutput(`output "${plan.label}" has dims [${labels.dims.join(', ')}], not [${rows}]`);
    return Array.from({ length: rows }, () => failure);
  }
  const labelData = labels?.data as ArrayLike<bigint | number | string> | undefined;
  const names = classes.classes;
  const k = names.length;
  // Rows of k probabilities; a single sigmoid column becomes [1 - p, p].
  const p = classes.singleColumn
    ? Float64Array.from({ length: rows * 2 }, (_, i) => (i % 2 === 1 ? data[(i - 1) / 2]! : 1 - data[i / 2]!))
    : data;
  const outcomes: ScoreOutcome[] = new Array(rows);
  for (let r = 0; r < rows; r++) {
    const at = r * k;
    const problem = distributionProblem(p, at, k);
    if (problem) {
      outcomes[r] = badOutput(
        `output "${plan.probabilities}" is not a probability distribution for this event: ${problem}`,
      );
      continue;
    }
    let column = argmax(p, at, k);
    if (labelData) {
      const label = String(labelData[r]);
      const known = classes.columnOfLabel.get(label);
      if (known === undefined) {
        outcomes[r] = badOutput(
          `output "${plan.label}" gave "${label}", which is not one of the classes (${names.join(', ')})`,
        );
        continue;
      }
      column = known;
    }
    outcomes[r] = { ok: true, value: prediction(names, p, at, column) };
  }
  return outcomes;
}

function prediction(names: readonly string[], p: ArrayLike<number>, at: number, column: number): Prediction {
  const probabilities: Record<string, number> = {};
  let max = 0;
  for (let c = 0; c < names.length; c++) {
    const v = p[at + c]!;
    probabilities[names[c]!] = v;
    if (v > max) max = v;
  }
  // Binary: the positive class's probability, as the endpoint scorer reports; multiclass: the top probability.
  return { prediction: names[column]!, probabilities, score: names.length === 2 ? p[at + 1]! : max };
}

function argmax(p: ArrayLike<number>, at: number, k: number): number {
  let best = 0;
  for (let c = 1; c < k; c++) if (p[at + c]! > p[at + best]!) best = c;
  return best;
}

/** Why k values from `at` are no probability distribution, or null when they are one. */
export function distributionProblem(p: ArrayLike<number>, at: number, k: number): string | null {
  let sum = 0;
  for (let c = 0; c < k; c++) {
    const v = p[at + c]!;
    if (!Number.isFinite(v) || v < -TOLERANCE || v > 1 + TOLERANCE) return `column ${c} is ${v}`;
    sum += v;
  }
  return Math.abs(sum - 1) > TOLERANCE ? `the probabilities sum to ${sum}` : null;
}

function badOutput(message: string): { ok: false; error: Failure } {
  return {
    ok: false,
    error: { kind: 'configuration', code: 'SCORER.BAD_RESPONSE', message: `The ONNX model's ${message}` },
  };
}
