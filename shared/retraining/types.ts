/** The claim ledger's records (claimLedger.ts), which the pure decision and the submitter read. */

/** What a claim records; the request body is kept so a retry after a crash sends exactly the same job. */
export interface ClaimRecord {
  version: 1;
  claimKey: string;
  source: 'alert' | 'direct';
  alertId: string | null;
  rule: string | null;
  model: string;
  magnitude: number | null;
  jobName: string;
  state: 'claimed' | 'retraining_triggered' | 'cooldown';
  claimedAt: string;
  /** Until then the claim belongs to the call that holds it; after, a retry may take it over. */
  leaseUntil: string;
  attempts: number;
  request: Record<string, unknown>;
  decidedAt?: string;
  reason?: string;
}

export interface HeldClaim {
  record: ClaimRecord;
  etag: string;
  /** True when this call took over a claim whose holder crashed or gave up. */
  takenOver: boolean;
}

export type ClaimOutcome =
  | { kind: 'acquired'; claim: HeldClaim }
  | { kind: 'decided'; record: ClaimRecord }
  | { kind: 'in_progress'; record: ClaimRecord; retryAfterInSeconds: number };
