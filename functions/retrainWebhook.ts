import { app } from '@azure/functions';
import { retrainSettings, retrainWebhookHandler as productionHandler } from '../shared/compose/retrainWebhook.js';

// Settings are read and validated once, at cold start: a bad setting stops the app with its name.
const settings = retrainSettings(process.env);

/** The handler the host calls; its dependencies are built on the first call (shared/compose/retrainWebhook.ts). */
export const retrainWebhookHandler = productionHandler(settings, process.env);

app.http('retrainWebhook', {
  methods: ['POST'],
  authLevel: 'function',
  route: settings.retraining.route,
  handler: retrainWebhookHandler,
});
