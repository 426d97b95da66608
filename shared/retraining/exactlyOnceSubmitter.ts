import type { ClaimLedger } from './claimLedger.js';
import type { ClaimRecord, HeldClaim } from './types.js';
import type { CooldownGate } from './cooldownGate.js';
import type { RetrainPlan } from './decideRetrain.js';
import type { RetrainSubmitter } from './ports.js';
import type { RetrainOutcome, RetrainSubject } from './retrainOutcome.js';

export interface ExactlyOnceOptions {
  cooldownInHours: number;
  dryRun: boolean;
}

/**
 * Submits a plan's job at most once however many calls carry it: claim the request (one caller wins), pass the
 * model's cooldown (which reserves the model), submit under the claim's job name (Azure ML refuses a second job of
 * that name), then record the decision. Every failure hands back what it holds so that a retry can finish the work.
 */
export class ExactlyOnceSubmitter {
  constructor(
    private readonly ledger: ClaimLedger,
    private readonly cooldowns: CooldownGate,
    private readonly submitter: RetrainSubmitter,
    private readonly options: ExactlyOnceOptions,
  ) {}

  async submit(plan: RetrainPlan, request: Record<string, unknown>): Promise<RetrainOutcome> {
    const { subject, claimKey } = plan;
    const model = subject.model;
    const claimed = await this.ledger.claim({
      claimKey,
      source: subject.source,
      alertId: subject.alertId,
      rule: subject.rule,
      model,
      magnitude: subject.magnitude,
      jobName: plan.jobName,
      request,
    });
    if (claimed.kind === 'decided') return duplicateOf(plan, claimed.record);
    if (claimed.kind === 'in_progress') {
      const reason = `Another call holds this ${subject.source === 'alert' ? 'alert' : 'request'}; retry after its lease`;
      return {
        kind: 'in_progress',
        subject,
        claimKey,
        code: 'RETRAIN.IN_PROGRESS',
        reason,
        retryAfterInSeconds: claimed.retryAfterInSeconds,
      };
    }
    const claim = claimed.claim;
    const held = claim.record;

    // The cooldown counts from submitted jobs only: passing it reserves the model while we submit.
    const gate = await this.cooldowns.enter(model, claimKey, held.jobName);
    if (gate.kind === 'cooling') {
      const reason = `Model ${model} is cooling down: job ${gate.started.jobName} started at ${gate.started.startedAt}; the next retraining may start after ${gate.until} (MRM_RETRAIN_COOLDOWN_HOURS=${this.options.cooldownInHours})`;
      await this.ledger.decide(claim, 'cooldown', reason);
      return { kind: 'cooldown', subject, claimKey, cooledOn: gate.started.jobName, reason };
    }
    if (gate.kind === 'busy') {
      await this.ledger.releaseLease(claim);
      return {
        kind: 'in_progress',
        subject,
        claimKey,
        code: 'RETRAIN.MODEL_BUSY',
        reason: `Another alert is submitting a retraining of model ${model}; retry after its lease`,
        retryAfterInSeconds: gate.retryAfterInSeconds,
      };
    }

    const outcome = await this.submitter.submit({ jobName: held.jobName, model, body: held.request });
    switch (outcome.kind) {
      case 'submitted':
        await this.cooldowns.started(gate.entry);
        return this.triggered(plan, claim, outcome.alreadySubmitted, outcome.target);
      case 'retryable':
        // It may have reached Azure ML all the same (a timeout): the next caller looks the job up.
        await this.cooldowns.release(gate.entry);
        await this.ledger.releaseLease(claim);
        return {
          kind: 'retry_later',
          subject,
          claimKey,
          code: 'RETRAIN.SUBMIT_RETRYABLE',
          message: outcome.message,
          reason: outcome.message,
          retryAfterInSeconds: outcome.retryAfterInSeconds ?? 30,
        };
      case 'misconfigured':
        await this.cooldowns.undo(gate.entry);
        await this.ledger.release(claim);
        return {
          kind: 'config_error',
          subject,
          claimKey,
          failure: {
            kind: 'configuration',
            code: 'RETRAIN.MISCONFIGURED',
            message: outcome.message,
            detail: { settings: outcome.settings },
          },
        };
    }
  }

  private async triggered(
    plan: RetrainPlan,
    held: HeldClaim,
    alreadySubmitted: boolean,
    target: string,
  ): Promise<RetrainOutcome> {
    const jobName = held.record.jobName;
    const { dryRun } = this.options;
    const note = dryRun
      ? `Dry run: nothing was submitted; the request was recorded to ${target}`
      : alreadySubmitted
        ? `Job ${jobName} was already submitted by an earlier attempt`
        : `Submitted to ${target}`;
    await this.ledger.decide(held, 'retraining_triggered', note);
    return {
      kind: 'triggered',
      subject: plan.subject,
      claimKey: plan.claimKey,
      jobName,
      reason: plan.reason,
      note,
      alreadySubmitted,
      dryRun,
    };
  }
}

/** A request decided before: a claim decided as cooldown never submitted its job, so only a triggered one names it. */
export function duplicateOf(plan: { subject: RetrainSubject; claimKey: string }, record: ClaimRecord): RetrainOutcome {
  return {
    kind: 'duplicate',
    subject: plan.subject,
    claimKey: plan.claimKey,
    record,
    reason: `Already handled at ${record.decidedAt ?? record.claimedAt}: ${record.state} (${record.reason ?? record.state})`,
  };
}
