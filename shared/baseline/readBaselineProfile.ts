import { fail, ok, type Result } from '../errors.js';
import { readSerializedForest } from './serializedForest.js';
import type { BaselineProfile, ValidationProfile } from './profile.js';
import { isReservedFeatureName, RESERVED_FEATURE_NAME_REASON } from '../contracts/featureName.js';

/**
 * Checks an untrusted baseline profile (read from storage or a file) before anything uses it, so a truncated upload
 * or a file of another kind fails with a message naming what is wrong instead of a crash while scoring.
 */
export function readBaselineProfile(value: unknown, source: string): Result<BaselineProfile> {
  const invalid = (why: string) =>
    fail('configuration', 'PROFILE.INVALID', `${source} is not a usable baseline profile: ${why}`);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return invalid('not a JSON object');
  const v = value as Partial<BaselineProfile> & Record<string, unknown>;
  if (v.kind !== 'mrm.baseline') return invalid(`kind must be "mrm.baseline", got ${JSON.stringify(v.kind)}`);
  if ((v.formatVersion as number | undefined) === 1)
    return invalid(
      'formatVersion 1 predates calibrated validation and the held-out split; rebuild it with `mrm baseline` (this build reads 2)',
    );
  if (v.formatVersion !== 2)
    return invalid(`formatVersion ${JSON.stringify(v.formatVersion)} is not supported (this build reads 2)`);
  if (typeof v.profileVersion !== 'string' || v.profileVersion === '') return invalid('profileVersion is missing');
  if (!Array.isArray(v.features) || v.features.length === 0) return invalid('features must be a non-empty array');
  for (const f of v.features) {
    if (typeof f?.name !== 'string' || (f.type !== 'numeric' && f.type !== 'categorical')) {
      return invalid(`feature ${JSON.stringify(f)} needs a name and a type of numeric or categorical`);
    }
    if (isReservedFeatureName(f.name))
      return invalid(`feature name "${f.name}" is reserved (${RESERVED_FEATURE_NAME_REASON})`);
    const stats = f.type === 'numeric' ? v.numeric?.[f.name] : v.categorical?.[f.name];
    if (!stats) return invalid(`feature "${f.name}" has no ${f.type} statistics`);
    if (f.type === 'numeric') {
      const s = stats as BaselineProfile['numeric'][string];
      for (const key of ['min', 'max', 'mean', 'std'] as const) {
        if (typeof s[key] !== 'number' || !Number.isFinite(s[key]))
          return invalid(`numeric.${f.name}.${key} must be a finite number`);
      }
    }
  }
  const model = v.model;
  if (!model || model.kind !== 'isolation-forest') return invalid('model.kind must be "isolation-forest"');
  if (!Array.isArray(model.classes) || model.classes.length !== 2)
    return invalid('model.classes must name two classes');
  if (!Array.isArray(model.inputs) || model.inputs.some((name) => !v.numeric?.[name])) {
    return invalid('model.inputs must name numeric features of the profile');
  }
  const forest = readSerializedForest(model.forest);
  if (!forest.ok) return invalid(forest.error.message);
  if (forest.value.columns !== model.inputs.length) {
    return invalid(`the forest reads ${forest.value.columns} columns but model.inputs names ${model.inputs.length}`);
  }
  if (!model.calibration || typeof model.calibration.slope !== 'number') return invalid('model.calibration is missing');
  const validation = readValidation(v.validation, model.inputs);
  if (validation !== undefined) return invalid(validation);
  if (!v.heldOut || typeof v.heldOut.rows !== 'number') return invalid('heldOut (the held-out split) is missing');
  if (!v.schema || !v.data) return invalid('schema and data (the drift profile) are missing');
  // The drift reads events through a contract of the schema's features: they must be the profile's, by name and type.
  const schemaFeatures = Array.isArray(v.schema.features) ? v.schema.features : [];
  const sameFeatures =
    schemaFeatures.length === v.features.length &&
    v.features.every((f) => schemaFeatures.some((s) => s?.name === f.name && s?.type === f.type));
  if (!sameFeatures) return invalid("schema.features must name the profile's features, with the same types");
  const scoredBy = v.heldOut.scoredBy as Partial<BaselineProfile['heldOut']['scoredBy']> | undefined;
  if (scoredBy === undefined) {
    // Profiles written before `--model` existed were all scored by the embedded forest.
    return ok({
      ...v,
      heldOut: {
        ...v.heldOut,
        scoredBy: { scorer: 'forest', modelVersion: model.version, classes: [...model.classes] },
      },
    } as BaselineProfile);
  }
  if ((scoredBy.scorer !== 'forest' && scoredBy.scorer !== 'onnx') || !Array.isArray(scoredBy.classes))
    return invalid('heldOut.scoredBy must name the scorer (forest or onnx) and its classes');
  return ok(v as BaselineProfile);
}

/** What is wrong with the validation rules, if anything: the validator indexes them without further checks. */
function readValidation(value: unknown, inputs: readonly string[]): string | undefined {
  if (typeof value !== 'object' || value === null) return 'validation (the calibrated rules) is missing';
  const v = value as Partial<ValidationProfile>;
  if (v.method !== 'calibrated-max-surprise') return `validation.method ${JSON.stringify(v.method)} is not supported`;
  const bounds = (b: unknown): boolean =>
    Array.isArray(b) && b.length === 2 && b.every((x) => typeof x === 'number' && !Number.isNaN(x));
  if (!Array.isArray(v.numeric) || v.numeric.length !== inputs.length)
    return `validation.numeric must hold one rule per model input (${inputs.length})`;
  for (let i = 0; i < inputs.length; i++) {
    const rule = v.numeric[i];
    if (!rule || rule.name !== inputs[i] || !bounds(rule.flag) || !bounds(rule.reject))
      return `validation.numeric[${i}] must be the rule of "${inputs[i]}" with flag and reject bounds`;
  }
  const r = v.residuals;
  if (r !== null) {
    const p = inputs.length;
    const finite = (a: unknown, length: number): boolean =>
      Array.isArray(a) && a.length === length && a.every((x) => typeof x === 'number' && Number.isFinite(x));
    const terms =
      r !== undefined &&
      Array.isArray(r.predictors) &&
      Array.isArray(r.weights) &&
      r.predictors.length === p &&
      r.weights.length === p &&
      r.predictors.every(
        (ks, j) =>
          Array.isArray(ks) &&
          ks.every((k) => Number.isInteger(k) && k >= 0 && k < p && k !== j) &&
          finite(r.weights[j], ks.length),
      );
    if (
      !r ||
      !finite(r.means, p) ||
      !terms ||
      !Array.isArray(r.flag) ||
      !Array.isArray(r.reject) ||
      r.flag.length !== p ||
      r.reject.length !== p ||
      !r.flag.every(bounds) ||
      !r.reject.every(bounds)
    )
      return `validation.residuals must be null or hold ${p} means, predictors and weights of other inputs, and ${p} bounds`;
  }
  if (typeof v.anomaly?.flag !== 'number' || typeof v.anomaly.reject !== 'number')
    return 'validation.anomaly must hold flag and reject bounds';
  if (typeof v.categorical !== 'object' || v.categorical === null) return 'validation.categorical is missing';
  return undefined;
}
