import type { AuditEntry } from '../retraining/ports.js';
import type { RetrainOutcome } from '../retraining/retrainOutcome.js';
import { failureResponse, retryLater, type WebhookResponse } from './webhookResponse.js';

type Audited = Exclude<RetrainOutcome, { kind: 'bad_input' }>;

/** The HTTP answer to an outcome: 200 for a decision not to retrain, 202 for a job started, 503 to retry, else 4xx/5xx. */
export function responseOf(outcome: RetrainOutcome): WebhookResponse {
  switch (outcome.kind) {
    case 'bad_input':
    case 'config_error':
      return failureResponse(outcome.failure);
    case 'no_action':
    case 'duplicate':
    case 'cooldown': {
      const triggered = outcome.kind === 'duplicate' && outcome.record.state === 'retraining_triggered';
      return {
        status: 200,
        body: {
          status: outcome.kind === 'no_action' ? 'no_action_needed' : outcome.kind,
          reason: outcome.reason,
          ...(outcome.subject.model ? { model: outcome.subject.model } : {}),
          ...(triggered ? { jobName: outcome.record.jobName } : {}),
        },
      };
    }
    case 'triggered': {
      const body: Record<string, unknown> = {
        status: 'retraining_triggered',
        jobName: outcome.jobName,
        model: outcome.subject.model,
        magnitude: outcome.subject.magnitude,
        dryRun: outcome.dryRun,
        reason: outcome.reason,
      };
      if (outcome.dryRun || outcome.alreadySubmitted) body.note = outcome.note;
      return { status: 202, body };
    }
    case 'in_progress':
      return retryLater(outcome.code, outcome.reason, outcome.retryAfterInSeconds);
    case 'retry_later':
      return retryLater(outcome.code, outcome.message, outcome.retryAfterInSeconds);
  }
}

const DECISION: Record<Audited['kind'], AuditEntry['decision']> = {
  no_action: 'no_action_needed',
  duplicate: 'duplicate',
  cooldown: 'cooldown',
  triggered: 'retraining_triggered',
  in_progress: 'in_progress',
  retry_later: 'retry_later',
  config_error: 'config_error',
};

/** The audit line of an outcome; bad input is not audited (nothing was decided). */
export function auditEntryOf(outcome: Audited, httpStatus: number, at: Date, dryRun: boolean): AuditEntry {
  const claimKey = 'claimKey' in outcome ? (outcome.claimKey ?? null) : null;
  return {
    at: at.toISOString(),
    decision: DECISION[outcome.kind],
    httpStatus,
    ...outcome.subject,
    claimKey,
    jobName: jobNameOf(outcome),
    dryRun,
    reason: reasonOf(outcome),
  };
}

/** The job this decision started, found started, or cooled down on. */
function jobNameOf(outcome: Audited): string | null {
  switch (outcome.kind) {
    case 'triggered':
      return outcome.jobName;
    case 'cooldown':
      return outcome.cooledOn;
    case 'duplicate':
      return outcome.record.state === 'retraining_triggered' ? outcome.record.jobName : null;
    default:
      return null;
  }
}

function reasonOf(outcome: Audited): string {
  switch (outcome.kind) {
    case 'triggered':
      return `${outcome.reason}; ${outcome.note}`;
    case 'config_error':
      return outcome.failure.message;
    default:
      return outcome.reason;
  }
}
