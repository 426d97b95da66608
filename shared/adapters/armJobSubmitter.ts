import type { TokenCredential } from '@azure/identity';
import type { Agent } from 'node:https';
import type { RetrainRequest, RetrainSubmitter, SubmitOutcome } from '../retraining/ports.js';
import type { Clock } from '../contracts/clock.js';
import { systemClock } from './clocks.js';
import { armErrorText, retryAfterSeconds, sendJson, type JsonResponse } from './armHttp.js';

export interface ArmJobSubmitterOptions {
  /** ARM endpoint, e.g. https://management.azure.com/ (MRM_ARM_ENDPOINT). */
  armEndpoint: string;
  subscriptionId: string;
  resourceGroup: string;
  workspace: string;
  apiVersion: string;
  timeoutInMs: number;
  credential: TokenCredential;
  agent?: Agent;
  clock?: Clock;
}

const WORKSPACE_SETTINGS = [
  'MRM_RETRAIN_WORKSPACE_SUBSCRIPTION_ID',
  'MRM_RETRAIN_WORKSPACE_RESOURCE_GROUP',
  'MRM_RETRAIN_WORKSPACE_NAME',
];

/**
 * Submits Azure ML jobs with `PUT .../workspaces/{ws}/jobs/{name}`. The name comes from the claim, so a second PUT
 * for the same alert (a retry after a crash) finds the job there: Azure ML refuses to create it again (400 UserError
 * "A job with this name already exists", or 409), and a GET confirming the job turns that into "already submitted".
 */
export class ArmJobSubmitter implements RetrainSubmitter {
  private readonly scope: string;

  constructor(private readonly options: ArmJobSubmitterOptions) {
    this.scope = new URL('.default', withSlash(options.armEndpoint)).toString();
  }

  describe(jobName: string): { method: string; url: string } {
    const o = this.options;
    const path =
      `subscriptions/${encodeURIComponent(o.subscriptionId)}/resourceGroups/${encodeURIComponent(o.resourceGroup)}` +
      `/providers/Microsoft.MachineLearningServices/workspaces/${encodeURIComponent(o.workspace)}/jobs/${encodeURIComponent(jobName)}`;
    const url = new URL(path, withSlash(o.armEndpoint));
    url.searchParams.set('api-version', o.apiVersion);
    return { method: 'PUT', url: url.toString() };
  }

  async find(jobName: string): Promise<'found' | 'absent' | 'unknown'> {
    const token = await tokenFor(this.options.credential, this.scope);
    if (!token.ok) return 'unknown';
    const got = await sendJson({
      method: 'GET',
      url: this.describe(jobName).url,
      token: token.value,
      timeoutInMs: this.options.timeoutInMs,
      agent: this.options.agent,
    });
    if (got.kind !== 'response') return 'unknown';
    return got.status === 200 ? 'found' : got.status === 404 ? 'absent' : 'unknown';
  }

  async submit(request: RetrainRequest): Promise<SubmitOutcome> {
    const token = await tokenFor(this.options.credential, this.scope);
    if (!token.ok) return token.outcome;
    const { url } = this.describe(request.jobName);
    const target = `Azure ML workspace ${this.options.workspace} as job ${request.jobName}`;
    const put = await sendJson({
      method: 'PUT',
      url,
      token: token.value,
      body: request.body,
      timeoutInMs: this.options.timeoutInMs,
      agent: this.options.agent,
    });
    if (put.kind !== 'response') return transport(put, 'Azure ML jobs API');
    if (put.status >= 200 && put.status < 300)
      return { kind: 'submitted', jobName: request.jobName, alreadySubmitted: false, dryRun: false, target };
    if (put.status === 400 || put.status === 409) {
      const existing = await sendJson({
        method: 'GET',
        url,
        token: token.value,
        timeoutInMs: this.options.timeoutInMs,
        agent: this.options.agent,
      });
      if (existing.kind === 'response' && existing.status === 200)
        return { kind: 'submitted', jobName: request.jobName, alreadySubmitted: true, dryRun: false, target };
    }
    return classify(
      put,
      `Azure ML refused job ${request.jobName} (${armErrorText(put)})`,
      (this.options.clock ?? systemClock).nowInMs(),
    );
  }
}

function classify(response: Extract<JsonResponse, { kind: 'response' }>, what: string, nowInMs: number): SubmitOutcome {
  const status = response.status;
  if (status === 429 || status >= 500) {
    const retryAfter = retryAfterSeconds(response.headers['retry-after'], nowInMs);
    return {
      kind: 'retryable',
      message: `${what}; will retry`,
      ...(retryAfter === undefined ? {} : { retryAfterInSeconds: retryAfter }),
    };
  }
  if (status === 401)
    return {
      kind: 'misconfigured',
      message: `${what}: the token was refused; check the app's identity (AZURE_CLIENT_ID)`,
      settings: ['AZURE_CLIENT_ID'],
    };
  if (status === 403) {
    return {
      kind: 'misconfigured',
      message: `${what}: the app's identity may not submit jobs there; grant it a role such as AzureML Data Scientist on the workspace (MRM_RETRAIN_WORKSPACE_NAME)`,
      settings: ['AZURE_CLIENT_ID', 'MRM_RETRAIN_WORKSPACE_NAME'],
    };
  }
  if (status === 404) {
    return {
      kind: 'misconfigured',
      message: `${what}: workspace not found; check ${WORKSPACE_SETTINGS.join(', ')}`,
      settings: WORKSPACE_SETTINGS,
    };
  }
  return {
    kind: 'misconfigured',
    message: `${what}: fix the job template (MRM_RETRAIN_JOB_TEMPLATE)`,
    settings: ['MRM_RETRAIN_JOB_TEMPLATE'],
  };
}

/** Timeouts and network failures are transient: the action group's retry is safe because of the claim. */
export function transport(outcome: Exclude<JsonResponse, { kind: 'response' }>, service: string): SubmitOutcome {
  return outcome.kind === 'timeout'
    ? { kind: 'retryable', message: `${service} did not answer in time; will retry` }
    : { kind: 'retryable', message: `${service} unreachable (${outcome.message}); will retry` };
}

/** A token, or the outcome to answer: no identity at all is a configuration error, anything else transient. */
export async function tokenFor(
  credential: TokenCredential,
  scope: string,
): Promise<{ ok: true; value: string } | { ok: false; outcome: SubmitOutcome }> {
  try {
    const token = await credential.getToken(scope);
    if (token?.token) return { ok: true, value: token.token };
    return { ok: false, outcome: { kind: 'retryable', message: `No token for ${scope}; will retry` } };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof Error && error.name === 'CredentialUnavailableError') {
      return {
        ok: false,
        outcome: {
          kind: 'misconfigured',
          message: `No identity to get a token for ${scope} (${message}): assign a managed identity and set AZURE_CLIENT_ID`,
          settings: ['AZURE_CLIENT_ID'],
        },
      };
    }
    return {
      ok: false,
      outcome: { kind: 'retryable', message: `Getting a token for ${scope} failed (${message}); will retry` },
    };
  }
}

export function withSlash(endpoint: string): string {
  return endpoint.endsWith('/') ? endpoint : `${endpoint}/`;
}
