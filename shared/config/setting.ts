import type { Result } from '../errors.js';

/**
 * One setting, declared once: its environment name, what it does, its default and how to parse it. The settings
 * table in docs/settings.md, local.settings.sample.json and the Function App's app settings in infra are checked against
 * these declarations by tests.
 */
export interface SettingSpec<T> {
  readonly env: string;
  readonly doc: string;
  /** `undefined` means "not set" is allowed and yields `undefined`; use `required` for settings without a default. */
  readonly defaultValue: T;
  readonly parse: (raw: string) => Result<T, string>;
  /** Written into local.settings.sample.json; defaults to the default value. */
  readonly sample?: string;
  /** Never logged; for local development only (Azure uses managed identity). */
  readonly secret?: boolean;
  /** Which function reads it, for the settings table (docs/settings.md). */
  readonly usedBy: ReadonlyArray<
    | 'scoreEvents'
    | 'profileCaptureBlob'
    | 'weeklyDrift'
    | 'dailyDrift'
    | 'driftBackfill'
    | 'startDriftBackfill'
    | 'retrainWebhook'
    | 'all'
  >;
}

type Used = SettingSpec<unknown>['usedBy'];
const okv = <T>(value: T): Result<T, string> => ({ ok: true, value });
const bad = (message: string): Result<never, string> => ({ ok: false, error: message });

export function text(
  env: string,
  doc: string,
  defaultValue: string,
  usedBy: Used,
  extra: Partial<SettingSpec<string>> = {},
): SettingSpec<string> {
  return { env, doc, defaultValue, usedBy, parse: (raw) => okv(raw.trim()), ...extra };
}

export function optionalText(
  env: string,
  doc: string,
  usedBy: Used,
  extra: Partial<SettingSpec<string | undefined>> = {},
): SettingSpec<string | undefined> {
  return {
    env,
    doc,
    defaultValue: undefined,
    usedBy,
    parse: (raw) => okv(raw.trim() === '' ? undefined : raw.trim()),
    ...extra,
  };
}

export function number(
  env: string,
  doc: string,
  defaultValue: number,
  usedBy: Used,
  limits: { min?: number; max?: number; integer?: boolean } = {},
): SettingSpec<number> {
  return {
    env,
    doc,
    defaultValue,
    usedBy,
    parse: (raw) => {
      const value = Number(raw.trim());
      if (raw.trim() === '' || !Number.isFinite(value)) return bad(`expected a number, got "${raw}"`);
      if (limits.integer && !Number.isInteger(value)) return bad(`expected a whole number, got "${raw}"`);
      if (limits.min !== undefined && value < limits.min) return bad(`must be at least ${limits.min}, got ${value}`);
      if (limits.max !== undefined && value > limits.max) return bad(`must be at most ${limits.max}, got ${value}`);
      return okv(value);
    },
  };
}

/** A number that may be left unset (undefined), e.g. when its default is computed from something else. */
export function optionalNumber(
  env: string,
  doc: string,
  usedBy: Used,
  limits: { min?: number; max?: number; integer?: boolean } = {},
): SettingSpec<number | undefined> {
  const parse = number(env, doc, 0, usedBy, limits).parse;
  return {
    env,
    doc,
    defaultValue: undefined,
    usedBy,
    sample: '',
    parse: (raw) => (raw.trim() === '' ? okv(undefined) : parse(raw)),
  };
}

export function oneOf<const T extends string>(
  env: string,
  doc: string,
  defaultValue: T,
  choices: readonly T[],
  usedBy: Used,
): SettingSpec<T> {
  return {
    env,
    doc: `${doc} One of: ${choices.join(', ')}.`,
    defaultValue,
    usedBy,
    parse: (raw) => {
      const value = raw.trim() as T;
      return choices.includes(value) ? okv(value) : bad(`expected one of ${choices.join(', ')}, got "${raw}"`);
    },
  };
}

export function flag(env: string, doc: string, defaultValue: boolean, usedBy: Used): SettingSpec<boolean> {
  return {
    env,
    doc,
    defaultValue,
    usedBy,
    parse: (raw) => {
      const value = raw.trim().toLowerCase();
      if (['true', '1', 'yes'].includes(value)) return okv(true);
      if (['false', '0', 'no'].includes(value)) return okv(false);
      return bad(`expected true or false, got "${raw}"`);
    },
  };
}

export function url(
  env: string,
  doc: string,
  usedBy: Used,
  extra: Partial<SettingSpec<string | undefined>> = {},
): SettingSpec<string | undefined> {
  return {
    env,
    doc,
    defaultValue: undefined,
    usedBy,
    parse: (raw) => {
      if (raw.trim() === '') return okv(undefined);
      try {
        const parsed = new URL(raw.trim());
        if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
          return bad(`expected an http(s) URL, got "${raw}"`);
        return okv(parsed.toString());
      } catch {
        return bad(`expected a URL, got "${raw}"`);
      }
    },
    ...extra,
  };
}

/** A blob container name as Azure Storage accepts it. */
export function container(env: string, doc: string, defaultValue: string, usedBy: Used): SettingSpec<string> {
  return {
    env,
    doc,
    defaultValue,
    usedBy,
    parse: (raw) =>
      /^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/.test(raw.trim())
        ? okv(raw.trim())
        : bad(`"${raw}" is not a valid container name (3-63 lowercase letters, digits and single dashes)`),
  };
}
