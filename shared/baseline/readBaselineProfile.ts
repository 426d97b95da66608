import { fail, ok, type Result } from '../errors.js';
import { readSerializedForest } from './serializedForest.js';
import type { BaselineProfile } from './profile.js';

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
  if (v.formatVersion !== 1)
    return invalid(`formatVersion ${JSON.stringify(v.formatVersion)} is not supported (this build reads 1)`);
  if (typeof v.profileVersion !== 'string' || v.profileVersion === '') return invalid('profileVersion is missing');
  if (!Array.isArray(v.features) || v.features.length === 0) return invalid('features must be a non-empty array');
  for (const f of v.features) {
    if (typeof f?.name !== 'string' || (f.type !== 'numeric' && f.type !== 'categorical')) {
      return invalid(`feature ${JSON.stringify(f)} needs a name and a type of numeric or categorical`);
    }
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
  if (!v.schema || !v.data) return invalid('schema and data (the drift profile) are missing');
  return ok(v as BaselineProfile);
}
