import { createHash } from 'node:crypto';
import type { InferenceSession } from 'onnxruntime-node';
import { errorMessage, fail, ok, type Result } from '../../errors.js';
import type { ScoreOutcome, ScoreRequest } from '../../contracts/scorer.js';
import { readOnnxModelFile, withoutZipMap } from './onnxModelFile.js';
import { feedsFor, planInputs, type InputPlan, type ModelSchema, type TensorConstructor } from './onnxInputs.js';
import {
  planClasses,
  planOutputs,
  predictionsFrom,
  type ClassPlan,
  type OutputNames,
  type OutputPlan,
} from './onnxOutputs.js';
import { onnxRuntime } from './onnxRuntime.js';

export interface OnnxModelOptions {
  /** MRM_ONNX_FEATURES: the numeric features of a single-tensor input, in the model's column order. */
  featureOrder?: readonly string[] | undefined;
  /** MRM_ONNX_CLASSES: display names of the probability columns, in order. */
  classes?: readonly string[] | undefined;
  outputs?: OutputNames;
  /** Threads of one run (default 1: an instance scores several partitions' batches at once). */
  threads?: number;
}

/** A loaded model: its session, how a batch feeds it and how its outputs read. */
export class OnnxModel {
  /** `onnx:` and the first 16 hex digits of the file's sha-256. */
  readonly version: string;
  private readonly fetches: string[];

  constructor(
    bytes: Uint8Array,
    private readonly session: InferenceSession,
    private readonly TensorOf: TensorConstructor,
    private readonly schema: ModelSchema,
    readonly inputs: InputPlan,
    readonly outputs: OutputPlan,
    readonly classes: ClassPlan,
  ) {
    this.version = `onnx:${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}`;
    this.fetches = outputs.label === null ? [outputs.probabilities] : [outputs.label, outputs.probabilities];
  }

  /** The batch's events in one run. Rejects when the runtime throws (the caller dead-letters the batch). */
  async predict(requests: readonly ScoreRequest[]): Promise<ScoreOutcome[]> {
    const feeds = feedsFor(this.inputs, requests, this.schema, this.TensorOf);
    const outputs = await this.session.run(feeds, this.fetches);
    return predictionsFrom(outputs, this.outputs, this.classes, requests.length);
  }
}

/**
 * Loads a model for a profile and proves it on one row (the baseline's means and most frequent categories): the
 * bytes must be an ONNX model onnxruntime loads, its inputs must be the profile's features, its outputs a label and
 * class probabilities, and a run must give a probability distribution. Any of these failing is a value naming what
 * does not fit (`MODEL.NOT_ONNX`, `MODEL.INPUT_MISMATCH`, `MODEL.OUTPUT_MISMATCH`, `MODEL.TRIAL_FAILED`).
 */
export async function loadOnnxModel(
  bytes: Uint8Array,
  schema: ModelSchema & { means: Float64Array },
  options: OnnxModelOptions = {},
): Promise<Result<OnnxModel>> {
  const file = readOnnxModelFile(bytes);
  if (!file.ok) return file;
  const unzipped = withoutZipMap(bytes);
  const ort = await onnxRuntime();
  let session: InferenceSession;
  try {
    session = await ort.InferenceSession.create(unzipped.bytes, {
      intraOpNumThreads: options.threads ?? 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      logSeverityLevel: 3,
    });
  } catch (error) {
    return fail('configuration', 'MODEL.NOT_ONNX', `onnxruntime cannot load the model: ${errorMessage(error)}`);
  }
  const release = async <T>(failure: T): Promise<T> => {
    await session.release().catch(() => undefined);
    return failure;
  };
  const inputs = planInputs(session.inputMetadata, schema, options.featureOrder);
  if (!inputs.ok) return release(inputs);
  const outputs = planOutputs(session.outputMetadata, file.value, unzipped.zipMaps, options.outputs ?? {});
  if (!outputs.ok) return release(outputs);

  const trial: ScoreRequest = {
    id: 'trial',
    features: Object.fromEntries(
      schema.features.map((f) => [f.name, f.type === 'categorical' ? (schema.modes[f.name] ?? null) : null]),
    ),
    vector: schema.means,
  };
  let trialOutputs: InferenceSession.ReturnType;
  try {
    const fetches =
      outputs.value.label === null ? [outputs.value.probabilities] : [outputs.value.label, outputs.value.probabilities];
    trialOutputs = await session.run(feedsFor(inputs.value, [trial], schema, ort.Tensor), fetches);
  } catch (error) {
    return release(
      fail(
        'configuration',
        'MODEL.TRIAL_FAILED',
        `The model throws on one row of the baseline's means: ${errorMessage(error)}`,
      ),
    );
  }
  const probabilities = trialOutputs[outputs.value.probabilities]!;
  const classes = planClasses(probabilities.data.length, outputs.value.modelLabels, options.classes);
  if (!classes.ok) return release(classes);
  const [outcome] = predictionsFrom(trialOutputs, outputs.value, classes.value, 1);
  if (outcome && !outcome.ok) {
    const hint = outcome.error.message.includes('distribution') ? '; does the exported graph end with a softmax?' : '';
    return release(
      fail(
        'configuration',
        'MODEL.TRIAL_FAILED',
        `${outcome.error.message} (on one row of the baseline's means${hint})`,
      ),
    );
  }
  return ok(new OnnxModel(bytes, session, ort.Tensor, schema, inputs.value, outputs.value, classes.value));
}
