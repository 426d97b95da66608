import type { Failure } from '../errors.js';
import { routeAlert } from './alertRouting.js';
import type { ClaimRecord } from './types.js';
import { alertClaimKey, directClaimKey, retrainJobName } from './claimKeys.js';
import type { RuleTagsOutcome } from './ports.js';
import type { AlertPayload, RetrainPayload } from './retrainPayload.js';
import type { RetrainSubject } from './retrainOutcome.js';

/** The settings the decision reads. */
export interface RetrainPolicy {
  threshold: number;
  rulePattern: string;
  modelTag: string;
  defaultModel: string;
  dedupeWindowInMinutes: number;
}

/** What the decision knows of the world, read beforehand by the use case. */
export interface RetrainFacts {
  now: Date;
  /** The alert rule's tags when they were read (see ruleToRead); undefined otherwise. */
  ruleTags: RuleTagsOutcome | undefined;
  /** The claim already recorded under this request's key, if any. */
  earlier: ClaimRecord | undefined;
}

/** A request worth a job: what the exactly-once submitter claims and submits. */
export interface RetrainPlan {
  subject: RetrainSubject & { model: string };
  claimKey: string;
  jobName: string;
  reason: string;
  features: string[];
  /** The end of the Capture window the job trains on: the alert's firing time, or now for a direct request. */
  windowEnd: Date;
}

export type RetrainDecision =
  | { kind: 'no_action'; subject: RetrainSubject; reason: string }
  | { kind: 'duplicate'; subject: RetrainSubject; claimKey: string; record: ClaimRecord }
  /** The rule's tags could not be read now: ask the caller to retry. */
  | { kind: 'tags_unavailable'; subject: RetrainSubject; ruleId: string; message: string }
  /** A setting makes the request unroutable (a tag naming an invalid model, say). */
  | { kind: 'refused'; subject: RetrainSubject; failure: Failure }
  | { kind: 'submit'; plan: RetrainPlan };

/**
 * Whether this request retrains, and which model: below the threshold, a resolved or unhandled alert, or a rule not
 * ours is no action; a request already decided is a duplicate; anything else is a plan to submit. Pure: every fact it
 * needs is handed in. (The model's cooldown is judged under the claim, by the submitter, so that races stay safe.)
 */
export function decideRetrain(payload: RetrainPayload, facts: RetrainFacts, policy: RetrainPolicy): RetrainDecision {
  let subject: RetrainSubject;
  let model: string;
  let reason: string;
  let windowEnd: Date;
  if (payload.kind === 'direct') {
    model = payload.model ?? policy.defaultModel;
    subject = { source: 'direct', alertId: null, rule: null, magnitude: payload.magnitude, model };
    if (!(payload.magnitude > policy.threshold)) {
      const why = `drift_magnitude ${payload.magnitude} does not exceed the retrain threshold ${policy.threshold} (MRM_RETRAIN_THRESHOLD)`;
      return { kind: 'no_action', subject, reason: why };
    }
    reason = payload.reason ?? `drift_magnitude ${payload.magnitude} exceeds the retrain threshold ${policy.threshold}`;
    windowEnd = facts.now;
  } else {
    subject = { source: 'alert', alertId: payload.alertId, rule: payload.rule, magnitude: payload.value, model: null };
    const ignored = whyIgnored(payload);
    if (ignored) return { kind: 'no_action', subject, reason: ignored };
    const tags = facts.ruleTags;
    if (tags?.kind === 'retryable' && payload.ruleId)
      return { kind: 'tags_unavailable', subject, ruleId: payload.ruleId, message: tags.message };
    if (tags?.kind === 'misconfigured')
      return {
        kind: 'refused',
        subject,
        failure: { kind: 'configuration', code: 'RETRAIN.NO_CREDENTIAL', message: tags.message },
      };
    const route = routeAlert(payload.rule, tags, policy);
    if (!route.ok) return { kind: 'refused', subject, failure: route.error };
    if (route.value.kind === 'ignore') return { kind: 'no_action', subject, reason: route.value.reason };
    model = route.value.model;
    subject = { ...subject, model };
    reason = describeAlert(payload);
    windowEnd = new Date(Date.parse(payload.firedDateTime));
  }
  const claimKey = claimKeyOf(payload, facts.now, policy);
  // Replays of a decided request are the common case under retries.
  if (facts.earlier && facts.earlier.state !== 'claimed')
    return { kind: 'duplicate', subject, claimKey, record: facts.earlier };
  return {
    kind: 'submit',
    plan: {
      subject: { ...subject, model },
      claimKey,
      jobName: retrainJobName(claimKey, model),
      reason,
      features: payload.features,
      windowEnd,
    },
  };
}

/** The alert rule whose tags the decision needs, if any: none for a direct request or an alert it ignores anyway. */
export function ruleToRead(payload: RetrainPayload): string | undefined {
  return payload.kind === 'alert' && !whyIgnored(payload) ? payload.ruleId || undefined : undefined;
}

/** The key a request is claimed under: the alert's id, or a direct request's content within its time bucket. */
export function claimKeyOf(payload: RetrainPayload, now: Date, policy: RetrainPolicy): string {
  return payload.kind === 'alert'
    ? alertClaimKey(payload.alertId)
    : directClaimKey(payload, payload.model ?? policy.defaultModel, now, policy.dedupeWindowInMinutes);
}

function whyIgnored(alert: AlertPayload): string | undefined {
  if (alert.family === 'other') {
    return `Signal type "${alert.signalType}"${alert.conditionType ? ` (${alert.conditionType})` : ''} from ${alert.monitoringService || 'an unknown service'} is not handled: only metric alerts and Log Alerts V2 start retraining`;
  }
  if (alert.monitorCondition === 'Resolved') return `Alert "${alert.rule}" resolved: nothing to do`;
  return undefined;
}

function describeAlert(alert: AlertPayload): string {
  const measured =
    alert.value === null
      ? ''
      : `: ${alert.metricName ?? 'value'} ${alert.value}${alert.operator ? ` ${alert.operator}` : ''}${alert.threshold ? ` ${alert.threshold}` : ''}`;
  return `Alert rule "${alert.rule}" fired${measured}`;
}
