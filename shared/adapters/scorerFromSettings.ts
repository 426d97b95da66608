import type { BaselineProfile } from '../baseline/profile.js';
import type { Settings, Environment } from '../config/settings.js';
import type { Scorer } from '../scoring/scorer.js';
import { AmlEndpointScorer } from './amlEndpointScorer.js';
import { credentialFor } from './blobServiceClient.js';

/**
 * The scorer the settings ask for: undefined for the embedded forest (the engine builds it from the profile), or a
 * factory of the Azure ML endpoint scorer for each profile version (its columns and classes come from the profile).
 * One credential serves every version, so its token cache survives profile reloads.
 */
export function scorerFromSettings(
  settings: Settings,
  env: Environment,
): ((profile: BaselineProfile) => Scorer) | undefined {
  if (settings.scoring.scorer === 'forest') return undefined;
  const credential = settings.scoring.amlAuth === 'entra' ? credentialFor('MRM_AML', env) : undefined;
  return (profile) =>
    AmlEndpointScorer.fromSettings(
      settings,
      { columns: profile.features.map((f) => f.name), classes: profile.model.classes },
      credential ? { credential } : {},
    );
}
