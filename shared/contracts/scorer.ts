import type { Failure, Result } from '../errors.js';
import type { FeatureValue, ModelKind } from './records.js';

/** One valid, sanitised event handed to a scorer. */
export interface ScoreRequest {
  id: string;
  /** Sanitised features by name (numeric values clipped to the baseline range, missing numerics imputed). */
  features: Readonly<Record<string, FeatureValue>>;
  /** The profile's numeric features in profile order, as the embedded model reads them. */
  vector: Float64Array;
  /**
   * The profile forest's score of `vector`, already computed by input validation. The embedded scorer reuses it
   * instead of walking the trees twice; other scorers ignore it.
   */
  anomalyScore?: number;
}

export interface Prediction {
  /** Predicted class name. */
  prediction: string;
  /** Probability per class name; sums to 1. */
  probabilities: Record<string, number>;
  /** A model-specific score (the forest's anomaly score; the endpoint's positive-class probability), or null. */
  score: number | null;
}

/** Per event: a prediction, or a failure such as `SCORER.UNAVAILABLE` (the event is then dead-lettered, replayable). */
export type ScoreOutcome = { ok: true; value: Prediction } | { ok: false; error: Failure };

/**
 * A model behind one interface: the embedded isolation forest (`forest`), an Azure ML online endpoint (`aml`) or the
 * user's ONNX model in process (`onnx`). `scoreBatch` never rejects for a per-event or service failure: it answers one
 * outcome per request, in order.
 */
export interface Scorer {
  readonly kind: 'forest' | 'aml' | 'onnx';
  readonly modelVersion: string;
  scoreBatch(requests: readonly ScoreRequest[], options?: { signal?: AbortSignal }): Promise<ScoreOutcome[]>;
  /** Loads what the scorer needs now, when it loads anything: a failure names what is wrong with it. */
  ready?(): Promise<Result<void>>;
}

export function modelKindOf(kind: Scorer['kind']): ModelKind {
  return kind === 'forest' ? 'input-anomaly-detector' : 'classifier';
}
