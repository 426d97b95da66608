/**
 * The event contract (what producers send to the `events` hub) and the scored record (what scoreEvents sends to the
 * `scored` hub). Both are captured by Event Hubs Capture and read back by weeklyDrift.
 */
export type FeatureValue = number | string | null;

/**
 * What the model is. Without a model of the user's, the profile's isolation forest scores how unusual an event's
 * inputs are: an input-anomaly detector, whose "probabilities" are no class confidence. The user's own model (an Azure
 * ML endpoint, an ONNX file) is a classifier, whose confidence is judged.
 */
export type ModelKind = 'input-anomaly-detector' | 'classifier';

export interface InputEvent {
  id: string;
  callerId?: string;
  /** ISO-8601. */
  timestamp?: string;
  features: Record<string, FeatureValue>;
  label?: number | string;
}

export type Risk = 'LOW' | 'MEDIUM' | 'HIGH';
export type Decision = 'ACCEPT' | 'FLAG' | 'MANUAL_REVIEW' | 'REJECT';

export interface ValidationIssue {
  /** Stable code, e.g. `VALIDATION.OUT_OF_RANGE`, `VALIDATION.INCONSISTENT`, `VALIDATION.ANOMALY`, `VALIDATION.UNSEEN_CATEGORY`. */
  code: string;
  feature?: string;
  message: string;
}

export interface ScoredRecord {
  kind: 'mrm.scored';
  id: string;
  callerId: string | null;
  partition: string | null;
  sequenceNumber: number | null;
  enqueuedTime: string | null;
  /** Features after sanitising (clipped to the baseline range). */
  features: Record<string, FeatureValue>;
  label: number | string | null;
  /** Predicted class; null when the event was rejected before scoring. */
  prediction: string | null;
  probabilities: Record<string, number> | null;
  /**
   * Model score: for the forest, the isolation-forest anomaly score in [0, 1]; for a binary classifier, the positive
   * class's probability; for a multiclass one, the top probability.
   */
  score: number | null;
  /** A classifier's max probability and entropy (nats); null for the input-anomaly detector and rejected events. */
  confidence: number | null;
  entropy: number | null;
  risk: Risk;
  issues: ValidationIssue[];
  decision: Decision;
  reasons: string[];
  modelVersion: string;
  /**
   * `classifier` (your model: Azure ML endpoint or ONNX) or `input-anomaly-detector` (no model of yours: the profile's
   * isolation forest, whose prediction says how unusual the inputs are, not what the outcome is).
   */
  modelKind: ModelKind;
  profileVersion: string;
  scoredAt: string;
}
