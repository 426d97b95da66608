import { errorMessage, fail, kindOf, MrmError, ok, type ErrorKind, type Failure, type Result } from '../errors.js';
import type { ProfileForModel } from '../baseline/profile.js';
import type { ScoreOutcome, ScoreRequest, Scorer } from '../contracts/scorer.js';
import type { ModelSchema } from './onnx/onnxInputs.js';
import { loadOnnxModel, type OnnxModel, type OnnxModelOptions } from './onnx/loadOnnxModel.js';
import type { ModelBytes, ModelSource } from './types.js';

/**
 * The `onnx` scorer: the user's own classifier, in process. Each source version is loaded and proved once (see
 * loadOnnxModel); a new version that fails to load is reported and the last good model keeps scoring. Without any
 * good model every event is `SCORER.UNAVAILABLE` (dead-lettered, replayable) with the reason, e.g. the input the
 * model wants and the baseline lacks. A batch's events go through one run; a run that throws fails the batch the
 * same way. `scoreBatch` never rejects.
 */
export class OnnxScorer implements Scorer {
  readonly kind = 'onnx' as const;
  private loaded: { source: string; model: OnnxModel } | undefined;
  private failed: { source: string; error: MrmError } | undefined;
  private loading: Promise<OnnxModel> | undefined;
  private readonly schema: ModelSchema & { means: Float64Array };

  constructor(
    private readonly source: ModelSource,
    profile: ProfileForModel,
    private readonly options: OnnxModelOptions & { onEvent?: (message: string) => void } = {},
  ) {
    this.schema = schemaOf(profile);
  }

  /** The loaded model's content hash, `onnx:<16 hex>`; `onnx:none` before a model has loaded. */
  get modelVersion(): string {
    return this.loaded?.model.version ?? 'onnx:none';
  }

  /** The class names of the loaded model's probability columns. */
  get classes(): readonly string[] {
    return this.loaded?.model.classes.classes ?? [];
  }

  /** Loads the current model now: a failure names the mismatch (the CLI stops on it, the function logs it). */
  async ready(): Promise<Result<void>> {
    try {
      await this.model();
      return ok(undefined);
    } catch (error) {
      return { ok: false, error: failureOf(error) };
    }
  }

  async scoreBatch(requests: readonly ScoreRequest[]): Promise<ScoreOutcome[]> {
    let model: OnnxModel;
    try {
      model = await this.model();
    } catch (error) {
      const failure = failureOf(error);
      return unavailable(
        requests.length,
        `No ONNX model to score with: ${errorMessage(error)}`,
        failure.code,
        failure.kind,
      );
    }
    try {
      return await model.predict(requests);
    } catch (error) {
      return unavailable(
        requests.length,
        `The ONNX model failed on this batch: ${errorMessage(error)}`,
        'MODEL.RUN_FAILED',
        'bug',
      );
    }
  }

  private async model(): Promise<OnnxModel> {
    const current = await this.source.current();
    if (this.loaded?.source === current.version) return this.loaded.model;
    if (this.failed?.source === current.version) {
      if (this.loaded) return this.loaded.model;
      throw this.failed.error;
    }
    this.loading ??= this.load(current).finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async load(current: ModelBytes): Promise<OnnxModel> {
    const result = await loadOnnxModel(current.bytes, this.schema, this.options).catch(
      (error: unknown): Result<OnnxModel> =>
        fail('configuration', 'MODEL.UNAVAILABLE', `onnxruntime-node could not be loaded: ${errorMessage(error)}`),
    );
    if (!result.ok) {
      const error = new MrmError(result.error.kind, result.error.code, `${current.where}: ${result.error.message}`, {
        detail: result.error.detail,
      });
      this.failed = { source: current.version, error };
      if (this.loaded) {
        this.options.onEvent?.(`Keeping ONNX model ${this.loaded.model.version}: ${error.message}`);
        return this.loaded.model;
      }
      this.options.onEvent?.(error.message);
      throw error;
    }
    // The previous session is not released here: batches may still be running on it. Dropping the last reference
    // lets the runtime free it.
    this.loaded = { source: current.version, model: result.value };
    this.failed = undefined;
    this.options.onEvent?.(
      `Loaded ONNX model ${result.value.version} from ${current.where} (classes ${result.value.classes.classes.join(', ')})`,
    );
    return result.value;
  }
}

/** What the model is fed from: the profile's features, the order of the request vector, the imputation values. */
function schemaOf(profile: ProfileForModel): ModelSchema & { means: Float64Array } {
  const modes: Record<string, string> = {};
  for (const feature of profile.features) {
    if (feature.type !== 'categorical') continue;
    const frequencies = Object.entries(profile.categorical[feature.name]?.frequencies ?? {});
    frequencies.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    if (frequencies[0]) modes[feature.name] = frequencies[0][0];
  }
  return {
    features: profile.features,
    numericInputs: profile.model.inputs,
    modes,
    means: Float64Array.from(profile.model.inputs, (name) => profile.numeric[name]?.mean ?? 0),
  };
}

function failureOf(error: unknown): Failure {
  if (error instanceof MrmError)
    return {
      kind: error.kind,
      code: error.code,
      message: error.message,
      ...(error.detail ? { detail: error.detail } : {}),
    };
  return { kind: kindOf(error), code: 'MODEL.UNAVAILABLE', message: errorMessage(error) };
}

function unavailable(count: number, message: string, cause: string, kind: ErrorKind): ScoreOutcome[] {
  const outcome: ScoreOutcome = { ok: false, error: { kind, code: 'SCORER.UNAVAILABLE', message, detail: { cause } } };
  return Array.from({ length: count }, () => outcome);
}
