import type { DurableClient, DurableOrchestrationStatus } from 'durable-functions';
import { MrmError, errorMessage } from '../errors.js';
import { BACKFILL, backfillInstanceId, type BackfillInput } from '../drift/backfill/backfillOrchestration.js';
import type { BackfillStart, BackfillStarter } from '../drift/backfill/ports.js';

/** Runtime states in which an instance is still someone's work: a second start for the window leaves it alone. */
const UNDER_WAY = new Set(['Pending', 'Running', 'ContinuedAsNew', 'Suspended']);

/**
 * Starts the window's backfill through the Durable Functions client, under the window's own instance id, so two
 * starts (a timer retry, an HTTP call while the timer's instance runs) never run two backfills of one window; a
 * finished, failed or terminated instance is replaced. A client that cannot reach the extension is transient.
 */
export class DurableBackfillStarter implements BackfillStarter {
  constructor(private readonly client: DurableClient) {}

  async start(input: BackfillInput): Promise<BackfillStart> {
    const instanceId = backfillInstanceId(input.run, input.window);
    try {
      const existing = await this.statusOf(instanceId);
      const state = existing && UNDER_WAY.has(existing.runtimeStatus) ? 'running' : 'started';
      if (state === 'started') await this.client.startNew(BACKFILL.orchestration, { instanceId, input });
      return { instanceId, state, ...this.statusUri(instanceId) };
    } catch (error) {
      throw new MrmError(
        'transient',
        'DURABLE.UNAVAILABLE',
        `Could not start ${BACKFILL.orchestration} ${instanceId}: ${errorMessage(error)}`,
        { cause: error, detail: { instanceId } },
      );
    }
  }

  private async statusOf(instanceId: string): Promise<DurableOrchestrationStatus | undefined> {
    try {
      return await this.client.getStatus(instanceId);
    } catch (error) {
      // The client reports an unknown instance as an error whose message names the 404.
      if (/\bHTTP 404\b/.test(errorMessage(error))) return undefined;
      throw error;
    }
  }

  private statusUri(instanceId: string): { statusQueryGetUri?: string } {
    try {
      return { statusQueryGetUri: this.client.createHttpManagementPayload(instanceId).statusQueryGetUri };
    } catch {
      return {};
    }
  }
}
