import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { loadSettings, type Environment, type Settings } from '../config/settings.js';
import { MrmError, errorMessage, kindOf } from '../errors.js';
import { printable } from '../printable.js';
import { startFunctionTelemetry } from '../adapters/telemetry.js';
import type { Log } from '../retraining/ports.js';
import { retrainingSettingsProblems } from '../config/retrainingSettingsCheck.js';
import { thrownResponse, type WebhookResponse } from './webhookResponse.js';
import type { RetrainService } from './retrainService.js';

export type RetrainHandler = (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;

/** Settings once, at cold start: a bad or missing one stops the app here, with its name, not at the first alert. */
export function retrainSettings(env: Environment): Settings {
  const loaded = loadSettings(env);
  if (!loaded.ok) throw MrmError.fromFailure(loaded.error);
  const problems = retrainingSettingsProblems(loaded.value);
  if (problems.length > 0)
    throw new MrmError('configuration', 'CONFIG.INVALID', `Invalid settings: ${problems.join('; ')}`, {
      detail: { problems },
    });
  return loaded.value;
}

/**
 * The HTTP adapter: maps the Functions request to the webhook gate and its answer back. The service is built on the
 * first call and reused by the instance. Anything thrown is answered by its kind (see thrownResponse): a
 * configuration fault 500 naming what to fix, a transient one 503 so that action groups retry (the claim makes
 * retries safe), a bug 500; the details go to the log only.
 */
export function createRetrainHandler(service: () => RetrainService | Promise<RetrainService>): RetrainHandler {
  return async (request, context) => {
    // Every line may carry what the request said (rule names, reasons): escaped, it can forge no other line.
    const log: Log = (level, message) => context[level](printable(message));
    let response: WebhookResponse;
    try {
      response = await (
        await service()
      ).handle({ header: (name) => request.headers.get(name), body: () => request.arrayBuffer() }, log);
    } catch (error) {
      response = thrownResponse(error);
      // The stack on the same line, escaped: a thrown message may quote the request too.
      const stack = kindOf(error) === 'bug' && error instanceof Error && error.stack ? ` ${error.stack}` : '';
      log(
        'error',
        `retrainWebhook failed (${kindOf(error)}, answered ${response.status}): ${errorMessage(error)}${stack}`,
      );
    }
    return { status: response.status, jsonBody: response.body, headers: { ...(response.headers ?? {}) } };
  };
}

/**
 * The production handler. ARM, identity and JOSE libraries load on its first call, not at cold start (~0.8 s); a
 * failure while building is not cached, so that a transient one does not answer 503 until the instance is recycled.
 */
export function retrainWebhookHandler(settings: Settings, env: Environment): RetrainHandler {
  let service: Promise<RetrainService> | undefined;
  return createRetrainHandler(
    () =>
      (service ??= startFunctionTelemetry(settings.core)
        .then(() => import('./retrainService.js'))
        .then((m) => m.buildRetrainService(settings, env))
        .catch((error: unknown) => {
          service = undefined;
          throw error;
        })),
  );
}
