import { app } from '@azure/functions';
import * as df from 'durable-functions';
import { loadSettings } from '../shared/config/settings.js';
import { unwrap } from '../shared/errors.js';
import { startDriftBackfillHandler } from '../shared/compose/startDriftBackfill.js';

// Settings are read and validated once, at cold start; a bad setting stops the app with its name.
const settings = unwrap(loadSettings(process.env));

/** POST /api/drift/backfill { run?, windows?, before? }: recompute reports (after a new baseline, say). */
app.http('startDriftBackfill', {
  methods: ['POST'],
  authLevel: 'function',
  route: 'drift/backfill',
  extraInputs: [df.input.durableClient()],
  handler: startDriftBackfillHandler(settings),
});
