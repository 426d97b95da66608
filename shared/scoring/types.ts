import type { ModelKind } from '../contracts/records.js';
import type { Scorer } from '../contracts/scorer.js';
import type { ConfidenceOptions } from './confidence.js';
import type { EventContract } from './eventContract.js';
import type { ExtractionDefence } from './extractionDefence.js';
import type { InputValidator } from './inputValidator.js';
import type { OutputProtection } from './outputProtection.js';

/** Everything scoring needs, built once per profile version and reused across batches. */
export interface ScoringEngine {
  profileVersion: string;
  contract: EventContract;
  validator: InputValidator;
  defence: ExtractionDefence;
  scorer: Scorer;
  /** Confidence is judged for a classifier only: the forest's anomaly probability says nothing of class confidence. */
  modelKind: ModelKind;
  confidence: ConfidenceOptions;
  protection: { mode: OutputProtection; sigma: number };
  includeProbabilities: boolean;
  random: () => number;
}

/** The model file as a source has it now. */
export interface ModelBytes {
  bytes: Uint8Array;
  /** Changes when the model does (a blob's ETag); the scorer loads each version once. */
  version: string;
  /** Where it came from, for messages (`models/model.onnx`, a file path). */
  where: string;
}

/** Where the model comes from: a blob (reloaded on a new ETag) or a file. Rejects with `MODEL.UNAVAILABLE`. */
export interface ModelSource {
  current(): Promise<ModelBytes>;
}
