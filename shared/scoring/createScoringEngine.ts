import { compileForest } from '../baseline/compileForest.js';
import type { BaselineProfile } from '../baseline/profile.js';
import { compileEventContract } from '../contracts/eventContract.js';
import { ExtractionDefence } from './extractionDefence.js';
import { ForestScorer } from '../baseline/forestScorer.js';
import { InputValidator } from './inputValidator.js';
import type { ScoringEngine } from './types.js';
import type { OutputProtection } from './outputProtection.js';
import { modelKindOf, type Scorer } from '../contracts/scorer.js';

/** The scoring settings the engine reads (a slice of the app's settings, MRM_* in shared/config/sections/scoring.ts). */
export interface ScoringEngineSettings {
  queryLimit: number;
  queryWindowInSeconds: number;
  probingMinQueries: number;
  probingShare: number;
  maxBodyBytes: number;
  minConfidence: number;
  maxEntropyRatio: number;
  minMargin: number;
  outputProtection: OutputProtection;
  outputNoiseSigma: number;
  includeProbabilities: boolean;
}

/**
 * Builds the scoring engine of one profile version: compiled contract, validator, forest, extraction defence. The
 * embedded forest (an input-anomaly detector) scores by default; an `aml` or `onnx` scorer (a classifier) built by
 * the adapter layer can be passed in instead.
 */
export function createScoringEngine(
  profile: BaselineProfile,
  settings: ScoringEngineSettings,
  options: { scorer?: (profile: BaselineProfile) => Scorer; random?: () => number } = {},
): ScoringEngine {
  const forest = compileForest(profile.model.forest);
  const validator = new InputValidator(profile, forest);
  const inputs = profile.model.inputs;
  const defence = new ExtractionDefence(
    {
      queryLimit: settings.queryLimit,
      queryWindowInSeconds: settings.queryWindowInSeconds,
      probingMinQueries: settings.probingMinQueries,
      probingShare: settings.probingShare,
    },
    {
      means: Float64Array.from(inputs, (name) => profile.numeric[name]?.mean ?? 0),
      stds: Float64Array.from(inputs, (name) => profile.numeric[name]?.std ?? 1),
    },
  );
  const scorer = options.scorer
    ? options.scorer(profile)
    : new ForestScorer(profile.model, forest, profile.model.calibration);
  return {
    profileVersion: profile.profileVersion,
    contract: compileEventContract(profile.features, { maxBodyBytes: settings.maxBodyBytes }),
    validator,
    defence,
    scorer,
    modelKind: modelKindOf(scorer.kind),
    confidence: {
      minConfidence: settings.minConfidence,
      maxEntropyRatio: settings.maxEntropyRatio,
      minMargin: settings.minMargin,
    },
    protection: { mode: settings.outputProtection, sigma: settings.outputNoiseSigma },
    includeProbabilities: settings.includeProbabilities,
    random: options.random ?? Math.random,
  };
}
