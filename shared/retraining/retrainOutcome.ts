import type { Failure } from '../errors.js';
import type { ClaimRecord } from './types.js';

/** Who asked for retraining, as the audit log records it. */
export interface RetrainSubject {
  source: 'alert' | 'direct';
  alertId: string | null;
  rule: string | null;
  magnitude: number | null;
  model: string | null;
}

/**
 * How one retraining request ended. The core says what happened; the HTTP edge (shared/compose/retrainResponse.ts)
 * chooses the status. Every outcome but bad input is audited, with its reason.
 */
export type RetrainOutcome =
  /** The body is not a retraining request: answered before anything is read or written. */
  | { kind: 'bad_input'; failure: Failure }
  | { kind: 'no_action'; subject: RetrainSubject; reason: string }
  | { kind: 'duplicate'; subject: RetrainSubject; claimKey: string; record: ClaimRecord; reason: string }
  /** `cooledOn` is the submitted job the model's cooldown counts from. */
  | { kind: 'cooldown'; subject: RetrainSubject; claimKey: string; cooledOn: string; reason: string }
  | {
      kind: 'triggered';
      subject: RetrainSubject;
      claimKey: string;
      jobName: string;
      /** Why it retrains; `note` says what was done (submitted, found submitted, or recorded in a dry run). */
      reason: string;
      note: string;
      alreadySubmitted: boolean;
      dryRun: boolean;
    }
  /** Another call holds the request or the model: retry after its lease. */
  | {
      kind: 'in_progress';
      subject: RetrainSubject;
      claimKey: string;
      code: string;
      reason: string;
      retryAfterInSeconds: number;
    }
  /** Worth retrying (rule tags or Azure ML out of reach now); `message` is what the caller is told. */
  | {
      kind: 'retry_later';
      subject: RetrainSubject;
      claimKey: string | undefined;
      code: string;
      message: string;
      reason: string;
      retryAfterInSeconds: number;
    }
  /** A setting, template or permission is wrong (or the template could not be read now: see the failure's kind). */
  | { kind: 'config_error'; subject: RetrainSubject; claimKey: string | undefined; failure: Failure };
