import type { TokenCredential } from '@azure/identity';
import type { Agent } from 'node:https';
import type { RetrainRequest, RetrainSubmitter, SubmitOutcome } from '../retraining/ports.js';
import { armErrorText, retryAfterSeconds, sendJson } from './armHttp.js';
import type { Clock } from '../contracts/clock.js';
import { systemClock } from './clocks.js';
import { tokenFor, transport } from './armJobSubmitter.js';

export interface PipelineEndpointInvokerOptions {
  /** Invocation URL of the batch or pipeline endpoint (MRM_RETRAIN_PIPELINE_ENDPOINT_URL). */
  endpointUrl: string;
  timeoutInMs: number;
  credential: TokenCredential;
  agent?: Agent;
  clock?: Clock;
}

/** Azure ML data-plane scope of batch endpoint invocations. */
export const AML_SCOPE = 'https://ml.azure.com/.default';

/**
 * Starts retraining by invoking a batch or pipeline endpoint (`POST <invocation URL>` with the filled template). The
 * endpoint names the job itself, so exactly-once rests on the claim alone: a crash after the POST and before the claim
 * records it could start a second run on retry, and a lost answer does not hold the model's cooldown. Job mode does
 * not have these gaps.
 */
export class PipelineEndpointInvoker implements RetrainSubmitter {
  constructor(private readonly options: PipelineEndpointInvokerOptions) {}

  describe(): { method: string; url: string } {
    return { method: 'POST', url: this.options.endpointUrl };
  }

  /** The endpoint names its runs itself, so a run cannot be looked up by our name: taken as never started. */
  async find(): Promise<'absent'> {
    return 'absent';
  }

  async submit(request: RetrainRequest): Promise<SubmitOutcome> {
    const token = await tokenFor(this.options.credential, AML_SCOPE);
    if (!token.ok) return token.outcome;
    const response = await sendJson({
      method: 'POST',
      url: this.options.endpointUrl,
      token: token.value,
      body: request.body,
      timeoutInMs: this.options.timeoutInMs,
      agent: this.options.agent,
    });
    if (response.kind !== 'response') return transport(response, 'The pipeline endpoint');
    const status = response.status;
    if (status >= 200 && status < 300) {
      const started = (response.json as { name?: unknown } | undefined)?.name;
      return {
        kind: 'submitted',
        jobName: request.jobName,
        alreadySubmitted: false,
        dryRun: false,
        target: `pipeline endpoint ${this.options.endpointUrl}${typeof started === 'string' ? ` (run ${started})` : ''}`,
      };
    }
    const what = `The pipeline endpoint refused the invocation (${armErrorText(response)})`;
    if (status === 429 || status >= 500) {
      const retryAfter = retryAfterSeconds(
        response.headers['retry-after'],
        (this.options.clock ?? systemClock).nowInMs(),
      );
      return {
        kind: 'retryable',
        message: `${what}; will retry`,
        ...(retryAfter === undefined ? {} : { retryAfterInSeconds: retryAfter }),
      };
    }
    if (status === 401 || status === 403) {
      return {
        kind: 'misconfigured',
        message: `${what}: grant the app's identity (AZURE_CLIENT_ID) access to the endpoint's workspace`,
        settings: ['AZURE_CLIENT_ID'],
      };
    }
    if (status === 404)
      return {
        kind: 'misconfigured',
        message: `${what}: check MRM_RETRAIN_PIPELINE_ENDPOINT_URL`,
        settings: ['MRM_RETRAIN_PIPELINE_ENDPOINT_URL'],
      };
    return {
      kind: 'misconfigured',
      message: `${what}: fix the template (MRM_RETRAIN_JOB_TEMPLATE)`,
      settings: ['MRM_RETRAIN_JOB_TEMPLATE'],
    };
  }
}
