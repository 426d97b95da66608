import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { fail, ok, type Failure, type Result } from '../../errors.js';
import type { BaselineFeature } from '../../baseline/profile.js';
import type { ScoreRequest } from '../../contracts/scorer.js';

/** What the scorer knows of the events it feeds the model: the profile's features and the order of `vector`. */
export interface ModelSchema {
  features: readonly BaselineFeature[];
  /** The profile's numeric features in the order of ScoreRequest.vector. */
  numericInputs: readonly string[];
  /** Most frequent category per categorical feature: what a missing category is fed as (numerics get the mean). */
  modes: Readonly<Record<string, string>>;
}

type NumberType = 'float32' | 'float64' | 'int64' | 'int32';
type InputType = NumberType | 'string';
const INPUT_TYPES: readonly string[] = ['float32', 'float64', 'int64', 'int32', 'string'];

/**
 * How a batch becomes the model's feeds. `matrix`: one [rows, features] tensor of numeric features in a declared
 * order (skl2onnx and onnxmltools with one FloatTensorType, torch.onnx). `named`: one [rows, 1] (or [rows]) input per
 * feature, named after it (a DataFrame pipeline exported with one initial type per column).
 */
export type InputPlan =
  | { kind: 'matrix'; input: string; type: 'float32' | 'float64'; features: string[]; columns: Int32Array }
  | { kind: 'named'; inputs: NamedInput[] };

interface NamedInput {
  input: string;
  type: InputType;
  /** [rows] or [rows, 1]. */
  rank: 1 | 2;
  feature: string;
  /** Position in ScoreRequest.vector of a numeric feature; -1 for a categorical one. */
  numericIndex: number;
}

/**
 * Matches the model's declared inputs with the profile's features, or names what does not fit: an input that is no
 * feature, a categorical feature into a number input, a width that is not the number of features, a fixed batch.
 */
export function planInputs(
  metadata: readonly InferenceSession.ValueMetadata[],
  schema: ModelSchema,
  featureOrder: readonly string[] | undefined,
): Result<InputPlan> {
  const types = new Map(schema.features.map((f) => [f.name, f.type]));
  const numericIndex = new Map(schema.numericInputs.map((name, i) => [name, i]));
  const problems: string[] = [];
  for (const m of metadata) {
    if (!m.isTensor) problems.push(`input "${m.name}" is not a tensor`);
    else if (!INPUT_TYPES.includes(m.type))
      problems.push(`input "${m.name}" is ${m.type}, which the scorer cannot feed`);
    else if (typeof m.shape[0] === 'number' && m.shape[0] > 0)
      problems.push(
        `input "${m.name}" has a fixed batch size of ${m.shape[0]} (export it with a dynamic first axis: None in skl2onnx initial_types, dynamic_axes in torch.onnx.export)`,
      );
  }
  if (metadata.length === 0) problems.push('the model declares no input');
  if (problems.length > 0) return mismatch(problems);
  const tensors = metadata as readonly InferenceSession.TensorValueMetadata[];

  const only = tensors.length === 1 ? tensors[0]! : undefined;
  if (only && !(types.has(only.name) && width(only) === 1)) {
    if (only.type !== 'float32' && only.type !== 'float64') {
      return mismatch([
        `its one input "${only.name}" is ${only.type}: one input of all features must be float or double`,
      ]);
    }
    if (only.shape.length !== 2) {
      return mismatch([`its one input "${only.name}" has shape [${only.shape.join(', ')}], not [rows, features]`]);
    }
    const order = featureOrder ?? schema.numericInputs;
    const unknown = order.filter((name) => !numericIndex.has(name));
    if (unknown.length > 0) {
      return mismatch([
        `MRM_ONNX_FEATURES names ${unknown.map((n) => `"${n}"`).join(', ')}, which ${unknown.length === 1 ? 'is not a numeric feature' : 'are not numeric features'} of the baseline (${schema.numericInputs.join(', ')})`,
      ]);
    }
    const declared = only.shape[1];
    if (typeof declared === 'number' && declared > 0 && declared !== order.length) {
      return mismatch([
        `its input "${only.name}" takes ${declared} features per row, but ${featureOrder ? 'MRM_ONNX_FEATURES names' : 'the baseline has'} ${order.length} numeric features (${order.join(', ')})`,
      ]);
    }
    return ok({
      kind: 'matrix',
      input: only.name,
      type: only.type,
      features: [...order],
      columns: Int32Array.from(order, (name) => numericIndex.get(name)!),
    });
  }

  const inputs: NamedInput[] = [];
  for (const m of tensors) {
    const type = types.get(m.name);
    if (type === undefined) {
      problems.push(`input "${m.name}" is not a feature of the baseline`);
      continue;
    }
    if (m.shape.length > 2 || width(m) !== 1) {
      problems.push(`input "${m.name}" has shape [${m.shape.join(', ')}], not [rows, 1]`);
      continue;
    }
    if (type === 'categorical' && m.type !== 'string') {
      problems.push(
        `input "${m.name}" is ${m.type}, but "${m.name}" is a categorical (string) feature of the baseline`,
      );
      continue;
    }
    inputs.push({
      input: m.name,
      type: m.type as InputType,
      rank: m.shape.length === 1 ? 1 : 2,
      feature: m.name,
      numericIndex: type === 'numeric' ? numericIndex.get(m.name)! : -1,
    });
  }
  if (problems.length > 0) {
    return mismatch([
      ...problems,
      `the baseline's features are ${schema.features.map((f) => `${f.name} (${f.type})`).join(', ')}`,
    ]);
  }
  return ok({ kind: 'named', inputs });
}

function width(m: InferenceSession.TensorValueMetadata): number | undefined {
  if (m.shape.length === 1) return 1;
  const w = m.shape[1];
  return typeof w === 'number' && w > 0 ? w : undefined;
}

function mismatch(problems: readonly string[]): { ok: false; error: Failure } {
  return fail(
    'configuration',
    'MODEL.INPUT_MISMATCH',
    `The model's inputs do not fit the baseline: ${problems.join('; ')}`,
    {
      problems,
    },
  );
}

/** The Tensor constructor of the loaded runtime (passed in: the runtime is imported only when the scorer is onnx). */
export type TensorConstructor = typeof Tensor;

/** The feeds of one `run` over the batch: every event's row in one tensor (or one tensor per input). */
export function feedsFor(
  plan: InputPlan,
  requests: readonly ScoreRequest[],
  schema: ModelSchema,
  TensorOf: TensorConstructor,
): Record<string, Tensor> {
  const rows = requests.length;
  if (plan.kind === 'matrix') {
    const width = plan.columns.length;
    const data = plan.type === 'float32' ? new Float32Array(rows * width) : new Float64Array(rows * width);
    const columns = plan.columns;
    for (let r = 0; r < rows; r++) {
      const vector = requests[r]!.vector;
      const at = r * width;
      for (let c = 0; c < width; c++) data[at + c] = vector[columns[c]!]!;
    }
    return { [plan.input]: new TensorOf(plan.type, data, [rows, width]) };
  }
  const feeds: Record<string, Tensor> = {};
  for (const input of plan.inputs) {
    const dims = input.rank === 1 ? [rows] : [rows, 1];
    if (input.type === 'string') {
      const data: string[] = new Array(rows);
      for (let r = 0; r < rows; r++) data[r] = textOf(requests[r]!, input, schema);
      feeds[input.input] = new TensorOf('string', data, dims);
    } else {
      feeds[input.input] = new TensorOf(
        input.type,
        numbersOf(requests, input as NamedInput & { type: NumberType }),
        dims,
      );
    }
  }
  return feeds;
}

function numbersOf(
  requests: readonly ScoreRequest[],
  input: NamedInput & { type: NumberType },
): Float32Array | Float64Array | Int32Array | BigInt64Array {
  const rows = requests.length;
  // A numeric feature comes from the clipped, imputed vector (planInputs sends no categorical one to a number input);
  // an integer input gets it rounded, as the integer column it was trained on held it. Plain loops: a typed array's
  // `from` with a mapping function costs several times more on V8, once per input per batch.
  const at = input.numericIndex;
  if (input.type === 'int64') {
    const data = new BigInt64Array(rows);
    for (let r = 0; r < rows; r++) data[r] = BigInt(Math.round(requests[r]!.vector[at]!));
    return data;
  }
  const data =
    input.type === 'float32'
      ? new Float32Array(rows)
      : input.type === 'float64'
        ? new Float64Array(rows)
        : new Int32Array(rows);
  const round = input.type === 'int32';
  for (let r = 0; r < rows; r++) {
    const v = requests[r]!.vector[at]!;
    data[r] = round ? Math.round(v) : v;
  }
  return data;
}

function textOf(request: ScoreRequest, input: NamedInput, schema: ModelSchema): string {
  if (input.numericIndex >= 0) return String(request.vector[input.numericIndex]);
  const value = request.features[input.feature];
  return value === null || value === undefined ? (schema.modes[input.feature] ?? '') : String(value);
}
