import { app } from '@azure/functions';
import * as df from 'durable-functions';
import { loadSettings, type Environment, type Settings } from '../shared/config/settings.js';
import { unwrap } from '../shared/errors.js';
import { DRIFT_RETRY, weeklyDriftCaptureFormat, weeklyDriftHandler } from '../shared/compose/weeklyDrift.js';

export const WEEKLY_DRIFT_RETRY = DRIFT_RETRY;

/**
 * The schedule binding: the app setting's name as a binding expression when it is set (the host resolves it, so the
 * schedule is changed without a deploy), else the default itself (a binding expression to a missing setting would
 * stop the host).
 */
export function weeklyDriftSchedule(env: Environment, settings: Settings): string {
  return env.MRM_DRIFT_SCHEDULE && env.MRM_DRIFT_SCHEDULE.trim() !== ''
    ? '%MRM_DRIFT_SCHEDULE%'
    : settings.drift.driftSchedule;
}

// Settings are read and validated once, at cold start; a bad setting stops the app with its name.
const settings = unwrap(loadSettings(process.env));
const format = weeklyDriftCaptureFormat(settings);

app.timer('weeklyDrift', {
  schedule: weeklyDriftSchedule(process.env, settings),
  runOnStartup: false,
  useMonitor: true,
  // The client that hands a large backfill to the driftBackfill orchestration.
  extraInputs: [df.input.durableClient()],
  retry: WEEKLY_DRIFT_RETRY,
  handler: weeklyDriftHandler(settings, process.env, format),
});
