import type { BaselineProfile } from '../baseline/profile.js';
import type { Settings, Environment } from '../config/settings.js';
import type { Scorer } from '../contracts/scorer.js';
import { OnnxScorer } from '../scoring/onnxScorer.js';
import type { ModelSource } from '../scoring/types.js';
import type { OnnxModelOptions } from '../scoring/onnx/loadOnnxModel.js';
import { AmlEndpointScorer } from './amlEndpointScorer.js';
import { BlobModelSource } from './blobModelSource.js';
import { blobServiceClientFor, credentialFor } from './blobServiceClient.js';
import { FileModelSource } from './fileModelSource.js';

export interface ScorerChoice {
  /** An ONNX model file (the CLI's `--model`): scores with it whatever MRM_SCORER says. */
  modelFile?: string | undefined;
  /** Told when an ONNX model loads, or a new one is refused. */
  onEvent?: (message: string) => void;
}

/**
 * The scorer the settings ask for: undefined for the embedded forest (the engine builds it from the profile), or a
 * factory for each profile version: the Azure ML endpoint scorer (its columns and classes from the profile), or the
 * ONNX scorer over the model blob (or file). One credential, one model source serve every version, so the token
 * cache and the downloaded model survive profile reloads.
 */
export function scorerFromSettings(
  settings: Settings,
  env: Environment,
  choice: ScorerChoice = {},
): ((profile: BaselineProfile) => Scorer) | undefined {
  if (choice.modelFile !== undefined || settings.scoring.scorer === 'onnx') {
    const source = choice.modelFile !== undefined ? new FileModelSource(choice.modelFile) : modelBlob(settings, env);
    const options = { ...onnxOptionsFrom(settings), ...(choice.onEvent ? { onEvent: choice.onEvent } : {}) };
    return (profile) => new OnnxScorer(source, profile, options);
  }
  if (settings.scoring.scorer === 'forest') return undefined;
  const credential = settings.scoring.amlAuth === 'entra' ? credentialFor('MRM_AML', env) : undefined;
  return (profile) =>
    AmlEndpointScorer.fromSettings(
      settings,
      { columns: profile.features.map((f) => f.name), classes: profile.model.classes },
      credential ? { credential } : {},
    );
}

/** How the MRM_ONNX_* settings read the model: feature order, class names, outputs, threads. */
export function onnxOptionsFrom(settings: Settings): OnnxModelOptions {
  const s = settings.scoring;
  return {
    featureOrder: list(s.onnxFeatures),
    classes: list(s.onnxClasses),
    outputs: { label: s.onnxLabelOutput, probabilities: s.onnxProbabilityOutput },
    threads: s.onnxThreads,
  };
}

function modelBlob(settings: Settings, env: Environment): ModelSource {
  try {
    const container = blobServiceClientFor(settings.core.storageConnection, env).getContainerClient(
      settings.scoring.onnxModelContainer,
    );
    return new BlobModelSource(container, settings.scoring.onnxModelBlob, {
      reloadCheckInMs: settings.scoring.profileReloadCheckInMs,
    });
  } catch (error) {
    // A storage connection that cannot be built is every batch's SCORER.UNAVAILABLE, not a function that won't start.
    return { current: () => Promise.reject(error instanceof Error ? error : new Error(String(error))) };
  }
}

function list(text: string | undefined): string[] | undefined {
  const items = text
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return items && items.length > 0 ? items : undefined;
}
