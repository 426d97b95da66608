import type { Result } from '../errors.js';

/**
 * JSON documents with ETags, the primitive of exactly-once: `create` succeeds for one caller only (blob
 * `If-None-Match: *`), `replace` and `remove` only while the document is unchanged (`If-Match`).
 */
export interface StateStore {
  read(name: string): Promise<{ value: unknown; etag: string } | undefined>;
  create(name: string, value: unknown): Promise<{ ok: true; etag: string } | { ok: false }>;
  replace(name: string, value: unknown, etag: string): Promise<{ ok: true; etag: string } | { ok: false }>;
  /** Deletes the document if it still has this ETag; false when it changed or is gone. */
  remove(name: string, etag: string): Promise<boolean>;
}

/** One line of the audit log. */
export interface AuditEntry {
  at: string;
  decision:
    | 'retraining_triggered'
    | 'no_action_needed'
    | 'duplicate'
    | 'cooldown'
    | 'in_progress'
    | 'retry_later'
    | 'config_error';
  httpStatus: number;
  source: 'alert' | 'direct';
  alertId: string | null;
  rule: string | null;
  claimKey: string | null;
  model: string | null;
  magnitude: number | null;
  /** The job this decision started, found started, or cooled down on; null when there is no such job. */
  jobName: string | null;
  dryRun: boolean;
  reason: string;
}

export interface AuditLog {
  append(entry: AuditEntry): Promise<void>;
}

/** The request a submitter sends: the filled template, under a name derived from the claim. */
export interface RetrainRequest {
  jobName: string;
  model: string;
  body: Record<string, unknown>;
}

export type SubmitOutcome =
  /** Accepted now, or found already submitted under this name (a retry after a crash). */
  | { kind: 'submitted'; jobName: string; alreadySubmitted: boolean; dryRun: boolean; target: string }
  /** Worth retrying (429, 5xx, timeout, network): the caller answers 503 and keeps the claim. */
  | { kind: 'retryable'; message: string; retryAfterInSeconds?: number }
  /** The service refused the request itself (4xx): a setting is wrong; the caller releases the claim. */
  | { kind: 'misconfigured'; message: string; settings: string[] };

/** Whether a job of this name was submitted: asked of a submission whose holder's lease ran out unconfirmed. */
export interface JobLookup {
  /** `unknown` when the service cannot tell now (the caller retries later). */
  find(jobName: string): Promise<'found' | 'absent' | 'unknown'>;
}

export interface RetrainSubmitter extends JobLookup {
  /** Where requests go (method and URL), for dry runs and messages. */
  describe(jobName: string): { method: string; url: string };
  submit(request: RetrainRequest): Promise<SubmitOutcome>;
}

export type RuleTagsOutcome =
  | { kind: 'found'; tags: Record<string, string> }
  /** The rule cannot be read (not found, no permission): routing falls back to the name pattern. */
  | { kind: 'unavailable'; reason: string }
  | { kind: 'retryable'; message: string }
  /** The app has no credential to ask with: a setting to fix, not a retry (the message says which). */
  | { kind: 'misconfigured'; message: string };

export interface RuleTagReader {
  tagsOf(ruleId: string): Promise<RuleTagsOutcome>;
}

/** Loads the job template of a model; failures name the setting or file to fix. */
export interface TemplateSource {
  load(model: string): Promise<Result<{ template: unknown; source: string }>>;
}

export interface VerifiedCaller {
  subject: string | undefined;
  appId: string | undefined;
}

export type TokenOutcome =
  | { kind: 'valid'; caller: VerifiedCaller }
  | { kind: 'invalid'; message: string }
  /** The keys could not be fetched: not the caller's fault, answer 503. */
  | { kind: 'unavailable'; message: string };

export interface TokenVerifier {
  verify(authorization: string | null): Promise<TokenOutcome>;
}

/** Where a use case's lines go; every line is escaped by the caller's logger. */
export type Log = (level: 'info' | 'warn' | 'error', message: string) => void;

export type { Clock } from '../contracts/clock.js';
