import { compileForest } from '../baseline/compileForest.js';
import type { BaselineProfile } from '../baseline/profile.js';
import type { Settings } from '../config/settings.js';
import { compileEventContract } from './eventContract.js';
import { ExtractionDefence } from './extractionDefence.js';
import { ForestScorer } from './forestScorer.js';
import { InputValidator } from './inputValidator.js';
import type { ScoringEngine } from './scoreBatch.js';
import { modelKindOf, type Scorer } from './scorer.js';

/**
 * Builds the scoring engine of one profile version: compiled contract, validator, forest, extraction defence. The
 * embedded forest (an input-anomaly detector) scores by default; an `aml` or `onnx` scorer (a classifier) built by
 * the adapter layer can be passed in instead.
 */
export function createScoringEngine(
  profile: BaselineProfile,
  settings: Settings['scoring'],
  options: { scorer?: (profile: BaselineProfile) => Scorer; random?: () => number } = {},
): ScoringEngine {
  const forest = compileForest(profile.model.forest);
  const validator = new InputValidator(profile, forest, {
    zScoreThreshold: settings.zScoreThreshold,
    rejectIssueCount: settings.rejectIssueCount,
  });
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
