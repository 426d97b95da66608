import type { BaselineProfile } from '../baseline/profile.js';
import type { Settings, Environment } from '../config/settings.js';
import type { Scorer } from '../scoring/scorer.js';
import { AmlEndpointScorer } from './amlEndpointScorer.js';
import { credentialFor } from './blobServiceClient.js';

/**
 * The scorer the settings ask for: undefined for the embedded forest (the engine builds it from the profile), or a
 * factory of the Azure ML endpoint scorer, authenticated with the managed identity (or a key, locally).
 */
export function scorerFromSettings(
  settings: Settings,
  env: Environment,
): ((profile: BaselineProfile) => Scorer) | undefined {
  const s = settings.scoring;
  if (s.scorer === 'forest') return undefined;
  const auth =
    s.amlAuth === 'key'
      ? { kind: 'key' as const, key: s.amlKey ?? '' }
      : { kind: 'entra' as const, credential: credentialFor('MRM_AML', env) };
  return (profile) =>
    new AmlEndpointScorer({
      endpointUrl: s.amlEndpointUrl ?? '',
      auth,
      deployment: s.amlDeployment,
      columns: profile.features.map((f) => f.name),
      classes: s.amlClasses ? s.amlClasses.split(',').map((c) => c.trim()) : profile.model.classes,
      requestFormat: s.amlRequestFormat,
      responseFormat: s.amlResponseFormat,
      timeoutInMs: s.amlTimeoutInMs,
      maxRetries: s.amlMaxRetries,
      maxBatchSize: s.amlMaxBatchSize,
      concurrency: s.amlConcurrency,
      retryBaseDelayInMs: s.amlRetryBaseDelayInMs,
      maxRetryWaitInMs: s.amlMaxRetryWaitInMs,
      breakerFailures: s.amlBreakerFailures,
      breakerCooldownInMs: s.amlBreakerCooldownInMs,
    });
}
