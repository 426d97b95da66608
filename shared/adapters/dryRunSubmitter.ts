import type { RetrainRequest, RetrainSubmitter, StateStore, SubmitOutcome } from '../retraining/ports.js';

/**
 * Records what would be submitted (method, URL, body) as `dry-run/requests/<jobName>.json` in the state container, and
 * submits nothing. Used when no workspace or endpoint is configured, or when asked (MRM_RETRAIN_DRY_RUN, `--dry-run`).
 */
export class DryRunSubmitter implements RetrainSubmitter {
  constructor(
    private readonly store: StateStore,
    private readonly containerName: string,
    private readonly wouldSend: (jobName: string) => { method: string; url: string },
  ) {}

  describe(jobName: string): { method: string; url: string } {
    return this.wouldSend(jobName);
  }

  async find(jobName: string): Promise<'found' | 'absent'> {
    return (await this.store.read(requestName(jobName))) ? 'found' : 'absent';
  }

  async submit(request: RetrainRequest): Promise<SubmitOutcome> {
    const name = requestName(request.jobName);
    const record = { ...this.wouldSend(request.jobName), model: request.model, body: request.body };
    const created = await this.store.create(name, record);
    return {
      kind: 'submitted',
      jobName: request.jobName,
      alreadySubmitted: !created.ok,
      dryRun: true,
      target: `${this.containerName}/${name}`,
    };
  }
}

function requestName(jobName: string): string {
  return `dry-run/requests/${jobName}.json`;
}
