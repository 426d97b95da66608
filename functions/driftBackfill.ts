import * as df from 'durable-functions';
import { loadSettings } from '../shared/config/settings.js';
import { unwrap } from '../shared/errors.js';
import { BACKFILL } from '../shared/drift/backfill/backfillOrchestration.js';
import { driftBackfillActivities, driftBackfillOrchestrator } from '../shared/compose/driftBackfill.js';

// Settings are read and validated once, at cold start; a bad setting stops the app with its name.
const settings = unwrap(loadSettings(process.env));

/**
 * The driftBackfill orchestration and its three activities, registered together: they exist only for each other
 * (plan a window's missing hours, fold each hub-hour, report from the roll-ups). weeklyDrift and dailyDrift start it
 * when a window has too much to backfill for the timer, POST drift/backfill to recompute reports.
 */
df.app.orchestration(BACKFILL.orchestration, driftBackfillOrchestrator);
const activities = driftBackfillActivities(settings, process.env);
df.app.activity(BACKFILL.plan, { handler: activities.plan });
df.app.activity(BACKFILL.hour, { handler: activities.hour });
df.app.activity(BACKFILL.report, { handler: activities.report });
