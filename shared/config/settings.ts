import { fail, ok, type Failure, type Result } from '../errors.js';
import type { SettingSpec } from './setting.js';
import { coreSettings } from './sections/core.js';
import { scoringSettings } from './sections/scoring.js';
import { driftSettings } from './sections/drift.js';
import { retrainingSettings } from './sections/retraining.js';
import { streamSettings } from './sections/stream.js';

/** Every setting of the app, grouped by the part that reads it. */
export const settingSections = {
  core: coreSettings,
  scoring: scoringSettings,
  drift: driftSettings,
  retraining: retrainingSettings,
  stream: streamSettings,
} as const;

type Section = Record<string, SettingSpec<unknown>>;
type ValuesOf<S> = { readonly [K in keyof S]: S[K] extends SettingSpec<infer T> ? T : never };
export type Settings = { readonly [K in keyof typeof settingSections]: ValuesOf<(typeof settingSections)[K]> };

export type Environment = Readonly<Record<string, string | undefined>>;

/** Every declared setting, flat, for docs and consistency tests. */
export function allSettingSpecs(): SettingSpec<unknown>[] {
  return Object.values(settingSections).flatMap((section) => Object.values(section as Section));
}

/**
 * Reads and validates every setting once (at cold start). Collects every problem, so one deploy fixes them all, and
 * names each bad setting with what it expected.
 */
export function loadSettings(env: Environment): Result<Settings> {
  const problems: string[] = [];
  const settings: Record<string, Record<string, unknown>> = {};
  for (const [sectionName, section] of Object.entries(settingSections) as [string, Section][]) {
    const values: Record<string, unknown> = {};
    for (const [key, spec] of Object.entries(section)) {
      const raw = env[spec.env];
      if (raw === undefined || raw.trim() === '') {
        values[key] = spec.defaultValue;
        continue;
      }
      const parsed = spec.parse(raw);
      if (parsed.ok) values[key] = parsed.value;
      else problems.push(`${spec.env}: ${parsed.error}`);
    }
    settings[sectionName] = values;
  }
  const typed = settings as unknown as Settings;
  if (problems.length === 0) problems.push(...crossChecks(typed));
  if (problems.length > 0) return configFailure(problems);
  return ok(typed);
}

function crossChecks(settings: Settings): string[] {
  const problems: string[] = [];
  if (settings.scoring.scorer === 'aml' && !settings.scoring.amlEndpointUrl) {
    problems.push('MRM_AML_ENDPOINT_URL: required when MRM_SCORER=aml');
  }
  if (settings.scoring.scorer === 'aml' && settings.scoring.amlAuth === 'key' && !settings.scoring.amlKey) {
    problems.push('MRM_AML_KEY: required when MRM_AML_AUTH=key');
  }
  return problems;
}

function configFailure(problems: string[]): { ok: false; error: Failure } {
  return fail('configuration', 'CONFIG.INVALID', `Invalid settings: ${problems.join('; ')}`, { problems });
}

/** The settings with every default, for tests and tools that need no environment. */
export function defaultSettings(overrides: Environment = {}): Settings {
  const loaded = loadSettings(overrides);
  if (!loaded.ok) throw new Error(loaded.error.message);
  return loaded.value;
}
