import { app } from '@azure/functions';
import * as df from 'durable-functions';
import { loadSettings } from '../shared/config/settings.js';
import { unwrap } from '../shared/errors.js';
import { DAILY, DRIFT_RETRY, weeklyDriftCaptureFormat, weeklyDriftHandler } from '../shared/compose/weeklyDrift.js';

// Settings are read and validated once, at cold start; a bad setting stops the app with its name.
const settings = unwrap(loadSettings(process.env));

// The previous UTC day, from the hour roll-ups profileCaptureBlob keeps: an earlier look than Monday's report.
app.timer('dailyDrift', {
  schedule:
    process.env.MRM_DAILY_DRIFT_SCHEDULE && process.env.MRM_DAILY_DRIFT_SCHEDULE.trim() !== ''
      ? '%MRM_DAILY_DRIFT_SCHEDULE%'
      : settings.drift.dailyDriftSchedule,
  runOnStartup: false,
  useMonitor: true,
  // The client that hands a large backfill to the driftBackfill orchestration.
  extraInputs: [df.input.durableClient()],
  retry: DRIFT_RETRY,
  handler: weeklyDriftHandler(settings, process.env, weeklyDriftCaptureFormat(settings), DAILY),
});
