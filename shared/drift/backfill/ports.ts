import type { BackfillInput } from './backfillOrchestration.js';

/** What starting a window's backfill gave: its instance, new or one already under way. */
export interface BackfillStart {
  instanceId: string;
  /** `running`: an instance for this window was already pending or running (it was left alone). */
  state: 'started' | 'running';
  /** The Durable Functions status endpoint of the instance (with the task hub's key), when the client knows it. */
  statusQueryGetUri?: string;
}

/** Starts the driftBackfill orchestration of a window, at most one instance per window (Durable Functions client). */
export interface BackfillStarter {
  start(input: BackfillInput): Promise<BackfillStart>;
}
