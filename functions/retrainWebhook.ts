import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { loadSettings, type Settings } from '../shared/config/settings.js';
import { MrmError, errorMessage } from '../shared/errors.js';
import type { RetrainService } from '../shared/adapters/retrainDependencies.js';
import { retrainingSettingsProblems } from '../shared/retraining/retrainingSettingsCheck.js';
import type { Log } from '../shared/retraining/retrainUseCase.js';

/** Settings once, at cold start: a bad or missing one stops the app here, with its name, not at the first alert. */
export function retrainSettings(env: NodeJS.ProcessEnv): Settings {
  const loaded = loadSettings(env);
  if (!loaded.ok) throw MrmError.fromFailure(loaded.error);
  const problems = retrainingSettingsProblems(loaded.value);
  if (problems.length > 0)
    throw new MrmError('CONFIG.INVALID', `Invalid settings: ${problems.join('; ')}`, { detail: { problems } });
  return loaded.value;
}

/**
 * The HTTP adapter: maps the Functions request to the webhook gate and its answer back. The service is built on the
 * first call and reused by the instance. A configuration fault answers 500 naming the setting; faults nobody expected
 * (storage down) answer 503, so action groups retry, and the claim makes retries safe.
 */
export function createRetrainHandler(
  service: () => RetrainService | Promise<RetrainService>,
): (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit> {
  return async (request, context) => {
    const log: Log = (level, message) => context[level](message);
    try {
      const response = await (
        await service()
      ).handle({ header: (name) => request.headers.get(name), body: () => request.arrayBuffer() }, log);
      return { status: response.status, jsonBody: response.body, headers: { ...(response.headers ?? {}) } };
    } catch (error) {
      context.error(`retrainWebhook failed: ${errorMessage(error)}`, error);
      const code = error instanceof MrmError ? error.code : 'WEBHOOK.TRANSIENT';
      if (code.startsWith('CONFIG.'))
        return { status: 500, jsonBody: { error: { code, message: errorMessage(error) } } };
      return {
        status: 503,
        jsonBody: { error: { code, message: `Temporary failure, retry: ${errorMessage(error)}` } },
        headers: { 'Retry-After': '30' },
      };
    }
  };
}

const settings = retrainSettings(process.env);
let service: Promise<RetrainService> | undefined;

/** The handler the host calls. ARM, identity and JOSE libraries load on its first call, not at cold start (~0.8 s). */
export const retrainWebhookHandler = createRetrainHandler(
  () =>
    (service ??= import('../shared/adapters/retrainDependencies.js')
      .then((m) => m.buildRetrainService(settings, process.env))
      .catch((error: unknown) => {
        // Not cached: a transient failure while building must not answer 503 until the instance is recycled.
        service = undefined;
        throw error;
      })),
);

app.http('retrainWebhook', {
  methods: ['POST'],
  authLevel: 'function',
  route: settings.retraining.route,
  handler: retrainWebhookHandler,
});
